import { assertNever } from '../errors.js';
import type { Category, DeclineReason, ResultCategory } from '../vocabulary.js';
import type { ProposalEvent, Proposer } from './events.js';
import { statusAfter, type ProposalStatus } from './lifecycle.js';

export interface AnswerSummary {
  readonly unit: string;
  readonly category: ResultCategory;
  readonly publish: boolean;
  readonly withholdReason?: string;
  readonly occurredAt: string;
  /** The due date in force when the answer was given. */
  readonly dueDate: string;
}

/** What the rules need to know about one proposal, folded from its stream. */
export interface ProposalState {
  readonly id: string;
  readonly session: string;
  readonly title: string;
  readonly category: Category;
  /** Members who have joined (the filer and the co-proposers who confirmed): they give feedback. */
  readonly proposers: readonly Proposer[];
  /** Members asked to join who have not confirmed: they may read the proposal to decide, nothing more. */
  readonly invitedCoProposers: readonly string[];
  /** The member who filed and leads the proposal (领衔); none when the committee filed it in its own name. */
  readonly leadProposer?: string;
  readonly status: ProposalStatus;
  readonly number?: string;
  readonly declined?: { readonly reason: DeclineReason; readonly mergedInto?: string };
  readonly leadUnit?: string;
  readonly coUnits: readonly string[];
  readonly dueDate?: string;
  /** Every unit that was ever lead or co-unit: they keep read access to the trail they took part in. */
  readonly unitsEverAssigned: readonly string[];
  readonly pendingReassignment?: { readonly unit: string; readonly reason: string };
  readonly claimedBy?: string;
  /** Co-units whose opinion reached the lead unit since the current assignment. */
  readonly coUnitOpinionsFrom: readonly string[];
  readonly answers: readonly AnswerSummary[];
  /** Highest answer number made public, 0 when none. */
  readonly publishedAnswer: number;
  /** Whether the latest answer still takes feedback: from its answering until handling is re-negotiated. */
  readonly feedbackOpen: boolean;
  /** Members who gave feedback on the latest answer. */
  readonly feedbackFrom: readonly string[];
  readonly key: boolean;
  /** The due date whose overdue handling was escalated for supervision: once per due date. */
  readonly escalatedFor?: string;
  /** Business time of the latest event: a recorded step may not happen before it. */
  readonly lastOccurredAt: string;
}

export type ProposalEvolveMeta = { readonly occurredAt: string };

const addUnique = (list: readonly string[], ...items: string[]): readonly string[] =>
  items.reduce((acc, item) => (acc.includes(item) ? acc : [...acc, item]), list);

export function evolveProposal(
  state: ProposalState | null,
  event: ProposalEvent,
  meta: ProposalEvolveMeta,
): ProposalState {
  if (event.type === 'ProposalFiled') {
    const d = event.data;
    return {
      id: d.proposalId,
      session: d.session,
      title: d.title,
      category: d.category,
      proposers: d.proposers,
      invitedCoProposers: d.invitedCoProposers,
      leadProposer: d.proposers[0]?.id,
      status: statusAfter(null, event),
      coUnits: [],
      unitsEverAssigned: [],
      coUnitOpinionsFrom: [],
      answers: [],
      publishedAnswer: 0,
      feedbackOpen: false,
      feedbackFrom: [],
      key: false,
      lastOccurredAt: meta.occurredAt,
    };
  }
  if (state === null) throw new TypeError(`${event.type} before ProposalFiled`);
  // Each event makes one copy of the state: what every event changes (status, lastOccurredAt) and what this one
  // changes, in a single literal. The key order is that of the state before, then the keys this event adds.
  const status = statusAfter(state.status, event);
  const lastOccurredAt = meta.occurredAt;
  switch (event.type) {
    case 'CoProposerConfirmed': {
      const { member, name } = event.data;
      return {
        ...state,
        status,
        lastOccurredAt,
        proposers: [...state.proposers, { id: member, ...(name ? { name } : {}) }],
        invitedCoProposers: state.invitedCoProposers.filter((id) => id !== member),
      };
    }
    case 'ProposalWithdrawn':
    case 'ProposalVisited':
    case 'ProposalFollowedUp':
      return { ...state, status, lastOccurredAt };
    case 'ProposalRegistered':
      return { ...state, status, lastOccurredAt, number: event.data.number };
    case 'ProposalDeclined':
      return { ...state, status, lastOccurredAt, declined: { reason: event.data.reason, mergedInto: event.data.mergedInto } };
    case 'ProposalAssigned':
    case 'ProposalReassigned': {
      const { leadUnit, coUnits, dueDate } = event.data;
      return {
        ...state,
        status,
        lastOccurredAt,
        leadUnit,
        coUnits,
        dueDate,
        unitsEverAssigned: addUnique(state.unitsEverAssigned, leadUnit, ...coUnits),
        pendingReassignment: undefined,
        coUnitOpinionsFrom: [],
      };
    }
    case 'ReassignmentRequested':
      return { ...state, status, lastOccurredAt, pendingReassignment: { unit: event.data.unit, reason: event.data.reason } };
    case 'ProposalClaimed':
      return { ...state, status, lastOccurredAt, claimedBy: event.data.leader };
    case 'CoUnitOpinionSent':
      return { ...state, status, lastOccurredAt, coUnitOpinionsFrom: addUnique(state.coUnitOpinionsFrom, event.data.unit) };
    case 'ProposalAnswered': {
      const { unit, category, publish, withholdReason } = event.data;
      const answer: AnswerSummary = { unit, category, publish, withholdReason, occurredAt: lastOccurredAt, dueDate: state.dueDate ?? '' };
      return { ...state, status, lastOccurredAt, answers: [...state.answers, answer], feedbackOpen: true, feedbackFrom: [] };
    }
    case 'FeedbackGiven':
      return { ...state, status, lastOccurredAt, feedbackFrom: addUnique(state.feedbackFrom, event.data.member) };
    case 'ProposalRenegotiated':
      // A new round of handling: co-units give their opinion again before the new answer.
      return { ...state, status, lastOccurredAt, dueDate: event.data.dueDate, feedbackOpen: false, coUnitOpinionsFrom: [] };
    case 'ProposalSupervised':
      return { ...state, status, lastOccurredAt, key: event.data.key };
    case 'AnswerPublished':
      return { ...state, status, lastOccurredAt, publishedAnswer: event.data.answerNumber };
    case 'ProposalEscalated':
      return { ...state, status, lastOccurredAt, escalatedFor: event.data.dueDate };
    default:
      return assertNever(event, 'proposal event');
  }
}

export const latestAnswer = (s: ProposalState): AnswerSummary | undefined => s.answers[s.answers.length - 1];
