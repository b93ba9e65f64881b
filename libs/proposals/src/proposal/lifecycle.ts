import { businessDate } from '../business-time.js';
import { assertNever } from '../errors.js';
import { feedbackReopens, type ProposalEvent } from './events.js';

export type ProposalStatus = 'filed' | 'withdrawn' | 'registered' | 'declined' | 'assigned' | 'answered' | 'reopened';

/**
 * The one status machine of a proposal (docs/domain.md, lifecycle): the status after an event, given the status
 * before it. The decider's state and every read model take their status from here.
 */
export function statusAfter(status: ProposalStatus | null, event: ProposalEvent): ProposalStatus {
  if (status === null && event.type !== 'ProposalFiled') throw new TypeError(`${event.type} before ProposalFiled`);
  const unchanged = status as ProposalStatus;
  switch (event.type) {
    case 'ProposalFiled':
      return 'filed';
    case 'ProposalWithdrawn':
      return 'withdrawn';
    case 'ProposalRegistered':
      return 'registered';
    case 'ProposalDeclined':
      return 'declined';
    case 'ProposalAssigned':
    case 'ProposalReassigned':
      return 'assigned';
    case 'ProposalAnswered':
      return 'answered';
    case 'FeedbackGiven':
      return feedbackReopens(event.data) ? 'reopened' : unchanged;
    case 'ProposalRenegotiated':
      return 'reopened';
    case 'CoProposerConfirmed':
    case 'ReassignmentRequested':
    case 'ProposalClaimed':
    case 'ProposalVisited':
    case 'CoUnitOpinionSent':
    case 'ProposalFollowedUp':
    case 'ProposalSupervised':
    case 'AnswerPublished':
    case 'ProposalEscalated':
      return unchanged;
    default:
      return assertNever(event, 'proposal event');
  }
}

/** Whether handling is under way: units work on the proposal and its due date runs (supervision's overdue lists). */
export const isOpen = (status: ProposalStatus): boolean => status === 'assigned' || status === 'reopened';

/**
 * On time (限时办结): an answer that happened, in business time, on or before the due date in force when it was
 * given. An answer on the due date itself is on time; one at 23:30 on the due date in UTC is already the next day
 * at +08:00, and late.
 */
export const answeredOnTime = (answeredAt: string, dueDate: string, utcOffsetMinutes: number): boolean =>
  businessDate(answeredAt, utcOffsetMinutes) <= dueDate;
