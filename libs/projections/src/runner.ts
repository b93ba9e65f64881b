import { EventEmitter } from 'node:events';
import type { EventStore, RecordedEvent, Subscription } from '@app/event-store';
import type { Generation, ReadStore } from '@app/read-store';
import { eventCodec, type EventCodec } from '@app/proposals';
import { BatchApplier, PROJECTED_STREAMS, ProjectionFailed } from './batch-applier.js';
import { projectedUpTo, projectionStatus, type ProjectionStatus, type RunnerHealth } from './projection-status.js';
import type { Projection } from './projection.js';
import { isTransientError } from './transient.js';

// Rebuild and its spec have always imported these from here.
export { BatchApplier, PROJECTED_STREAMS } from './batch-applier.js';

export interface RetryOptions {
  /** The pause after the first failure in a row; each further failure in a row doubles it. */
  readonly initialDelayMs?: number;
  /** The longest pause: a store down for an hour is tried again this often, not less. */
  readonly maxDelayMs?: number;
  /** The jitter's source, in [0, 1). */
  readonly random?: () => number;
}

export interface RunnerOptions {
  readonly batchSize?: number;
  readonly generation?: Generation;
  readonly codec?: EventCodec;
  readonly clock?: () => Date;
  readonly retry?: RetryOptions;
  /** Which failures are waited out (and retried); any other stops the runner. Default: `isTransientError`. */
  readonly isTransient?: (error: unknown) => boolean;
}

/** Emitted as `retry` before each pause. */
export interface RetryNotice {
  /** Failures in a row so far, this one included. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

const NOT_YET = Symbol('not yet');

/**
 * The pause after the `attempt`-th failure in a row: exponential, bounded, with "equal jitter" (between half and
 * all of the exponential step), so that processes failing together spread out and none hammers the store at once.
 */
export function retryDelay(attempt: number, options: RetryOptions = {}): number {
  const initial = options.initialDelayMs ?? 200;
  const max = options.maxDelayMs ?? 15_000;
  const step = Math.min(max, initial * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(step / 2 + (options.random ?? Math.random)() * (step / 2));
}

/**
 * Follows the event store from the projections' checkpoints and keeps the read models up to date, in batches:
 * whatever the subscription has ready (up to `batchSize`) goes into one transaction.
 *
 * A store that is busy or unreachable for a while (another process holding the SQLite lock, a lost connection, an
 * election) does not stop it: it drops the subscription, waits (bounded exponential backoff with jitter) and follows
 * again from the stored checkpoints, as often as it takes. Any other failure stops it for good: `stopped` is
 * emitted and `health()` says which projection, where, and why. Events: `checkpoint` (the lowest position reached),
 * `retry` (a RetryNotice), `recovered` (a batch went through after failures), `stopped` (the error).
 */
export class ProjectionRunner extends EventEmitter {
  private subscription?: Subscription;
  private loop?: Promise<void>;
  private stopping = false;
  private positions = new Map<string, number>();
  private readonly batchSize: number;
  private readonly generation: Generation;
  private readonly codec: EventCodec;
  private readonly clock: () => Date;
  private readonly retry: RetryOptions;
  private readonly isTransient: (error: unknown) => boolean;
  private failure?: { readonly error: unknown; readonly health: NonNullable<RunnerHealth['stopped']> };
  private retrying?: { attempts: number; since: Date; error: unknown };
  private interruptPause?: () => void;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    readonly projections: readonly Projection[],
    options: RunnerOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
    this.batchSize = options.batchSize ?? 500;
    this.clock = options.clock ?? (() => new Date());
    this.generation = options.generation ?? 'live';
    this.codec = options.codec ?? eventCodec;
    this.retry = options.retry ?? {};
    this.isTransient = options.isTransient ?? isTransientError;
  }

  async start(): Promise<void> {
    await this.readStore.ensure(this.projections.map((p) => p.collection));
    this.positions = await this.readStore.checkpoints(this.generation);
    this.loop = this.follow();
  }

  /** Follows the log; after a transient failure, pauses and follows again from the stored checkpoints. */
  private async follow(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.followOnce();
        return; // the subscription ended: unsubscribed, or the store closed
      } catch (error) {
        if (this.stopping) return;
        if (!this.isTransient(error)) {
          this.fail(error);
          return;
        }
        const attempt = (this.retrying?.attempts ?? 0) + 1;
        this.retrying = { attempts: attempt, since: this.retrying?.since ?? new Date(), error };
        const delayMs = retryDelay(attempt, this.retry);
        this.emit('retry', { attempt, delayMs, error } satisfies RetryNotice);
        await this.pause(delayMs);
      }
    }
  }

  private async followOnce(): Promise<void> {
    // The stored checkpoints, not what this runner last saw: a rebuild or another process may have moved them.
    this.positions = await this.readStore.checkpoints(this.generation);
    this.emit('checkpoint', this.position());
    const from = Math.min(...this.projections.map((p) => this.positions.get(p.name) ?? 0));
    const applier = new BatchApplier(this.store, this.readStore, this.projections, this.generation, this.codec, from);
    if (this.stopping) return;
    const subscription = this.store.subscribeToAll({ fromPosition: from, filter: PROJECTED_STREAMS });
    this.subscription = subscription;
    try {
      await this.run(subscription, applier);
    } finally {
      // Dropped before a retry subscribes anew; stop() unsubscribes it itself.
      if (!this.stopping) await subscription.unsubscribe().catch(() => undefined);
    }
  }

  private async run(subscription: Subscription, applier: BatchApplier): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    try {
      while (!this.stopping) {
        const first = await (pending ?? iterator.next());
        pending = undefined;
        if (first.done) return;
        const batch = [first.value];
        // Take what is ready now; do not wait for more.
        while (batch.length < this.batchSize) {
          pending = iterator.next();
          const next = await Promise.race([pending, new Promise<typeof NOT_YET>((r) => setImmediate(r, NOT_YET))]);
          if (next === NOT_YET) break;
          pending = undefined;
          if (next.done) break;
          batch.push(next.value);
        }
        this.positions = await applier.apply(batch);
        if (this.retrying) {
          const { attempts } = this.retrying;
          this.retrying = undefined;
          this.emit('recovered', { attempts });
        }
        this.emit('checkpoint', this.position());
      }
    } finally {
      // A read still under way when a batch failed must not surface later as an unhandled rejection.
      pending?.catch(() => undefined);
    }
  }

  private fail(error: unknown): void {
    const named = error instanceof ProjectionFailed;
    this.failure = {
      error,
      health: {
        projections: named ? [error.projection] : this.projections.map((p) => p.name),
        position: named ? error.position : this.position(),
        error: String(named ? error.cause : error),
      },
    };
    this.emit('stopped', error);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interruptPause = done;
    });
  }

  /** Stopped on a failure that retrying would not cure. */
  failed(): boolean {
    return this.failure !== undefined;
  }

  /** Whether it stopped (on what) or is waiting out a transient failure. */
  health(): RunnerHealth {
    if (this.failure) return { stopped: this.failure.health };
    if (this.retrying) {
      const { attempts, since, error } = this.retrying;
      return { retrying: { attempts, since: since.toISOString(), error: String(error) } };
    }
    return {};
  }

  /** Each projection's checkpoint as this runner last stored (or read) it. */
  checkpoints(): ReadonlyMap<string, number> {
    return new Map(this.positions);
  }

  /** The lowest checkpoint of all projections: every read model has every event up to here. */
  position(): number {
    return Math.min(...this.projections.map((p) => this.positions.get(p.name) ?? 0));
  }

  /**
   * Resolves true once every projection has every event up to `position` (`projectedUpTo`: a position past the last
   * projected event counts once the log holds it), false after `timeoutMs` or if it stops.
   */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (await projectedUpTo(this.store, this.position(), position)) return true;
    if (this.failure) return false;
    return new Promise((resolve) => {
      const done = (reached: boolean) => {
        clearTimeout(timer);
        this.off('checkpoint', check);
        this.off('stopped', gaveUp);
        resolve(reached);
      };
      const check = (at: number) =>
        void projectedUpTo(this.store, at, position).then(
          (reached) => reached && done(true),
          () => undefined, // the next checkpoint asks again; the timer ends the wait
        );
      const gaveUp = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('checkpoint', check);
      this.on('stopped', gaveUp);
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    return projectionStatus(this.store, await this.readStore.checkpoints(), this.projections, this.clock);
  }

  /** Finishes the batch in hand, stores its checkpoint, and stops (a pause between retries ends at once). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.interruptPause?.();
    await this.subscription?.unsubscribe();
    await this.loop;
  }
}
