import { EventEmitter } from 'node:events';
import { pagesOf, type EventFilter, type EventStore, type RecordedEvent, type Subscription } from '@app/event-store';
import { CheckpointMoved, type Doc, type DocWrite, type Generation, type ReadStore } from '@app/read-store';
import { eventCodec, type EventCodec } from '@app/proposals';
import { toProjected, type Projection } from './projection.js';

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly headPosition: number;
  /** Events in the log after the checkpoint (counted up to 10,000). */
  readonly eventsBehind: number;
  /** How long the oldest event not yet projected has been waiting, 0 when caught up. */
  readonly secondsBehind: number;
}

export interface RunnerOptions {
  readonly batchSize?: number;
  readonly generation?: Generation;
  readonly codec?: EventCodec;
  readonly clock?: () => Date;
}

/** Every stream the projections read: proposals and sessions of every jurisdiction. */
export const PROJECTED_STREAMS: EventFilter = { streamPrefixes: ['proposal-', 'session-'] };

const NOT_YET = Symbol('not yet');

/**
 * Applies a batch of events to the projections: documents changed in memory, then written together with every
 * projection's new checkpoint in one read-store transaction. The stored checkpoints are the truth: each batch
 * re-reads them and skips what a projection already has, so a batch applies exactly once even when a rebuild
 * swapped the collections or another process moved a checkpoint meanwhile (its commit is then refused and redone).
 */
export class BatchApplier {
  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly generation: Generation,
    private readonly codec: EventCodec,
    /** Everything up to here was handed to this applier before (or is where its subscription started). */
    private consumedUpTo = 0,
  ) {}

  async apply(events: readonly RecordedEvent[]): Promise<Map<string, number>> {
    for (;;) {
      const checkpoints = await this.readStore.checkpoints(this.generation);
      const lowest = Math.min(...this.projections.map((p) => checkpoints.get(p.name) ?? 0));
      try {
        // Lower than what was already consumed: a rebuild swapped in collections built to an earlier position.
        const batch = lowest < this.consumedUpTo ? await this.withGap(events, lowest) : events;
        const reached = await this.applyFrom(batch, checkpoints);
        this.consumedUpTo = Math.max(this.consumedUpTo, events[events.length - 1].position);
        return reached;
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
      }
    }
  }

  /** The events between the stored checkpoint and this batch, read again from the log, then the batch. */
  private async withGap(events: readonly RecordedEvent[], from: number): Promise<readonly RecordedEvent[]> {
    const gap: RecordedEvent[] = [];
    for await (const page of pagesOf(this.store, { fromPosition: from, maxCount: 1_000, filter: PROJECTED_STREAMS })) {
      const before = page.filter((e) => e.position < events[0].position);
      gap.push(...before);
      if (before.length < page.length) break;
    }
    return [...gap, ...events];
  }

  private async applyFrom(events: readonly RecordedEvent[], checkpoints: Map<string, number>): Promise<Map<string, number>> {
    const last = events[events.length - 1].position;
    const projected = events.map((e) => toProjected(this.codec, e));
    const writes: DocWrite[] = [];
    const moved: Record<string, { from: number | null; to: number }> = {};
    for (const projection of this.projections) {
      const from = checkpoints.get(projection.name) ?? null;
      if (from !== null && from >= last) continue;
      const keys = new Set<string>();
      for (const e of projected) if (e && e.position > (from ?? 0)) {
        const key = projection.keyOf(e);
        if (key !== undefined) keys.add(key);
      }
      const stored = projection.appendOnly ? new Map<string, Doc>() : await this.readStore.getMany(projection.collection.name, [...keys], this.generation);
      const docs = new Map<string, Doc | null>(stored);
      const changed = new Set<string>();
      for (const e of projected) {
        if (!e || e.position <= (from ?? 0)) continue;
        const key = projection.keyOf(e);
        if (key === undefined) continue;
        docs.set(key, projection.evolve(docs.get(key) ?? null, e));
        changed.add(key);
      }
      for (const key of changed)
        writes.push({ collection: projection.collection.name, id: key, doc: docs.get(key) ?? null, previous: stored.get(key) ?? null });
      moved[projection.name] = { from, to: last };
    }
    if (Object.keys(moved).length > 0) await this.readStore.commit({ writes, checkpoints: moved }, this.generation);
    return new Map(this.projections.map((p) => [p.name, Math.max(checkpoints.get(p.name) ?? 0, last)]));
  }
}

/**
 * Follows the event store from the projections' checkpoints and keeps the read models up to date, in batches:
 * whatever the subscription has ready (up to `batchSize`) goes into one transaction.
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
  private failure?: unknown;

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
  }

  async start(): Promise<void> {
    await this.readStore.ensure(this.projections.map((p) => p.collection));
    this.positions = await this.readStore.checkpoints();
    const from = Math.min(...this.projections.map((p) => this.positions.get(p.name) ?? 0));
    const applier = new BatchApplier(this.store, this.readStore, this.projections, this.generation, this.codec, from);
    this.subscription = this.store.subscribeToAll({ fromPosition: from, filter: PROJECTED_STREAMS });
    this.loop = this.run(this.subscription, applier).catch((error: unknown) => {
      this.failure = error;
      this.emit('error', error);
    });
  }

  private async run(subscription: Subscription, applier: BatchApplier): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
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
      this.emit('checkpoint', this.position());
    }
  }

  failed(): boolean {
    return this.failure !== undefined;
  }

  /** The lowest checkpoint of all projections: every read model has every event up to here. */
  position(): number {
    return Math.min(...this.projections.map((p) => this.positions.get(p.name) ?? 0));
  }

  /** Resolves true once every projection has reached `position`, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.position() >= position) return Promise.resolve(true);
    if (this.failure) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (reached: boolean) => {
        clearTimeout(timer);
        this.off('checkpoint', check);
        resolve(reached);
      };
      const check = (at: number) => at >= position && done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('checkpoint', check);
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    return projectionStatus(this.store, await this.readStore.checkpoints(), this.projections, this.clock);
  }

  /** Finishes the batch in hand, stores its checkpoint, and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.unsubscribe();
    await this.loop;
  }
}

export async function projectionStatus(
  store: EventStore,
  checkpoints: Map<string, number>,
  projections: readonly Projection[],
  clock: () => Date = () => new Date(),
): Promise<ProjectionStatus[]> {
  const headPosition = await store.headPosition();
  return Promise.all(
    projections.map(async (p) => {
      const position = checkpoints.get(p.name) ?? 0;
      if (position >= headPosition) return { name: p.name, position, headPosition, eventsBehind: 0, secondsBehind: 0 };
      const behind = await store.readAll({ fromPosition: position, maxCount: 10_000, filter: PROJECTED_STREAMS });
      const waiting = behind.length ? (clock().getTime() - Date.parse(behind[0].created)) / 1000 : 0;
      return { name: p.name, position, headPosition, eventsBehind: behind.length, secondsBehind: Math.max(0, Math.round(waiting)) };
    }),
  );
}
