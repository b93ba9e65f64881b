import type { Filter, FindQuery, ReadStore } from '@app/read-store';
import { addDays, businessDate, inScope, readingScope, type Actor, type Category, type ProposalStatus } from '@app/proposals';
import { proposalSummary, proposalView, type ProposalSummary, type ProposalView } from '../presentation.js';
import { docId } from '../projection.js';
import { LISTED, type ListedProposal, type ProposalDoc } from './proposal-doc.js';
import { PROPOSALS } from './proposals.projection.js';
import { remindersAbout, type ReminderDoc } from '../reminders/reminders.projection.js';

/** The reader's scope (the domain's rule) as a filter of the proposals read model. */
export function visibleTo(reader: Actor): Filter | 'none' {
  const scope = readingScope(reader);
  if (scope === 'all' || scope === 'none') return scope === 'all' ? {} : 'none';
  return 'unit' in scope ? { units: scope.unit } : { proposerIds: scope.member };
}

/** The same rule for one document. */
export const canReadDoc = (reader: Actor, doc: ProposalDoc): boolean => inScope(readingScope(reader), doc);

export const SORTABLE = ['number', 'filedAt', 'dueDate', 'updatedAt', 'title'] as const;
export type SortField = (typeof SORTABLE)[number];

export interface ProposalListQuery {
  readonly session?: string;
  readonly status?: ProposalStatus;
  readonly leadUnit?: string;
  readonly category?: Category;
  readonly overdue?: boolean;
  readonly key?: boolean;
  readonly claimed?: boolean;
  /** Free text in the title. */
  readonly q?: string;
  /** A sortable field, `-` in front for descending. */
  readonly sort?: `${'' | '-'}${SortField}`;
  readonly page: number;
  readonly pageSize: number;
}

export const isOverdue = (doc: Pick<ProposalDoc, 'open' | 'dueDate'>, today: string): boolean => doc.open && doc.dueDate !== null && doc.dueDate < today;

export interface Paged<T> {
  readonly items: T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

/** Reads of the proposals read model, always within one jurisdiction and what the reader may see. */
export class ProposalsQuery {
  constructor(
    private readonly readStore: ReadStore,
    private readonly utcOffsetMinutes: number,
    private readonly clock: () => Date,
  ) {}

  today(): string {
    return businessDate(this.clock(), this.utcOffsetMinutes);
  }

  async list(tenant: string, reader: Actor, query: ProposalListQuery): Promise<Paged<ProposalSummary>> {
    const scope = visibleTo(reader);
    if (scope === 'none') return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
    const today = this.today();
    const filter: Record<string, Filter[string]> = { ...scope, tenant };
    if (query.session) filter.session = query.session;
    if (query.status) filter.status = query.status;
    if (query.leadUnit) filter.leadUnit = query.leadUnit;
    if (query.category) filter.category = query.category;
    if (query.key !== undefined) filter.key = query.key;
    if (query.claimed !== undefined) filter.claimed = query.claimed;
    if (query.q) filter.title = { $contains: query.q };
    let where: Filter = filter;
    if (query.overdue === true) where = { ...filter, open: true, dueDate: { $lt: today } };
    if (query.overdue === false) where = { ...filter, $or: [{ open: false }, { dueDate: { $gte: today } }, { dueDate: null }] };
    const sort = query.sort ?? '-filedAt';
    const descending = sort.startsWith('-');
    const find: FindQuery = {
      filter: where,
      sort: [[(descending ? sort.slice(1) : sort) as SortField, descending ? -1 : 1]],
      skip: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
      fields: LISTED,
    };
    const { items, total } = await this.readStore.find<ListedProposal>(PROPOSALS, find);
    return { items: items.map((d) => this.summarize(d, today)), total, page: query.page, pageSize: query.pageSize };
  }

  async get(tenant: string, id: string): Promise<ProposalDoc | null> {
    return this.readStore.get<ProposalDoc>(PROPOSALS, docId(tenant, id));
  }

  /** The reminders sent about one proposal, as stored, oldest first. */
  reminders(tenant: string, id: string): Promise<ReminderDoc[]> {
    return remindersAbout(this.readStore, tenant, id);
  }

  /** The document as a person reads it (presentation.ts). */
  view(doc: ProposalDoc): ProposalView {
    return proposalView(doc, isOverdue(doc, this.today()), this.utcOffsetMinutes);
  }

  private summarize(doc: ListedProposal, today: string): ProposalSummary {
    return proposalSummary(doc, isOverdue(doc, today), this.utcOffsetMinutes);
  }

  /** Open proposals past their due date, oldest due first. */
  async overdue(tenant: string, session?: string): Promise<ProposalSummary[]> {
    const today = this.today();
    const { items } = await this.readStore.find<ListedProposal>(PROPOSALS, {
      filter: { tenant, open: true, dueDate: { $lt: today }, ...(session ? { session } : {}) },
      sort: [['dueDate', 1]],
      fields: LISTED,
    });
    return items.map((d) => this.summarize(d, today));
  }

  /** Open proposals due within the next `days` days (today included), soonest first. */
  async dueSoon(tenant: string, days: number, session?: string): Promise<ProposalSummary[]> {
    const today = this.today();
    const { items } = await this.readStore.find<ListedProposal>(PROPOSALS, {
      filter: { tenant, open: true, dueDate: { $gte: today, $lte: addDays(today, days) }, ...(session ? { session } : {}) },
      sort: [['dueDate', 1]],
      fields: LISTED,
    });
    return items.map((d) => this.summarize(d, today));
  }
}
