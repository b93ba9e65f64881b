import type { Filter, ReadStore } from '@app/read-store';
import { ROLE_LABELS } from '@app/proposals';
import { memberNameIn, unitNameIn } from '../names.js';
import { labelOf, localDate, localTime, stepLabelOf, stepOf, type ProposalHeading, type Timed } from '../presentation.js';
import { docId } from '../projection.js';
import type { ProposalDoc } from '../proposals/proposal-doc.js';
import { PROPOSALS } from '../proposals/proposals.projection.js';
import type { Paged } from '../proposals/proposals.query.js';
import { AUDIT, auditProjection, type AuditDoc } from './audit.projection.js';

export interface AuditQuery {
  readonly actor?: string;
  readonly unit?: string;
  readonly recorder?: string;
  readonly type?: string;
  readonly subject?: string;
  /** Which clock the time range is on: business time (when it happened) or when it was recorded. */
  readonly time?: 'occurred' | 'recorded';
  readonly from?: string;
  readonly to?: string;
  /** Only steps recorded more than this many whole days after they happened. */
  readonly recordedLaterThanDays?: number;
  readonly page: number;
  readonly pageSize: number;
}

/** An entry as a supervisor reads it: the stored one, with labels, names at the time, business time and the proposal. */
export interface AuditEntry
  extends Omit<AuditDoc, 'id' | 'tenant' | 'names' | 'actorName' | 'recorderName'>,
    ProposalHeading,
    Timed<'occurredAt'>,
    Timed<'recordedAt'> {
  readonly step: string | null;
  readonly stepLabel: string;
  readonly actorName: string;
  readonly actorRoleLabel: string;
  readonly actorUnitName: string | null;
  readonly recorderName: string | null;
  readonly recorderRoleLabel: string | null;
}

/**
 * The audit read model is append-only, one entry per event written once and never read back (that is what makes a
 * rebuild fast), so it cannot carry a proposal's number and title forward from the events that set them. They are
 * read here, at query time, from the proposals read model, one batch per page: a title never changes after filing
 * and a number never after registration, so this shows what the entry's own time would show — and the number on
 * entries from before the registration too. (A lookup collection kept by the audit projection would duplicate
 * what the proposals read model already holds.)
 */
async function headingsOf(readStore: ReadStore, tenant: string, entries: readonly AuditDoc[]): Promise<Map<string, ProposalHeading>> {
  const ids = [...new Set(entries.filter((e) => e.category === 'proposal').map((e) => docId(tenant, e.subject)))];
  const docs = ids.length === 0 ? new Map<string, ProposalDoc>() : await readStore.getMany<ProposalDoc>(PROPOSALS, ids);
  return new Map([...docs.values()].map((d) => [d.proposalId, { number: d.number, title: d.title }]));
}

/** The fields an AuditDoc declares (its index signature left out), so that the entry below must name each. */
type DeclaredKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type StoredFields = { readonly [K in Exclude<DeclaredKeys<AuditDoc>, 'id' | 'tenant' | 'names' | 'actorName' | 'recorderName'>]: AuditDoc[K] };

export function auditEntry(doc: AuditDoc, heading: ProposalHeading | undefined, utcOffsetMinutes: number): AuditEntry {
  const names = doc.names ?? undefined;
  // One literal, field by field: a rest pattern (`{ id, tenant, ...entry } = doc`), a spread and spreads of computed
  // keys (timed()) made each entry a dictionary-mode object, ~50 µs and a promoted kilobyte apiece: an export of a
  // million entries took minutes and hundreds of MB for that alone. A field AuditDoc gains is a compile error here
  // (StoredFields) until it is listed.
  return {
    position: doc.position,
    stream: doc.stream,
    category: doc.category,
    subject: doc.subject,
    revision: doc.revision,
    type: doc.type,
    actorId: doc.actorId,
    actorRole: doc.actorRole,
    actorUnit: doc.actorUnit,
    recorderId: doc.recorderId,
    recorderRole: doc.recorderRole,
    occurredAt: doc.occurredAt,
    recordedAt: doc.recordedAt,
    lagDays: doc.lagDays,
    correlationId: doc.correlationId,
    commandType: doc.commandType,
    hash: doc.hash,
    number: heading?.number ?? null,
    title: heading?.title ?? null,
    step: stepOf(doc.type),
    stepLabel: stepLabelOf(doc.type),
    actorName: memberNameIn(names, doc.actorId, doc.actorName ?? undefined),
    actorRoleLabel: labelOf(ROLE_LABELS, doc.actorRole),
    actorUnitName: doc.actorUnit === null ? null : unitNameIn(names, doc.actorUnit),
    recorderName: doc.recorderId === null ? null : memberNameIn(names, doc.recorderId, doc.recorderName ?? undefined),
    recorderRoleLabel: labelOf(ROLE_LABELS, doc.recorderRole),
    occurredAtLocal: localTime(doc.occurredAt, utcOffsetMinutes),
    occurredAtDate: localDate(doc.occurredAt, utcOffsetMinutes),
    recordedAtLocal: localTime(doc.recordedAt, utcOffsetMinutes),
    recordedAtDate: localDate(doc.recordedAt, utcOffsetMinutes),
  } satisfies StoredFields & Record<string, unknown>;
}

/** The query's conditions on the audit read model. */
function auditFilter(tenant: string, q: Omit<AuditQuery, 'page' | 'pageSize'>): Record<string, Filter[string]> {
  const filter: Record<string, Filter[string]> = { tenant };
  if (q.actor) filter.actorId = q.actor;
  if (q.unit) filter.actorUnit = q.unit;
  if (q.recorder) filter.recorderId = q.recorder;
  if (q.type) filter.type = q.type;
  if (q.subject) filter.subject = q.subject;
  if (q.recordedLaterThanDays !== undefined) filter.lagDays = { $gt: q.recordedLaterThanDays };
  if (q.from || q.to) {
    filter[q.time === 'recorded' ? 'recordedAt' : 'occurredAt'] = {
      ...(q.from ? { $gte: q.from } : {}),
      ...(q.to ? { $lt: q.to } : {}),
    };
  }
  return filter;
}

/** The trail across all proposals and sessions, for supervisors: who did what, who typed it in, when. */
export async function auditTrail(readStore: ReadStore, tenant: string, q: AuditQuery, utcOffsetMinutes: number): Promise<Paged<AuditEntry>> {
  const filter = auditFilter(tenant, q);
  const { items, total } = await readStore.find<AuditDoc>(AUDIT, {
    filter,
    sort: [['position', 1]],
    skip: (q.page - 1) * q.pageSize,
    limit: q.pageSize,
  });
  const headings = await headingsOf(readStore, tenant, items);
  const entries = items.map((doc) => auditEntry(doc, headings.get(doc.subject), utcOffsetMinutes));
  return { items: entries, total, page: q.page, pageSize: q.pageSize };
}

/**
 * Every entry the query matches, in log order, for an export of the whole trail (a million entries and more): read
 * in windows of log positions up to the audit read model's checkpoint, so that memory holds one window and no
 * query grows with the log (a page's OFFSET and COUNT would: quadratic over the whole trail).
 */
export async function* auditEntries(
  readStore: ReadStore,
  tenant: string,
  q: Omit<AuditQuery, 'page' | 'pageSize'>,
  utcOffsetMinutes: number,
  /** Small: a window's documents live while its entries are written, and long-lived garbage grows the heap. */
  window = 100,
): AsyncGenerator<AuditEntry> {
  const filter = auditFilter(tenant, q);
  const last = (await readStore.checkpoints()).get(auditProjection.name) ?? 0;
  // Headings of the proposals met so far: a proposal's steps spread over many windows, its document is read once.
  const headings = new Map<string, ProposalHeading>();
  for (let from = 0; from < last; from += window) {
    const { items } = await readStore.find<AuditDoc>(AUDIT, { filter: { ...filter, position: { $gt: from, $lte: Math.min(from + window, last) } }, sort: [['position', 1]] });
    const unknown = items.filter((e) => e.category === 'proposal' && !headings.has(e.subject));
    if (unknown.length > 0) for (const [id, heading] of await headingsOf(readStore, tenant, unknown)) headings.set(id, heading);
    for (const doc of items) yield auditEntry(doc, headings.get(doc.subject), utcOffsetMinutes);
    while (headings.size > MAX_HEADINGS) headings.delete(headings.keys().next().value as string);
  }
}

/** Headings an export keeps at once (a few MB): the proposals being handled around the same time. */
const MAX_HEADINGS = 20_000;
