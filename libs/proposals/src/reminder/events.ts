import { assertNever } from '../errors.js';

/**
 * What a reminder is about (docs/domain.md, "Reminders and escalation"), with the label people read:
 * - `due-soon`: the lead unit's answer is due within `threshold` days (one of REMINDER_DAYS_BEFORE_DUE);
 * - `co-unit-opinion-awaited`: a co-unit still owes its opinion, at the same thresholds;
 * - `overdue`: the due date has passed without an answer;
 * - `feedback-awaited`: a proposer has not given feedback `threshold` days after the answer;
 * - `escalated`: overdue by `threshold` days (ESCALATE_AFTER_DAYS), flagged for supervision.
 */
export const REMINDER_KINDS = {
  'due-soon': '即将到期',
  'co-unit-opinion-awaited': '待会办意见',
  overdue: '已超期',
  'feedback-awaited': '待委员反馈',
  escalated: '超期督办',
} as const;
export type ReminderKind = keyof typeof REMINDER_KINDS;

/** Who a reminder is for: a unit (by code), a member (by id), or the office or the committee as a whole. */
export type ReminderRecipient =
  | { readonly role: 'unit'; readonly id: string }
  | { readonly role: 'member'; readonly id: string }
  | { readonly role: 'office' }
  | { readonly role: 'committee' };

/** The reminders stream of a jurisdiction (`reminders-<tenant>:main`): one event per reminder sent. */
export type ReminderEvent = {
  type: 'ReminderIssued';
  data: {
    proposalId: string;
    session: string;
    number?: string;
    title: string;
    kind: ReminderKind;
    /** Days before the due date (due-soon, co-unit opinion), after the answer (feedback) or past the due date (overdue, escalated). */
    threshold: number;
    /** The due date the reminder is about: the answer's (due-soon, overdue, escalated, co-unit opinion), or the feedback's. */
    dueDate: string;
    recipients: ReminderRecipient[];
  };
};
export type ReminderEventType = ReminderEvent['type'];

/** What makes a reminder the same one: a restart, a second scheduler or a rerun never sends it twice. */
export interface ReminderKey {
  readonly proposalId: string;
  readonly kind: ReminderKind;
  readonly threshold: number;
  readonly dueDate: string;
}

export const reminderKey = (k: ReminderKey): string => `${k.proposalId}/${k.kind}/${k.threshold}/${k.dueDate}`;

/** The reminders already sent in a jurisdiction, by key. */
export interface RemindersState {
  readonly issued: ReadonlySet<string>;
}

export const NO_REMINDERS: RemindersState = { issued: new Set() };

export function evolveReminders(state: RemindersState | null, event: ReminderEvent): RemindersState {
  const s = state ?? NO_REMINDERS;
  switch (event.type) {
    case 'ReminderIssued':
      return { issued: new Set(s.issued).add(reminderKey(event.data)) };
    default:
      return assertNever(event.type, 'reminder event');
  }
}
