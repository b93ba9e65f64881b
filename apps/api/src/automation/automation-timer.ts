import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ReminderScheduler } from '@app/command-handling';
import { Webhooks } from '@app/runtime';

/**
 * The reminder scheduler and the webhooks' dispatcher run in the API only when the API runs the projections itself
 * (the embedded default); when they run apart, the projector runs them (apps/projector), so that exactly one process
 * does — as the daily anchor.
 */
@Injectable()
export class AutomationTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ReminderScheduler) readonly reminders: ReminderScheduler,
    @Inject(Webhooks) readonly webhooks: Webhooks,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.inProcessProjections) return;
    this.reminders.start();
    await this.webhooks.startDelivering();
  }

  /** Before the stores close: the reminders' run stops after the proposal it is at, each delivery saves its cursor. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.reminders.stop();
    await this.webhooks.stopDelivering();
  }
}
