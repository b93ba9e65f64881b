import {
  businessDate,
  DomainError,
  endOfBusinessDay,
  escalationDue,
  proposalStream,
  remindersDue,
  remindersStream,
  SYSTEM_ROLE,
  type Actor,
  type ReminderPolicy,
} from '@app/proposals';
import type { ProposalCommandHandler, ReminderCommandHandler } from './command-handlers.js';
import type { CommandProcessor } from './command-processor.js';

/** The actor of every reminder and escalation: the service itself. */
export const SCHEDULER_ACTOR: Actor = { id: 'reminder-scheduler', role: SYSTEM_ROLE, name: '提醒服务' };

const DAY_MS = 86_400_000;

export interface SchedulerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ReminderSchedulerOptions {
  readonly processor: CommandProcessor;
  readonly handlers: { readonly proposals: ProposalCommandHandler; readonly reminders: ReminderCommandHandler };
  /** The proposals something waits on, in every jurisdiction (the to-do read model): the only ones a reminder can be about. */
  readonly candidates: () => Promise<readonly { readonly tenant: string; readonly proposalId: string }[]>;
  readonly policy: ReminderPolicy;
  /** REMINDER_SCHEDULE: the times of day it runs, in minutes after midnight, business time. */
  readonly times: readonly number[];
  readonly utcOffsetMinutes: number;
  readonly logger: SchedulerLogger;
  readonly clock?: () => Date;
}

export interface ReminderRun {
  readonly date: string;
  readonly proposals: number;
  /** Reminders appended by this run (not those already sent). */
  readonly issued: number;
  readonly escalated: number;
}

/** The first run time after `now`: today's next time of the schedule, or the first one tomorrow. */
export function nextRunAt(times: readonly number[], now: Date, utcOffsetMinutes: number): Date {
  const today = businessDate(now, utcOffsetMinutes);
  const midnight = endOfBusinessDay(today, utcOffsetMinutes) - DAY_MS;
  const candidates = [...times.map((t) => midnight + t * 60_000), ...times.map((t) => midnight + DAY_MS + t * 60_000)];
  return new Date(Math.min(...candidates.filter((at) => at > now.getTime())));
}

/** Whether a run time of the schedule has passed earlier today (business time): then a start catches up at once. */
export function ranEarlierToday(times: readonly number[], now: Date, utcOffsetMinutes: number): boolean {
  const midnight = endOfBusinessDay(businessDate(now, utcOffsetMinutes), utcOffsetMinutes) - DAY_MS;
  return times.some((t) => midnight + t * 60_000 <= now.getTime());
}

/**
 * Sends the reminders the open proposals call for and escalates those overdue long enough (docs/domain.md,
 * "Reminders and escalation"), at the configured times of day, in the one process that runs the projections (the
 * API in the embedded default, the projector when they run apart). Every reminder and escalation is idempotent
 * (its command names it, its event id follows from that): a restart, a second scheduler or a rerun sends nothing
 * twice. On start it runs at once if a run time has passed today (catching up after downtime), then at each time.
 */
export class ReminderScheduler {
  private timer?: NodeJS.Timeout;
  private current: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly clock: () => Date;

  constructor(private readonly options: ReminderSchedulerOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    const { times, utcOffsetMinutes } = this.options;
    if (times.length === 0) return;
    if (ranEarlierToday(times, this.clock(), utcOffsetMinutes)) this.current = this.runAndSchedule();
    else this.schedule();
  }

  /** Resolves when the run in hand (if any) is over: for tests and shutdown. */
  async idle(): Promise<void> {
    await this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const now = this.clock();
    const delay = nextRunAt(this.options.times, now, this.options.utcOffsetMinutes).getTime() - now.getTime();
    this.timer = setTimeout(() => {
      this.current = this.runAndSchedule();
    }, Math.max(0, delay));
    // A pending run never keeps a process alive that is otherwise done.
    this.timer.unref();
  }

  private async runAndSchedule(): Promise<void> {
    try {
      const run = await this.run();
      if (run.issued + run.escalated > 0)
        this.options.logger.log(`reminders of ${run.date}: ${run.issued} sent, ${run.escalated} proposals escalated (${run.proposals} looked at)`);
    } catch (error) {
      this.options.logger.error(`sending reminders failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.schedule();
    }
  }

  /** Looks at every proposal something waits on, now, and sends what is due. */
  async run(): Promise<ReminderRun> {
    const { processor, handlers, policy, utcOffsetMinutes, logger } = this.options;
    const date = businessDate(this.clock(), utcOffsetMinutes);
    const candidates = await this.options.candidates();
    let issued = 0;
    let escalated = 0;
    for (const { tenant, proposalId } of candidates) {
      if (this.stopped) break;
      try {
        const folded = await processor.proposals.load(proposalStream(tenant, proposalId), { fresh: true });
        const state = folded.state;
        if (state === null) continue;
        const escalation = escalationDue(state, date, policy);
        if (escalation) {
          const { dueDate } = escalation;
          const result = await handlers.proposals.handle(proposalId, {
            tenant,
            caller: SCHEDULER_ACTOR,
            command: { type: 'EscalateProposal', data: { dueDate, afterDays: policy.escalateAfterDays } },
            idempotencyKey: `escalate/${proposalId}/${dueDate}`,
          });
          if (result.position > folded.position) escalated += 1;
        }
        for (const due of remindersDue(state, date, utcOffsetMinutes, policy)) {
          const key = { proposalId, kind: due.kind, threshold: due.threshold, dueDate: due.dueDate };
          const before = await handlers.reminders.reminders.load(remindersStream(tenant));
          const result = await handlers.reminders.handle({
            tenant,
            caller: SCHEDULER_ACTOR,
            command: { type: 'IssueReminder', data: key },
            idempotencyKey: `remind/${proposalId}/${due.kind}/${due.threshold}/${due.dueDate}`,
          });
          if (result.position > before.position) issued += 1;
        }
      } catch (error) {
        // The proposal moved on between the look and the step (answered, reassigned): nothing is due any more.
        if (error instanceof DomainError) continue;
        logger.warn(`reminders for proposal ${proposalId} (${tenant}) failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { date, proposals: candidates.length, issued, escalated };
  }
}
