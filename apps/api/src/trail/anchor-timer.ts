import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { anchorRecorderFor, type AnchorRecorder } from '@app/command-handling';
import { CLOCK, type Clock } from '@app/runtime';

/**
 * The daily anchor, recorded by the API only when it runs the projections itself (the embedded default); when they
 * run apart, the projector records it (apps/projector), so that exactly one process does.
 */
@Injectable()
export class AnchorTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Trail');
  recorder?: AnchorRecorder;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.inProcessProjections) return;
    this.recorder = anchorRecorderFor(this.config, this.store, 'api', this.logger, this.clock);
    this.recorder?.start();
  }

  /** Before the store closes: the run in hand finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recorder?.stop();
  }
}
