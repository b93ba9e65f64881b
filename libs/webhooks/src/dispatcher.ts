import type { EventFilter, EventStore, RecordedEvent, Subscription as LogSubscription } from '@app/event-store';
import { tenantPrefixes } from '@app/proposals';
import { Poster } from './delivery.js';
import { SIGNATURE_HEADER, signature } from './signature.js';
import { deliveryId, type Attempt, type Delivery, type DeliveryState, type Subscription, type WebhookStore } from './webhook-store.js';

export interface DeliverySettings {
  /** Attempts of one event before it is dead-lettered (WEBHOOK_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly timeoutMs: number;
  readonly allowPrivateTargets: boolean;
  /** Successful deliveries kept per subscription (WEBHOOK_DELIVERY_LOG_SIZE); older ones are pruned. */
  readonly deliveryLogSize: number;
}

export interface DispatcherLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DispatcherOptions {
  readonly store: EventStore;
  readonly webhooks: WebhookStore;
  readonly settings: DeliverySettings;
  readonly logger: DispatcherLogger;
  /** How often the subscriptions are read again for changes made by another process (ms). */
  readonly refreshMs?: number;
  readonly random?: () => number;
}

/** Whether a subscription wants this event: one of its types, or a type under one of its prefixes, or every event. */
export function wants(subscription: Pick<Subscription, 'types' | 'prefixes'>, type: string): boolean {
  if (subscription.types.length === 0 && subscription.prefixes.length === 0) return true;
  return subscription.types.includes(type) || subscription.prefixes.some((p) => type.startsWith(p));
}

/**
 * The delay before attempt `n + 1` after `n` failed: exponential from `retryBaseMs`, capped at `retryMaxMs`, with
 * jitter (between half and all of it) so that receivers coming back are not hit by every retry at once.
 */
export function backoffMs(failed: number, settings: Pick<DeliverySettings, 'retryBaseMs' | 'retryMaxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (failed - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The body of a delivery: the stored event as the feed gives it, with its id for de-duplication. */
export const deliveryBody = (e: RecordedEvent): string =>
  JSON.stringify({ id: e.id, type: e.type, stream: e.stream, revision: e.revision, position: e.position, created: e.created, data: e.data, metadata: e.metadata });

/**
 * Delivers the event log to the webhook subscriptions (docs/webhooks.md), in the one process that runs the
 * projections. Each subscription has a worker of its own, following the log from its own cursor: an event is POSTed,
 * and retried with backoff until the receiver answers 2xx, before the next one (per-subscription order; at least
 * once: a crash between the answer and the saved cursor sends it again, with the same event id). After
 * WEBHOOK_MAX_ATTEMPTS the event is dead-lettered and the worker stops until an operator asks for a retry. Workers
 * share nothing but the process: a slow or failing receiver holds only its own worker and its own connection.
 */
export class WebhookDispatcher {
  private readonly workers = new Map<string, Worker>();
  private timer?: NodeJS.Timeout;
  private refreshing: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly options: DispatcherOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.options.webhooks.ensure();
    await this.refresh();
    this.schedule();
  }

  /** Reads the subscriptions again and starts, updates or stops workers: after a change through the API, at once. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.reconcile()).catch((error: unknown) => this.options.logger.error(`reading the webhook subscriptions failed: ${String(error)}`));
    return this.refreshing;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.refreshing;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }

  /** The subscriptions with a worker now (for tests and status). */
  active(): string[] {
    return [...this.workers.keys()];
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), this.options.refreshMs ?? 1_000);
    this.timer.unref();
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const subscriptions = new Map((await this.options.webhooks.all()).map((s) => [s.id, s]));
    for (const [id, worker] of this.workers) {
      const current = subscriptions.get(id);
      if (!current || current.paused || current.url !== worker.subscription.url) {
        this.workers.delete(id);
        await worker.stop();
      }
    }
    for (const s of subscriptions.values()) {
      if (s.paused) continue;
      const worker = this.workers.get(s.id);
      if (worker) worker.update(s);
      else {
        const started = new Worker(s, this.options);
        this.workers.set(s.id, started);
        started.start();
      }
    }
  }
}

/** One subscription's delivery loop. */
class Worker {
  private readonly poster: Poster;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private log?: LogSubscription;
  private wake?: () => void;
  private state!: DeliveryState;
  private pending: Delivery[] = [];
  private lastSaved = 0;
  private saving: Promise<void> = Promise.resolve();
  private flushTimer?: NodeJS.Timeout;
  /** Successful deliveries saved since the log was last pruned; starts full, so that a worker prunes at its first save. */
  private sincePruned = Number.POSITIVE_INFINITY;

  constructor(
    public subscription: Subscription,
    private readonly options: DispatcherOptions,
  ) {
    this.poster = new Poster(subscription.url, { timeoutMs: options.settings.timeoutMs, allowPrivate: options.settings.allowPrivateTargets });
  }

  start(): void {
    this.done = this.run().catch((error: unknown) => this.options.logger.error(`webhook ${this.subscription.id} stopped: ${String(error)}`));
  }

  update(subscription: Subscription): void {
    this.subscription = subscription;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.log?.unsubscribe();
    await this.done;
    this.poster.close();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const s = this.subscription;
    this.state = (await this.options.webhooks.state(s.id)) ?? {
      id: s.id,
      tenant: s.tenant,
      position: s.startAfter,
      status: 'active',
      deadLetter: null,
      retryHandled: s.retryRequestedAt,
      delivered: 0,
      updatedAt: new Date().toISOString(),
    };
    while (!this.stopped) {
      if (this.state.status === 'dead') {
        const asked = this.subscription.retryRequestedAt;
        if (asked === null || asked === this.state.retryHandled) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        this.state = { ...this.state, status: 'active', deadLetter: null, retryHandled: asked };
        await this.save(true);
      }
      await this.follow();
    }
    await this.save(true);
  }

  /** Follows the log from the cursor until stopped or an event is dead-lettered. */
  private async follow(): Promise<void> {
    const s = this.subscription;
    const filter: EventFilter = {
      streamPrefixes: tenantPrefixes(s.tenant),
      ...(s.prefixes.length === 0 && s.types.length > 0 ? { eventTypes: s.types } : {}),
    };
    const log = this.options.store.subscribeToAll({ fromPosition: this.state.position, filter });
    this.log = log;
    try {
      for await (const e of log) {
        if (this.stopped) break;
        if (!wants(this.subscription, e.type)) {
          this.state = { ...this.state, position: e.position };
          await this.save(false);
          continue;
        }
        const delivered = await this.deliver(e);
        if (delivered === 'stopped') break;
        if (delivered === 'dead') {
          await this.save(true);
          this.options.logger.warn(`webhook ${s.id}: event ${e.id} (position ${e.position}) dead-lettered after ${this.options.settings.maxAttempts} attempts; POST /webhooks/${s.id}/retry to try again`);
          break;
        }
        await this.save(false);
      }
    } finally {
      await log.unsubscribe();
      this.log = undefined;
    }
  }

  private async deliver(e: RecordedEvent): Promise<'delivered' | 'dead' | 'stopped'> {
    const { settings } = this.options;
    const s = this.subscription;
    const body = deliveryBody(e);
    const id = deliveryId(s.id, e.position);
    const attempts: Attempt[] = [];
    const record = (status: Delivery['status']): Delivery => ({
      id,
      subscription: s.id,
      tenant: s.tenant,
      position: e.position,
      eventId: e.id,
      type: e.type,
      status,
      attempts: [...attempts],
      appendedAt: e.created,
      deliveredAt: status === 'delivered' ? attempts[attempts.length - 1].at : null,
    });
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
      const headers = {
        [SIGNATURE_HEADER]: signature(s.secret, Math.floor(Date.now() / 1000), body),
        'x-event-id': e.id,
        'x-event-type': e.type,
        'x-webhook-id': s.id,
        'x-delivery-attempt': String(attempt),
        'user-agent': 'cppcc-proposals-webhooks/1',
      };
      const outcome = await this.poster.post(body, headers, this.abort.signal);
      if (this.stopped) return 'stopped';
      attempts.push({ at: new Date().toISOString(), status: outcome.status, latencyMs: outcome.latencyMs, ...(outcome.error ? { error: outcome.error.slice(0, 200) } : {}) });
      if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
        this.pending.push(record('delivered'));
        this.state = { ...this.state, position: e.position, delivered: this.state.delivered + 1 };
        return 'delivered';
      }
      if (attempt === settings.maxAttempts) break;
      // The failed attempt is saved at once, so that GET /webhooks/:id/deliveries shows what is being retried.
      this.pending.push(record('retrying'));
      await this.save(true);
      await this.sleep(backoffMs(attempt, settings, this.options.random));
      if (this.stopped) return 'stopped';
    }
    this.pending.push(record('dead'));
    this.state = { ...this.state, status: 'dead', deadLetter: { position: e.position, eventId: e.id, type: e.type, at: new Date().toISOString() } };
    return 'dead';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Saves the cursor with the deliveries made since the last save. Successful deliveries are saved in groups (every
   * 100 ms or 100 deliveries), so that one receiver's stream of events is not one disk sync each; a crash before
   * the save delivers that group again (at least once).
   */
  private async save(now: boolean): Promise<void> {
    const due = now || this.pending.length >= 100 || Date.now() - this.lastSaved >= 100;
    if (!due) {
      // Caught up and waiting for the next event: what was delivered is saved shortly all the same.
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        void this.save(true).catch((error: unknown) => this.options.logger.error(`webhook ${this.subscription.id}: saving progress failed: ${String(error)}`));
      }, 100);
      return;
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const deliveries = this.pending;
    this.pending = [];
    this.lastSaved = Date.now();
    const state = { ...this.state, updatedAt: new Date().toISOString() };
    this.saving = this.saving.then(() => this.options.webhooks.progress(state, deliveries));
    this.sincePruned += deliveries.filter((d) => d.status === 'delivered').length;
    // The log keeps the newest deliveryLogSize successes: pruned once per tenth of it (at least 100), in batches.
    if (this.sincePruned >= Math.max(100, this.options.settings.deliveryLogSize / 10)) {
      this.sincePruned = 0;
      this.saving = this.saving.then(() => this.prune());
    }
    await this.saving;
  }

  private async prune(): Promise<void> {
    const keep = this.options.settings.deliveryLogSize;
    while (!this.stopped && (await this.options.webhooks.prune(this.subscription.id, keep)) > 0);
  }
}
