import { Logger, type Provider } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import {
  CommandProcessor,
  ProposalCommandHandler,
  REMINDER_POLICY,
  ReminderCommandHandler,
  ReminderScheduler,
} from '@app/command-handling';
import { waitingProposals } from '@app/projections';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { CLOCK, type Clock } from './tokens.js';
import { Webhooks } from './webhooks.js';

/**
 * What the service does by itself (docs/domain.md, "Reminders and escalation"; docs/webhooks.md): the reminders'
 * command handler and the scheduler, and the webhooks' dispatcher, built here and started only by the process that runs the projections (apps/api's
 * AutomationTimer in the embedded default, apps/projector when they run apart), so that exactly one does.
 */
export function automationProviders(config: AppConfig): Provider[] {
  return [
    { provide: REMINDER_POLICY, useValue: config.reminders.policy },
    ReminderCommandHandler,
    {
      provide: ReminderScheduler,
      inject: [CommandProcessor, ProposalCommandHandler, ReminderCommandHandler, READ_STORE, CLOCK],
      useFactory: (processor: CommandProcessor, proposals: ProposalCommandHandler, reminders: ReminderCommandHandler, readStore: ReadStore, clock: Clock) =>
        new ReminderScheduler({
          processor,
          handlers: { proposals, reminders },
          candidates: () => waitingProposals(readStore),
          policy: config.reminders.policy,
          times: config.reminders.times,
          utcOffsetMinutes: config.utcOffsetMinutes,
          logger: new Logger('Reminders'),
          clock,
        }),
    },
    Webhooks,
  ];
}

/** What automationProviders makes that the apps use. */
export const AUTOMATION_EXPORTS = [ReminderScheduler, ReminderCommandHandler, Webhooks];
