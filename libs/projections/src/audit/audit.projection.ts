import type { Doc } from '@app/read-store';
import { STORED_TYPES, type DomainEventType } from '@app/proposals';
import { namesOf, type NamesAtTheTime } from '../names.js';
import { defineProjection, docId, type ProjectedEvent } from '../projection.js';

export const AUDIT = 'audit';
const DAY_MS = 86_400_000;

/**
 * One entry per stored event: who did what, who recorded it, when it happened and when it was recorded, and the
 * event's hash. Codes and instants, and the names of the time (from the event's metadata); labels, local times and
 * the proposal's number and title are added when it is read (audit.query.ts).
 */
export interface AuditDoc extends Doc {
  readonly tenant: string;
  readonly position: number;
  readonly stream: string;
  readonly category: string;
  /** The proposal id or the session id. */
  readonly subject: string;
  readonly revision: number;
  readonly type: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly actorUnit: string | null;
  /** The name the actor signed in with, if any. */
  readonly actorName: string | null;
  readonly recorderId: string | null;
  readonly recorderRole: string | null;
  readonly recorderName: string | null;
  /** The names of the units and members the step referred to, as they were then; null before the directory. */
  readonly names: NamesAtTheTime | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** Whole days between when the step happened and when it was recorded. */
  readonly lagDays: number;
  readonly correlationId: string;
  readonly commandType: string;
  /** The event's link in its stream's hash chain (docs/trail.md). */
  readonly hash: string;
}

function entry(_: AuditDoc | null, e: ProjectedEvent): AuditDoc {
  const m = e.metadata;
  return {
    id: docId(e.tenant, String(e.position).padStart(12, '0')),
    tenant: e.tenant,
    position: e.position,
    stream: e.stream,
    category: e.category,
    subject: e.streamId,
    revision: e.revision,
    type: e.storedType,
    actorId: m.actor.id,
    actorRole: m.actor.role,
    actorUnit: m.actor.unit ?? null,
    actorName: m.actor.name ?? null,
    recorderId: m.recorder?.id ?? null,
    recorderRole: m.recorder?.role ?? null,
    recorderName: m.recorder?.name ?? null,
    names: namesOf(m) ?? null,
    occurredAt: m.occurredAt,
    recordedAt: m.recordedAt,
    lagDays: Math.floor((Date.parse(m.recordedAt) - Date.parse(m.occurredAt)) / DAY_MS),
    correlationId: m.correlationId,
    commandType: m.commandType,
    hash: m.hash,
  };
}

const everyType = Object.fromEntries((Object.keys(STORED_TYPES) as DomainEventType[]).map((t) => [t, entry])) as {
  [T in DomainEventType]: typeof entry;
};

export const auditProjection = defineProjection<AuditDoc>({
  name: 'audit@2',
  collection: {
    name: AUDIT,
    fields: {
      tenant: 'string',
      position: 'number',
      type: 'string',
      subject: 'string',
      actorId: 'string',
      actorUnit: 'string',
      recorderId: 'string',
      occurredAt: 'string',
      recordedAt: 'string',
      lagDays: 'number',
    },
    indexes: [
      ['tenant', 'position'],
      ['tenant', 'occurredAt'],
      ['tenant', 'recordedAt'],
      ['tenant', 'actorId', 'position'],
      ['tenant', 'recorderId', 'lagDays'],
    ],
  },
  keyOf: (e) => docId(e.tenant, String(e.position).padStart(12, '0')),
  handlers: everyType,
  appendOnly: true,
});
