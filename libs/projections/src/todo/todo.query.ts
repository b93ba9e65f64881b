import type { ReadStore } from '@app/read-store';
import type { Actor } from '@app/proposals';
import { labelOf, timed, type Timed } from '../presentation.js';
import { partyOf, TODO, TODO_KINDS, type TodoDoc, type TodoKind } from './todo.projection.js';

/** The kinds each reader may be waited on for, so that a to-do list counts every one of them, zero included. */
const KINDS_OF: Readonly<Record<string, readonly TodoKind[]>> = {
  unit: ['visit', 'co-unit-opinion', 'answer', 'follow-up'],
  member: ['feedback', 'co-proposal'],
  committee: ['review'],
  office: ['assign', 'reassignment-request'],
  leader: ['claimed'],
};

export interface TodoEntry extends Timed<'since'> {
  readonly proposalId: string;
  readonly number: string | null;
  readonly session: string;
  readonly title: string;
  readonly kind: TodoKind;
  readonly kindLabel: string;
  readonly dueDate: string | null;
  /** The due date has passed (business time). */
  readonly overdue: boolean;
}

export interface TodoList {
  readonly total: number;
  /** Every kind this reader may be waited on for, with how many wait now. */
  readonly counts: Readonly<Partial<Record<TodoKind, number>>>;
  /** Soonest due first; those without a date after, oldest wait first. */
  readonly items: readonly TodoEntry[];
}

/**
 * What waits on the reader now, from the to-do read model: one indexed query on the party it waits on. Nothing
 * waits on auditors, clerks and services: their list is empty.
 */
export async function todoList(readStore: ReadStore, tenant: string, reader: Actor, today: string, utcOffsetMinutes: number): Promise<TodoList> {
  const party = partyOf(reader);
  const kinds = KINDS_OF[reader.role] ?? [];
  const counts: Partial<Record<TodoKind, number>> = Object.fromEntries(kinds.map((k) => [k, 0]));
  if (party === undefined) return { total: 0, counts, items: [] };
  const { items: docs } = await readStore.find<TodoDoc>(TODO, { filter: { tenant, parties: party }, sort: [['number', 1]] });
  const items: TodoEntry[] = docs.flatMap((d) =>
    d.items
      .filter((i) => i.party === party)
      .map((i) => ({
        proposalId: d.proposalId,
        number: d.number,
        session: d.state.session,
        title: d.state.title,
        kind: i.kind,
        kindLabel: labelOf(TODO_KINDS, i.kind),
        dueDate: i.dueDate,
        overdue: i.dueDate !== null && i.dueDate < today,
        ...timed('since', i.since, utcOffsetMinutes),
      })),
  );
  items.sort((a, b) => (a.dueDate ?? '\uffff').localeCompare(b.dueDate ?? '\uffff') || a.since.localeCompare(b.since) || (a.number ?? '').localeCompare(b.number ?? ''));
  for (const i of items) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
  return { total: items.length, counts, items };
}

/** Every proposal something waits on, in every jurisdiction: where the reminder scheduler looks. */
export async function waitingProposals(readStore: ReadStore): Promise<{ tenant: string; proposalId: string }[]> {
  const { items } = await readStore.find<TodoDoc>(TODO, { filter: { waiting: true } });
  return items.map((d) => ({ tenant: d.tenant, proposalId: d.proposalId }));
}
