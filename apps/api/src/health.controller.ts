import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { Public } from './http/auth.js';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Answers once the app is started and its event store reachable. */
  @Public()
  @Get()
  async health() {
    return { status: 'ok', eventStore: this.config.eventStore, headPosition: await this.store.headPosition() };
  }
}
