import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { MongoReadStore, SqliteReadStore, type ReadStore } from '@app/read-store';
import { WebhookDispatcher, WebhookStore, WebhookSubscriptions } from '@app/webhooks';
import { CLOCK, type Clock } from './tokens.js';

/**
 * Where webhook subscriptions and their delivery state live: not in the read models' store, which is derived and
 * may be rebuilt or thrown away, but a store of their own — `webhooks.sqlite` in DATA_DIR (synced at every commit:
 * a subscription acknowledged survives a power cut), or the `webhook_*` collections of the MongoDB database.
 */
export function openWebhookStore(config: AppConfig): ReadStore {
  switch (config.readStore) {
    case 'sqlite':
      return new SqliteReadStore({ path: join(config.dataDir, 'webhooks.sqlite'), synchronous: 'full' });
    case 'mongodb':
      return MongoReadStore.fromUrl(config.mongodbUrl as string);
  }
}

/**
 * Webhooks (docs/webhooks.md): the subscriptions' rules for the API, and the dispatcher, which only the process
 * that runs the projections starts (apps/api's AutomationTimer in the embedded default, apps/projector when they
 * run apart), so that one process delivers.
 */
@Injectable()
export class Webhooks implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store: WebhookStore;
  readonly dispatcher: WebhookDispatcher;
  readonly subscriptions: WebhookSubscriptions;
  private dispatching = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(EVENT_STORE) events: EventStore, @Inject(CLOCK) clock: Clock) {
    this.store = new WebhookStore(openWebhookStore(config));
    this.dispatcher = new WebhookDispatcher({ store: events, webhooks: this.store, settings: config.webhooks, logger: new Logger('Webhooks') });
    // A change made through this process reaches its own dispatcher at once; another process's, at its next look.
    this.subscriptions = new WebhookSubscriptions(this.store, events, {
      allowPrivateTargets: config.webhooks.allowPrivateTargets,
      clock,
      changed: () => void (this.dispatching && this.dispatcher.refresh()),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.store.ensure();
  }

  async startDelivering(): Promise<void> {
    this.dispatching = true;
    await this.dispatcher.start();
  }

  /** Before the event store closes: each worker finishes or abandons its attempt, and saves its cursor. */
  async stopDelivering(): Promise<void> {
    this.dispatching = false;
    await this.dispatcher.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

export const WEBHOOK_PROVIDERS: Provider[] = [Webhooks];
