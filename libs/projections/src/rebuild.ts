import { pagesOf, type EventStore, type RecordedEvent } from '@app/event-store';
import type { Doc, DocWrite, ReadStore } from '@app/read-store';
import { eventCodec, type EventCodec } from '@app/proposals';
import { toProjected, type ProjectedEvent, type Projection } from './projection.js';
import { BatchApplier, PROJECTED_STREAMS } from './runner.js';

export interface RebuildProgress {
  readonly events: number;
  readonly position: number;
  readonly headPosition: number;
}

export interface RebuildResult {
  readonly events: number;
  readonly seconds: number;
  readonly position: number;
}

export interface RebuildOptions {
  readonly pageSize?: number;
  /** Documents kept in memory while rebuilding; the least recently changed are written out beyond it. */
  readonly cachedDocuments?: number;
  readonly codec?: EventCodec;
  readonly onProgress?: (p: RebuildProgress) => void;
}

/**
 * Folds the log into the rebuild collections, keeping the documents being changed in memory and writing each out
 * when it has not changed for a while (or at the end): a proposal's document is written about once, not once per
 * event. Nothing reads the rebuild collections before the swap, so only the final state must be complete.
 */
class RebuildApplier {
  private readonly cache = new Map<Projection, Map<string, Doc>>();
  /** Keys written out of the cache: they exist in the store and are read back if they change again. */
  private readonly evicted = new Map<Projection, Set<string>>();
  private pending: DocWrite[] = [];
  /** Documents written per read-store transaction. */
  private readonly batchWrites = 2_000;

  constructor(
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly codec: EventCodec,
    private readonly capacity: number,
  ) {
    for (const p of projections) {
      this.cache.set(p, new Map());
      this.evicted.set(p, new Set());
    }
  }

  async apply(page: readonly RecordedEvent[]): Promise<void> {
    const events: ProjectedEvent[] = [];
    for (const recorded of page) {
      const e = toProjected(this.codec, recorded);
      if (e) events.push(e);
    }
    // Each event's key, asked once per projection (keyOf is the projection's own code, not free).
    const keys = new Array<string | undefined>(events.length);
    for (const projection of this.projections) {
      const collection = projection.collection.name;
      for (let i = 0; i < events.length; i++) keys[i] = projection.keyOf(events[i]);
      if (projection.appendOnly) {
        for (let i = 0; i < events.length; i++) {
          const key = keys[i];
          if (key === undefined) continue;
          const doc = projection.evolve(null, events[i]);
          if (doc) this.pending.push({ collection, id: key, doc, previous: null });
        }
        continue;
      }
      const cache = this.cache.get(projection) as Map<string, Doc>;
      const evicted = this.evicted.get(projection) as Set<string>;
      const missing = new Set<string>();
      for (const key of keys) if (key !== undefined && !cache.has(key) && evicted.has(key)) missing.add(key);
      if (missing.size > 0) for (const [key, doc] of await this.readStore.getMany(collection, [...missing], 'rebuild')) cache.set(key, doc);
      for (let i = 0; i < events.length; i++) {
        const key = keys[i];
        if (key === undefined) continue;
        const doc = projection.evolve(cache.get(key) ?? null, events[i]);
        cache.delete(key);
        if (doc) cache.set(key, doc);
      }
      while (cache.size > this.capacity) {
        const [key, doc] = cache.entries().next().value as [string, Doc];
        cache.delete(key);
        this.pending.push({ collection, id: key, doc, ...(evicted.has(key) ? {} : { previous: null }) });
        evicted.add(key);
      }
    }
    if (this.pending.length >= this.batchWrites) await this.flush({});
  }

  private async flush(checkpoints: Record<string, { from: number | null; to: number }>): Promise<void> {
    const writes = this.pending;
    this.pending = [];
    await this.readStore.commit({ writes, checkpoints }, 'rebuild');
  }

  /** Writes out everything still in memory, with every projection's checkpoint at `position`. */
  async finish(position: number): Promise<void> {
    for (const projection of this.projections) {
      const evicted = this.evicted.get(projection) as Set<string>;
      for (const [key, doc] of this.cache.get(projection) as Map<string, Doc>)
        this.pending.push({ collection: projection.collection.name, id: key, doc, ...(evicted.has(key) ? {} : { previous: null }) });
      this.cache.get(projection)?.clear();
    }
    await this.flush(Object.fromEntries(this.projections.map((p) => [p.name, { from: null, to: position }])));
  }
}

/**
 * Rebuilds every read model from the start of the log into fresh collections while the live ones keep serving,
 * then swaps them in, and brings the swapped-in models up to the head: events appended after the last page it read
 * are applied to them then. A live runner working meanwhile is safe: every batch compare-and-sets its checkpoint,
 * so each event is applied once, by whichever gets there first.
 */
export async function rebuildReadModels(
  store: EventStore,
  readStore: ReadStore,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const pageSize = options.pageSize ?? 2_000;
  const codec = options.codec ?? eventCodec;
  const started = performance.now();
  const collections = projections.map((p) => p.collection);
  await readStore.beginRebuild(collections);
  const applier = new RebuildApplier(readStore, projections, codec, options.cachedDocuments ?? 2_000);
  let position = 0;
  let events = 0;
  let headPosition = await store.headPosition();
  for await (const page of pagesOf(store, { maxCount: pageSize, filter: PROJECTED_STREAMS })) {
    await applier.apply(page);
    position = page[page.length - 1].position;
    events += page.length;
    if (position > headPosition) headPosition = await store.headPosition();
    options.onProgress?.({ events, position, headPosition });
  }
  await applier.finish(position);
  await readStore.swapRebuild(collections);
  const live = new BatchApplier(store, readStore, projections, 'live', codec, position);
  for await (const page of pagesOf(store, { fromPosition: position, maxCount: pageSize, filter: PROJECTED_STREAMS })) {
    await live.apply(page);
    position = page[page.length - 1].position;
    events += page.length;
  }
  return { events, seconds: (performance.now() - started) / 1000, position };
}
