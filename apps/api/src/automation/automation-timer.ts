import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ReminderScheduler } from '@app/command-handling';

/**
 * The reminder scheduler runs in the API only when the API runs the projections itself (the embedded default); when
 * they run apart, the projector runs it (apps/projector), so that exactly one process does — as the daily anchor.
 */
@Injectable()
export class AutomationTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ReminderScheduler) readonly reminders: ReminderScheduler,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.inProcessProjections) this.reminders.start();
  }

  /** Before the stores close: the run in hand stops after the proposal it is at. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.reminders.stop();
  }
}
