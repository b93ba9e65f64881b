import type { Doc } from '@app/read-store';
import {
  DIRECTORY_EVENT_TYPES,
  evolveProposal,
  isOpen,
  latestAnswer,
  REMINDER_EVENT_TYPES,
  SESSION_EVENT_TYPES,
  type ProposalEvent,
  type ProposalEventType,
  type ProposalState,
} from '@app/proposals';
import { defineProjection, docId, ignoreAll, type ProjectedEventOf } from '../projection.js';

export const TODO = 'todo';

/**
 * What waits on someone (待办), by who it waits on:
 * a unit — `visit` the member (办前拜访/办中走访, lead unit, once a round), send its `co-unit-opinion`, `answer`
 * (lead unit), `follow-up` a B answer (lead unit, once after each B answer); a member — give `feedback` on an answer,
 * confirm a `co-proposal` they were asked to join; the committee — `review` a filing; the office — `assign` a
 * registered proposal, decide a `reassignment-request`; a leader — the proposals they `claimed`, until answered.
 */
export const TODO_KINDS = {
  visit: '走访委员',
  'co-unit-opinion': '会办意见',
  answer: '答复',
  'follow-up': '跟踪落实',
  feedback: '委员反馈',
  'co-proposal': '联名确认',
  review: '审查立案',
  assign: '交办',
  'reassignment-request': '调整申请',
  claimed: '领办',
} as const;
export type TodoKind = keyof typeof TODO_KINDS;

/** `unit:fgw`, `member:m-1`, `leader:l-1`, `committee`, `office`. */
export type Party = string;

export interface TodoItem {
  readonly party: Party;
  readonly kind: TodoKind;
  /** By when, where there is a date: the proposal's due date for a unit's work and a leader's claim. */
  readonly dueDate: string | null;
  /** Business time since when it waits. */
  readonly since: string;
}

/** When each wait began, which the proposal's state alone does not say. */
interface Waits {
  readonly filedAt: string;
  readonly registeredAt: string | null;
  /** The start of the current round of handling: assignment, reassignment, re-negotiation. */
  readonly roundAt: string | null;
  readonly requestedAt: string | null;
  readonly claimedAt: string | null;
  readonly answeredAt: string | null;
  /** Units that visited the member before or during handling in this round. */
  readonly visited: readonly string[];
  /** Whether the latest answer has been followed up. */
  readonly followedUp: boolean;
}

/**
 * One document per proposal: its state folded by the domain's own `evolveProposal`, when each wait began, and the
 * items that wait now, with the parties they wait on (`parties`, indexed: a to-do list is one indexed query).
 */
export interface TodoDoc extends Doc {
  readonly tenant: string;
  readonly proposalId: string;
  readonly number: string | null;
  readonly state: ProposalState;
  readonly waits: Waits;
  readonly items: readonly TodoItem[];
  readonly parties: readonly Party[];
  readonly waiting: boolean;
}

/** The party a reader is, or none (auditors, clerks, services: nothing waits on them). */
export function partyOf(actor: { readonly role: string; readonly id: string; readonly unit?: string }): Party | undefined {
  switch (actor.role) {
    case 'unit':
      return actor.unit === undefined ? undefined : `unit:${actor.unit}`;
    case 'member':
      return `member:${actor.id}`;
    case 'leader':
      return `leader:${actor.id}`;
    case 'office':
    case 'committee':
      return actor.role;
    default:
      return undefined;
  }
}

export function itemsOf(s: ProposalState, w: Waits): TodoItem[] {
  const items: TodoItem[] = [];
  const add = (party: Party, kind: TodoKind, since: string | null, dueDate: string | null = null) =>
    items.push({ party, kind, dueDate, since: since ?? w.filedAt });
  if (s.status === 'filed') {
    add('committee', 'review', w.filedAt);
    for (const id of s.invitedCoProposers) add(`member:${id}`, 'co-proposal', w.filedAt);
  }
  if (s.status === 'registered') add('office', 'assign', w.registeredAt);
  const due = s.dueDate ?? null;
  if (isOpen(s.status) && s.leadUnit !== undefined) {
    if (!w.visited.includes(s.leadUnit)) add(`unit:${s.leadUnit}`, 'visit', w.roundAt, due);
    for (const unit of s.coUnits) if (!s.coUnitOpinionsFrom.includes(unit)) add(`unit:${unit}`, 'co-unit-opinion', w.roundAt, due);
    add(`unit:${s.leadUnit}`, 'answer', w.roundAt, due);
  }
  if (s.status === 'assigned' && s.pendingReassignment) add('office', 'reassignment-request', w.requestedAt);
  if (s.claimedBy !== undefined && (s.status === 'registered' || isOpen(s.status))) add(`leader:${s.claimedBy}`, 'claimed', w.claimedAt, due);
  if (s.feedbackOpen && s.answers.length > 0)
    for (const p of s.proposers) if (!s.feedbackFrom.includes(p.id)) add(`member:${p.id}`, 'feedback', w.answeredAt);
  const latest = latestAnswer(s);
  if (latest?.category === 'B' && !w.followedUp && s.leadUnit !== undefined) add(`unit:${s.leadUnit}`, 'follow-up', w.answeredAt);
  return items;
}

const NEW_WAITS = (at: string): Waits => ({
  filedAt: at,
  registeredAt: null,
  roundAt: null,
  requestedAt: null,
  claimedAt: null,
  answeredAt: null,
  visited: [],
  followedUp: false,
});

type Step<T extends ProposalEventType> = (doc: TodoDoc | null, e: ProjectedEventOf<T>) => TodoDoc | null;

/** Folds the step into the state (the domain's rule), records when waits began, and lists what waits now. */
const step =
  <T extends ProposalEventType>(waits: (w: Waits, e: ProjectedEventOf<T>) => Partial<Waits> = () => ({})): Step<T> =>
  (doc, e) => {
    const at = e.metadata.occurredAt;
    const event = e.event as ProposalEvent;
    if (doc === null && event.type !== 'ProposalFiled') return null;
    const state = evolveProposal(doc?.state ?? null, event, { occurredAt: at });
    const before = doc?.waits ?? NEW_WAITS(at);
    const w = { ...before, ...waits(before, e) };
    const items = itemsOf(state, w);
    return {
      id: docId(e.tenant, e.streamId),
      tenant: e.tenant,
      proposalId: state.id,
      number: state.number ?? null,
      state,
      waits: w,
      items,
      parties: [...new Set(items.map((i) => i.party))],
      waiting: items.length > 0,
    };
  };

const newRound = (_: Waits, e: { readonly metadata: { readonly occurredAt: string } }): Partial<Waits> => ({ roundAt: e.metadata.occurredAt, visited: [] });

export const todoProjection = defineProjection<TodoDoc>({
  name: 'todo@1',
  collection: {
    name: TODO,
    partition: 'tenant',
    fields: { tenant: 'string', number: 'string', waiting: 'boolean', parties: 'array' },
    indexes: [['tenant', 'number'], ['waiting']],
  },
  keyOf: (e) => (e.category === 'proposal' ? docId(e.tenant, e.streamId) : undefined),
  handlers: {
    ...ignoreAll(SESSION_EVENT_TYPES),
    ...ignoreAll(DIRECTORY_EVENT_TYPES),
    ...ignoreAll(REMINDER_EVENT_TYPES),
    ProposalFiled: step(),
    CoProposerConfirmed: step(),
    ProposalWithdrawn: step(),
    ProposalRegistered: step((_, e) => ({ registeredAt: e.metadata.occurredAt })),
    ProposalDeclined: step(),
    ProposalAssigned: step(newRound),
    ReassignmentRequested: step((_, e) => ({ requestedAt: e.metadata.occurredAt })),
    ProposalReassigned: step(newRound),
    ProposalClaimed: step((_, e) => ({ claimedAt: e.metadata.occurredAt })),
    ProposalVisited: step((w, e) => (e.event.data.stage === 'after' ? {} : { visited: [...new Set([...w.visited, e.event.data.unit])] })),
    CoUnitOpinionSent: step(),
    ProposalAnswered: step((_, e) => ({ answeredAt: e.metadata.occurredAt, followedUp: false })),
    FeedbackGiven: step(),
    ProposalRenegotiated: step(newRound),
    ProposalFollowedUp: step(() => ({ followedUp: true })),
    ProposalSupervised: step(),
    AnswerPublished: step(),
    ProposalEscalated: step(),
  },
});
