import type { Actor, Role } from '../actor.js';
import { businessDate } from '../business-time.js';
import { assertNever, Forbidden, IllegalTransition, NotFound } from '../errors.js';
import type { ProposalState } from '../proposal/state.js';
import { remindersDue, type ReminderPolicy } from './due.js';
import { reminderKey, type ReminderEvent, type ReminderKey, type RemindersState } from './events.js';

/** Only the service's scheduler asks for reminders; its command names the reminder, the rules say if it is due. */
export type ReminderCommand = { type: 'IssueReminder'; data: ReminderKey };
export type ReminderCommandType = ReminderCommand['type'];

export const REMINDER_STEPS: Readonly<Record<ReminderCommandType, { readonly roles: readonly Role[]; readonly step: string }>> = {
  IssueReminder: { roles: ['system'], step: 'sending a reminder' },
};

export function authorizeReminderCommand(type: ReminderCommandType, actor: Actor): void {
  const { roles, step } = REMINDER_STEPS[type];
  if (!roles.includes(actor.role)) throw new Forbidden(`${step} is for ${roles.join(' or ')}, not ${actor.role}`);
}

export interface ReminderContext {
  readonly actor: Actor;
  readonly occurredAt: string;
  readonly utcOffsetMinutes: number;
  readonly policy: ReminderPolicy;
  /** The proposal the reminder is about, as its stream stands (null when there is none). */
  readonly proposal: ProposalState | null;
}

/**
 * A reminder is sent once: asked again (a restart, a second scheduler, a rerun), nothing happens. It is sent only
 * while the proposal calls for it on the day of the step, to the recipients its state names then.
 */
export function decideReminder(cmd: ReminderCommand, state: RemindersState | null, ctx: ReminderContext): ReminderEvent[] {
  authorizeReminderCommand(cmd.type, ctx.actor);
  switch (cmd.type) {
    case 'IssueReminder': {
      const key = cmd.data;
      if (state?.issued.has(reminderKey(key))) return [];
      const p = ctx.proposal;
      if (!p) throw new NotFound(`no proposal ${key.proposalId}`, 'proposalId');
      const today = businessDate(ctx.occurredAt, ctx.utcOffsetMinutes);
      const due = remindersDue(p, today, ctx.utcOffsetMinutes, ctx.policy).find(
        (r) => r.kind === key.kind && r.threshold === key.threshold && r.dueDate === key.dueDate,
      );
      if (!due) throw new IllegalTransition(`no ${key.kind} reminder (${key.threshold}, ${key.dueDate}) is due for proposal ${p.id} on ${today}`);
      const { session, title, number } = p;
      const { kind, threshold, dueDate } = key;
      return [{ type: 'ReminderIssued', data: { proposalId: p.id, session, ...(number ? { number } : {}), title, kind, threshold, dueDate, recipients: due.recipients } }];
    }
    default:
      return assertNever(cmd.type, 'reminder command');
  }
}
