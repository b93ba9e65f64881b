import { ROLES, SYSTEM_ROLE } from './actor.js';
import { REMINDER_KINDS } from './reminder/events.js';
import type { StoredType } from './codec.js';
import {
  ATTITUDES,
  CATEGORIES,
  DECLINE_REASONS,
  keysOf,
  RESULT_CATEGORIES,
  UNIT_KINDS,
  VISIT_FORMS,
  VISIT_STAGES,
  VISITOR_RANKS,
} from './vocabulary.js';

/**
 * The published contract of the stored events (docs/events.md, GET /events/schemas): a JSON Schema (draft 2020-12)
 * of the data of every stored type and version, and of the metadata every event carries. Plain data, checked
 * against every event the demo replay writes (test/contracts/event-schemas.int.spec.ts). A new stored type is a
 * compile error here until it has its schema; an old name an upcaster reads must be listed too (a spec holds
 * `eventCodec.storedTypes` to it).
 *
 * Data and metadata schemas are strict (`additionalProperties: false`) so that this project's specs catch a field
 * the contract does not describe. Subscribers should read tolerantly: within a version, new optional fields may
 * appear (see COMPATIBILITY).
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const COMPATIBILITY = [
  'A stored type never changes meaning: its name carries the version (`proposal.filed.v2`).',
  'Within a version the only change allowed is a new optional field; no field is removed, renamed, made required or given another type or vocabulary. Subscribers ignore fields they do not know.',
  'Any other change is a new version (`….v3`) with an upcaster from the previous one (libs/proposals/src/codec.ts): events already stored keep their old name and shape for good, and the service reads them as the new version.',
  'The schema of every old version the service still reads stays published, marked deprecated.',
] as const;

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

const text: JsonSchema = { type: 'string', minLength: 1 };
const id: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };
const oneOf = (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/** A business date, `2019-04-15`. */
const date: JsonSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
/** An instant, ISO 8601 in UTC or with an offset. */
const instant: JsonSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$' };
/** What X-Correlation-Id and X-Causation-Id may carry: 1 to 255 visible ASCII characters. */
const headerToken: JsonSchema = { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' };
const sha256: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' };

/** An object with exactly these fields: `required` always present, `optional` when given. */
function object(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: { ...required, ...optional },
    required: Object.keys(required),
    additionalProperties: false,
  };
}
/** The same closed object for the API's response schemas (apps/api/src/openapi/responses.ts). */
export { object as objectSchema };

const category = oneOf(keysOf(CATEGORIES));
const unitKind = oneOf(keysOf(UNIT_KINDS));
const proposer = object({ id }, { name: text });

const actor = object({ id, role: oneOf([...ROLES, SYSTEM_ROLE]) }, { unit: id, name: text });

/** The metadata of every event of the proposal, session and directory streams (metadata.ts, EventMetadata). */
export const EVENT_METADATA_SCHEMA: JsonSchema = object(
  {
    tenant: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
    actor,
    occurredAt: instant,
    recordedAt: instant,
    commandId: id,
    commandType: text,
    correlationId: headerToken,
    causationId: headerToken,
    hash: sha256,
  },
  {
    recorder: { ...actor, description: 'the clerk who recorded a paper step on the actor’s behalf' },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
    commandHash: sha256,
    names: object(
      { units: { type: 'object', additionalProperties: text }, members: { type: 'object', additionalProperties: text } },
      {},
      'the names of the units and members the event and its actor name, as the directory had them when it was recorded; absent on events recorded before the directory',
    ),
  },
  'The metadata of every event: who did the step (and the clerk who recorded it), business and recording time, the command, correlation and causation, and the hash chain (docs/trail.md).',
);

/** The metadata of an anchor of the trail (command-handling/anchor-log.ts), in the `anchor-<tenant>` stream. */
export const TRAIL_METADATA_SCHEMA: JsonSchema = object(
  { tenant: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, recordedAt: instant, recordedBy: text, schemaVersion: { const: 1 }, hash: sha256 },
  {},
  'The metadata of an anchor: when and by which process it was recorded, and the anchor stream’s own hash chain.',
);

const assignment = { leadUnit: id, coUnits: list(id), dueDate: date };

/** The data of every current stored type: adding an event type does not compile until its schema is here. */
const CURRENT: { readonly [T in StoredType]: JsonSchema } = {
  'proposal.filed.v2': object({
    proposalId: id,
    session: id,
    title: text,
    body: text,
    category,
    proposers: { ...list(proposer), description: 'who has joined: the member who filed (领衔), then co-proposers once they confirm' },
    invitedCoProposers: { ...list(id), description: 'members named as co-proposers (联名) who have not confirmed yet' },
  }),
  'proposal.co-proposer-confirmed.v1': object({ member: id }, { name: text }),
  'proposal.withdrawn.v1': object({ reason: text }),
  'proposal.registered.v1': object({ number: id }),
  'proposal.declined.v1': object({ reason: oneOf(keysOf(DECLINE_REASONS)) }, { mergedInto: id, note: text }),
  'proposal.assigned.v1': object(assignment),
  'proposal.reassignment-requested.v1': object({ unit: id, reason: text }),
  'proposal.reassigned.v1': object({ ...assignment, previousLeadUnit: id }),
  'proposal.claimed.v1': object({ leader: id }, { leaderName: text }),
  'proposal.visited.v1': object(
    { unit: id, stage: oneOf(keysOf(VISIT_STAGES)), visitorRank: oneOf(keysOf(VISITOR_RANKS)), form: oneOf(keysOf(VISIT_FORMS)) },
    { note: text },
  ),
  'proposal.co-unit-opinion-sent.v1': object({ unit: id, opinion: text }),
  'proposal.answered.v1': object(
    { unit: id, category: oneOf(keysOf(RESULT_CATEGORIES)), text, publish: { type: 'boolean' } },
    { withholdReason: text },
  ),
  'proposal.feedback-given.v1': object(
    { member: id, attitude: oneOf(keysOf(ATTITUDES)), agreesWithResult: { type: 'boolean' } },
    { comment: text },
  ),
  'proposal.renegotiated.v1': object({ reason: text, dueDate: date }),
  'proposal.followed-up.v1': object({ note: text, substantiveProgress: { type: 'boolean' } }, { unit: id }),
  'proposal.supervised.v1': object({ key: { type: 'boolean' } }, { note: text }),
  'proposal.answer-published.v1': object({ answerNumber: { type: 'integer', minimum: 1 } }),
  'proposal.escalated.v1': object({ dueDate: date, daysOverdue: { type: 'integer', minimum: 0 } }),
  'session.opened.v1': object({ sessionId: id, name: text, year: { type: 'integer', minimum: 1949, maximum: 9999 }, answerLimitDays: { type: 'integer', minimum: 1 } }),
  'session.number-reserved.v1': object({ number: id, proposalId: id }),
  'session.supervision-visit-recorded.v1': object({ unit: id }, { note: text }),
  'directory.unit-registered.v1': object({ code: id, fullName: text, shortName: text, kind: unitKind, activeFrom: date }),
  'directory.unit-changed.v1': object({ code: id }, { fullName: text, shortName: text, kind: unitKind }),
  'directory.unit-deactivated.v1': object({ code: id, activeUntil: date }, { mergedInto: id }),
  'directory.member-registered.v1': object({ id, name: text, sector: text, terms: list(text) }, { group: text }),
  'directory.member-changed.v1': object({ id }, { name: text, sector: text, group: text, terms: list(text) }),
  'directory.member-deactivated.v1': object({ id, activeUntil: date }),
  'directory.staff-account-added.v1': object({ sub: id, unit: id }, { name: text }),
  'directory.staff-account-removed.v1': object({ sub: id }),
  'reminder.issued.v1': object(
    {
      proposalId: id,
      session: id,
      title: text,
      kind: oneOf(keysOf(REMINDER_KINDS)),
      threshold: { type: 'integer', minimum: 0 },
      dueDate: date,
      recipients: list({
        oneOf: [
          object({ role: oneOf(['unit', 'member']), id }),
          object({ role: oneOf(['office', 'committee']) }),
        ],
      }),
    },
    { number: id },
  ),
};

/**
 * Older stored names the codec still reads, with their data as it was stored: `proposal.filed.v1` listed every
 * proposer as joined and had no `invitedCoProposers` (its upcaster adds an empty list).
 */
const UPCAST: { readonly [old: string]: { readonly data: JsonSchema; readonly readAs: StoredType } } = {
  'proposal.filed.v1': {
    readAs: 'proposal.filed.v2',
    data: object({ proposalId: id, session: id, title: text, body: text, category, proposers: list(proposer) }),
  },
};

const leaf = object({ stream: text, revision: { type: 'integer', minimum: 0 }, head: sha256 });
/** The trail's anchors (docs/trail.md): not domain events, but stored beside them and seen by the feed. */
const TRAIL: { readonly [type: string]: JsonSchema } = {
  'trail.anchored.v1': object({
    statement: object({
      format: { const: 'cppcc-trail-anchor/1' },
      tenant: text,
      position: { type: 'integer', minimum: 0 },
      events: { type: 'integer', minimum: 0 },
      streams: { type: 'integer', minimum: 0 },
      root: sha256,
      time: instant,
      key: { type: 'string', pattern: '^ed25519:[0-9a-f]{64}$' },
    }),
    signature: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$' },
    leaves: list(leaf),
  }),
};

export interface StoredEventSchema {
  /** The stored name, which carries the version. */
  readonly type: string;
  readonly version: number;
  /** Whether the service still writes it; otherwise it reads it as `readAs` through an upcaster. */
  readonly current: boolean;
  readonly readAs?: string;
  readonly data: JsonSchema;
  readonly metadata: JsonSchema;
}

const versionOf = (type: string): number => Number(/\.v(\d+)$/.exec(type)?.[1] ?? 1);

/** Every stored type and version with the schemas of its data and metadata. */
export const STORED_EVENT_SCHEMAS: readonly StoredEventSchema[] = [
  ...Object.entries(CURRENT).map(([type, data]) => ({ type, version: versionOf(type), current: true, data, metadata: EVENT_METADATA_SCHEMA })),
  ...Object.entries(UPCAST).map(([type, { data, readAs }]) => ({ type, version: versionOf(type), current: false, readAs, data, metadata: EVENT_METADATA_SCHEMA })),
  ...Object.entries(TRAIL).map(([type, data]) => ({ type, version: versionOf(type), current: true, data, metadata: TRAIL_METADATA_SCHEMA })),
];

export const storedEventSchema = (type: string): StoredEventSchema | undefined => STORED_EVENT_SCHEMAS.find((s) => s.type === type);

/**
 * The whole contract as one JSON Schema document: `$defs` has one schema per stored type (an event `{ type, data,
 * metadata }`, as the feed and EventStoreDB give it, other fields of the envelope allowed), and the document itself
 * accepts an event of any of them. Old versions are marked `deprecated`.
 */
export function eventSchemaDocument(): JsonSchema {
  const defs: Record<string, JsonSchema> = { metadata: EVENT_METADATA_SCHEMA, 'trail-metadata': TRAIL_METADATA_SCHEMA };
  for (const s of STORED_EVENT_SCHEMAS)
    defs[s.type] = {
      type: 'object',
      description: s.current ? `stored type ${s.type}, version ${s.version}` : `stored type ${s.type}, version ${s.version}: no longer written; read as ${s.readAs} through an upcaster`,
      ...(s.current ? {} : { deprecated: true }),
      properties: {
        type: { const: s.type },
        data: s.data,
        metadata: { $ref: s.metadata === TRAIL_METADATA_SCHEMA ? '#/$defs/trail-metadata' : '#/$defs/metadata' },
      },
      required: ['type', 'data', 'metadata'],
    };
  return {
    $schema: DRAFT,
    $id: 'urn:cppcc-proposals:events',
    title: 'The stored events of cppcc-proposals (政协提案办理)',
    description: COMPATIBILITY.join(' '),
    oneOf: STORED_EVENT_SCHEMAS.map((s) => ({ $ref: `#/$defs/${s.type}` })),
    $defs: defs,
  };
}
