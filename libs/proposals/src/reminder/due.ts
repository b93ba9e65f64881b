import { addDays, businessDate, daysBetween } from '../business-time.js';
import { isOpen } from '../proposal/lifecycle.js';
import { latestAnswer, type ProposalState } from '../proposal/state.js';
import type { ReminderKind, ReminderRecipient } from './events.js';

/** When reminders fall due (REMINDER_DAYS_BEFORE_DUE, FEEDBACK_REMINDER_DAYS, ESCALATE_AFTER_DAYS). */
export interface ReminderPolicy {
  /** Days before the due date at which the lead unit (and co-units owing their opinion) are reminded: 14, 7, 3, 1. */
  readonly daysBeforeDue: readonly number[];
  /** Days after an answer at which proposers who have not given feedback are reminded. */
  readonly feedbackAfterDays: number;
  /** Days past the due date at which an open proposal is escalated for supervision. */
  readonly escalateAfterDays: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = { daysBeforeDue: [14, 7, 3, 1], feedbackAfterDays: 14, escalateAfterDays: 7 };

export interface DueReminder {
  readonly kind: ReminderKind;
  readonly threshold: number;
  readonly dueDate: string;
  readonly recipients: ReminderRecipient[];
}

const units = (codes: readonly string[]): ReminderRecipient[] => codes.map((id) => ({ role: 'unit', id }));

/**
 * The reminders one proposal calls for on a business day, from its state alone. Each is one of a series keyed by
 * its due date, so a re-negotiated or reassigned due date starts a new series. Before the due date, only the
 * tightest threshold reached is due (assigned 10 days before the due date: the 14-day reminder, then the 7-day one;
 * a scheduler down for a week does not send the missed ones in a burst). Past it: `overdue` from the first day,
 * `escalated` once `escalateAfterDays` have passed.
 */
export function remindersDue(p: ProposalState, today: string, utcOffsetMinutes: number, policy: ReminderPolicy): DueReminder[] {
  const due: DueReminder[] = [];
  const owing = p.coUnits.filter((u) => !p.coUnitOpinionsFrom.includes(u));
  if (isOpen(p.status) && p.dueDate !== undefined && p.leadUnit !== undefined) {
    const { dueDate } = p;
    const left = daysBetween(today, dueDate);
    if (left >= 0) {
      const reached = policy.daysBeforeDue.filter((d) => left <= d);
      if (reached.length > 0) {
        const threshold = Math.min(...reached);
        due.push({ kind: 'due-soon', threshold, dueDate, recipients: units([p.leadUnit]) });
        if (owing.length > 0) due.push({ kind: 'co-unit-opinion-awaited', threshold, dueDate, recipients: units(owing) });
      }
    } else {
      due.push({ kind: 'overdue', threshold: 1, dueDate, recipients: [...units([p.leadUnit, ...owing]), { role: 'office' }] });
      if (-left >= policy.escalateAfterDays)
        due.push({ kind: 'escalated', threshold: policy.escalateAfterDays, dueDate, recipients: [{ role: 'office' }, { role: 'committee' }] });
    }
  }
  const answer = latestAnswer(p);
  if (p.status === 'answered' && p.feedbackOpen && answer) {
    const feedbackDue = addDays(businessDate(answer.occurredAt, utcOffsetMinutes), policy.feedbackAfterDays);
    const waiting = p.proposers.filter((m) => !p.feedbackFrom.includes(m.id));
    if (today >= feedbackDue && waiting.length > 0)
      due.push({ kind: 'feedback-awaited', threshold: policy.feedbackAfterDays, dueDate: feedbackDue, recipients: waiting.map((m) => ({ role: 'member', id: m.id })) });
  }
  return due;
}

/** Whether the proposal is overdue long enough to be escalated, and has not been for this due date. */
export function escalationDue(p: ProposalState, today: string, policy: ReminderPolicy): { readonly dueDate: string } | undefined {
  if (!isOpen(p.status) || p.dueDate === undefined || p.escalatedFor === p.dueDate) return undefined;
  return daysBetween(p.dueDate, today) >= policy.escalateAfterDays ? { dueDate: p.dueDate } : undefined;
}
