import type { ReadStore } from '@app/read-store';
import { CATEGORIES, endOfBusinessDay, isCalendarDate, keysOf, STATUS_LABELS, type Actor, type DirectoryState } from '@app/proposals';
import { auditEntries, SORTABLE, unitFigures, type AuditEntry, type AuditQuery, type ProposalListQuery, type ProposalsQuery, type ProposalSummary } from '@app/projections';
import { auditTable, listFilters, proposalsTable, unitsTable, type UnitRecord } from './tables.js';
import type { Table, TableMeta } from './table.js';

/**
 * The read routes' tables with their rows, for both the API's `?format=csv|xlsx` (apps/api/src/http/formats.ts) and
 * `npm run report -- --table` (apps/cli): which rows a file of a route holds (the whole list, not one page; a
 * unit its own record; the audit query's business days) and what its title says of the filters — one
 * implementation, so that the command line's file is the route's.
 */

/** The tables, by the name `npm run report -- --table` takes. */
export const READ_TABLES = ['statistics', 'year-over-year', 'units', 'proposals', 'overdue', 'due-soon', 'audit'] as const;
export type ReadTable = (typeof READ_TABLES)[number];

type Meta = Omit<TableMeta, 'asOf' | 'sessionName'>;
type Rows<R> = Iterable<R> | AsyncIterable<R>;

/** Days ahead the due-soon list looks when not told (GET /supervision/due-soon). */
export const DUE_SOON_DAYS = 14;

/** The list with its filters (GET /proposals): the filters in words in its title and name. */
export const proposalListTable = (rows: Rows<ProposalSummary>, meta: Meta, filters: Readonly<Record<string, string | undefined>>): Table<ProposalSummary> =>
  proposalsTable('list', rows, meta, listFilters(filters));

export const overdueTable = (rows: Rows<ProposalSummary>, meta: Meta, q: { readonly session?: string }): Table<ProposalSummary> =>
  proposalsTable('overdue', rows, meta, q.session ? [`届次 ${q.session}`] : []);

export const dueSoonTable = (rows: Rows<ProposalSummary>, meta: Meta, q: { readonly session?: string; readonly days?: number | string }): Table<ProposalSummary> =>
  proposalsTable('due-soon', rows, meta, [`${q.days ?? DUE_SOON_DAYS}天内到期`, ...(q.session ? [`届次 ${q.session}`] : [])]);

export const unitRecordsTable = (units: readonly UnitRecord[], meta: Meta, session: string): Table<UnitRecord> => unitsTable(units, { id: session }, meta);

export const auditTrailTable = (rows: Rows<AuditEntry>, meta: Meta): Table<AuditEntry> => auditTable(rows, meta);

/** Every item of a paged query, page after page: for a file of a whole list. */
export async function* everyPage<T>(page: (n: number) => Promise<{ items: T[]; total: number }>): AsyncGenerator<T> {
  for (let n = 1, seen = 0; ; n++) {
    const { items, total } = await page(n);
    yield* items;
    seen += items.length;
    if (items.length === 0 || seen >= total) return;
  }
}

export type ProposalFilters = Omit<ProposalListQuery, 'page' | 'pageSize'>;

/** Every proposal the filters select that the reader may see, in the order asked for: a file of the list. */
export const everyProposal = (proposals: ProposalsQuery, tenant: string, reader: Actor, filters: ProposalFilters): AsyncGenerator<ProposalSummary> =>
  everyPage((page) => proposals.list(tenant, reader, { ...filters, page, pageSize: 200 }));

/**
 * Every unit's record of a session, under the name it had in the session's events, with `currentName` — what the
 * directory calls it today, so that a reader finds a unit renamed since. A unit reader gets its own.
 */
export async function unitRecords(
  readStore: ReadStore,
  tenant: string,
  session: string,
  reader: Pick<Actor, 'role' | 'unit'>,
  directory: DirectoryState,
  today: string,
  utcOffsetMinutes: number,
): Promise<(UnitRecord & { currentName: string | null })[]> {
  const figures = await unitFigures(readStore, tenant, session, today, utcOffsetMinutes);
  const named = figures.map((f) => ({ ...f, currentName: directory.units.get(f.unit)?.shortName ?? null }));
  return reader.role === 'unit' ? named.filter((f) => f.unit === reader.unit) : named;
}

/** The audit query as GET /audit takes it. */
export interface AuditFilters {
  readonly actor?: string;
  readonly unit?: string;
  readonly recorder?: string;
  readonly type?: string;
  readonly proposal?: string;
  readonly time?: 'occurred' | 'recorded';
  /** A business date (the whole day) or an instant. */
  readonly from?: string;
  readonly to?: string;
  readonly recordedLaterThanDays?: number;
}

const instant = (value: string): string => {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
};

/** The audit read model's query: a bare date is a business day, from its start and to its end; instants in UTC. */
export function auditQuery(q: AuditFilters, utcOffsetMinutes: number): Omit<AuditQuery, 'page' | 'pageSize'> {
  const from = q.from && q.from.length === 10 ? new Date(endOfBusinessDay(q.from, utcOffsetMinutes) - 86_400_000).toISOString() : q.from;
  const to = q.to && q.to.length === 10 ? new Date(endOfBusinessDay(q.to, utcOffsetMinutes)).toISOString() : q.to;
  const { proposal, ...rest } = q;
  return { ...rest, subject: proposal, from: from && instant(from), to: to && instant(to) };
}

/** Every audit entry the query matches, in log order, streamed: a file of the trail. */
export const everyAuditEntry = (readStore: ReadStore, tenant: string, q: AuditFilters, utcOffsetMinutes: number): AsyncGenerator<AuditEntry> =>
  auditEntries(readStore, tenant, auditQuery(q, utcOffsetMinutes), utcOffsetMinutes);

// ---------------------------------------------------------------------------------------------------------------
// Filters given as `name=value` (the command line's --filter), checked as the routes' query DTOs check them

/** The filters each table takes, by the names of its route's query parameters. */
export const TABLE_FILTERS: Readonly<Record<ReadTable, readonly string[]>> = {
  statistics: [],
  'year-over-year': [],
  units: [],
  proposals: ['status', 'leadUnit', 'category', 'overdue', 'key', 'claimed', 'q', 'sort'],
  overdue: [],
  'due-soon': ['days'],
  audit: ['actor', 'unit', 'recorder', 'type', 'proposal', 'time', 'from', 'to', 'recordedLaterThanDays'],
};

/** A filter that is not one of the table's, or a value it does not take: the message names the filter. */
export class TableFilterError extends Error {
  override readonly name = 'TableFilterError';
}

const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function checked(table: ReadTable, name: string, value: string): string | number | boolean {
  const wrong = (what: string) => new TableFilterError(`filter ${name} must be ${what}`);
  const whole = (min: number, max: number) => {
    if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) throw wrong(`a whole number from ${min} to ${max}`);
    return Number(value);
  };
  const text = (max: number) => {
    if (value.length === 0 || value.length > max) throw wrong(`1 to ${max} characters`);
    return value;
  };
  switch (name) {
    case 'status':
      if (!Object.hasOwn(STATUS_LABELS, value)) throw wrong(`one of ${keysOf(STATUS_LABELS).join(', ')}`);
      return value;
    case 'category':
      if (!Object.hasOwn(CATEGORIES, value)) throw wrong(`one of ${keysOf(CATEGORIES).join(', ')}`);
      return value;
    case 'overdue':
    case 'key':
    case 'claimed':
      if (value !== 'true' && value !== 'false') throw wrong('true or false');
      return value === 'true';
    case 'sort':
      if (!SORTABLE.flatMap((f) => [f, `-${f}`]).includes(value)) throw wrong(`one of ${SORTABLE.join(', ')}, - in front for descending`);
      return value;
    case 'time':
      if (value !== 'occurred' && value !== 'recorded') throw wrong('occurred or recorded');
      return value;
    case 'from':
    case 'to':
      if (!DATE_OR_INSTANT.test(value) || Number.isNaN(Date.parse(value)) || (value.length === 10 && !isCalendarDate(value))) throw wrong('a date YYYY-MM-DD or an ISO instant');
      return value;
    case 'days':
      return whole(0, 366);
    case 'recordedLaterThanDays':
      return whole(0, 36_500);
    case 'leadUnit':
    case 'unit':
    case 'type':
    case 'q':
      return text(100);
    case 'proposal':
      return text(64);
    case 'actor':
    case 'recorder':
      return text(128);
    default:
      throw new TableFilterError(`the ${table} table takes no filter ${name}`);
  }
}

/**
 * `name=value` pairs as the table's route takes them in its query string (`status=answered`, `from=2019-01-01`),
 * each checked; a name twice, a name the table does not take or a wrong value is refused naming the filter.
 */
export function tableFilters(table: ReadTable, pairs: readonly string[]): Record<string, string | number | boolean> {
  const filters: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new TableFilterError(`a filter is name=value, such as status=answered: not ${pair}`);
    const name = pair.slice(0, at);
    if (!TABLE_FILTERS[table].includes(name)) {
      const takes = TABLE_FILTERS[table];
      throw new TableFilterError(`the ${table} table takes no filter ${name}${takes.length ? ` (it takes ${takes.join(', ')})` : ''}`);
    }
    if (Object.hasOwn(filters, name)) throw new TableFilterError(`filter ${name} is given twice`);
    filters[name] = checked(table, name, pair.slice(at + 1));
  }
  return filters;
}
