import type { EventStore } from '@app/event-store';
import type { ReadStore } from '@app/read-store';
import { eventCodec, type EventCodec } from '@app/proposals';
import type { Projection } from './projection.js';
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
  options: { pageSize?: number; codec?: EventCodec; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<RebuildResult> {
  const pageSize = options.pageSize ?? 5_000;
  const started = performance.now();
  const collections = projections.map((p) => p.collection);
  await readStore.beginRebuild(collections);
  const applier = new BatchApplier(store, readStore, projections, 'rebuild', options.codec ?? eventCodec);
  let position = 0;
  let events = 0;
  let headPosition = await store.headPosition();
  for (;;) {
    const page = await store.readAll({ fromPosition: position, maxCount: pageSize, filter: PROJECTED_STREAMS });
    if (page.length === 0) break;
    await applier.apply(page);
    position = page[page.length - 1].position;
    events += page.length;
    if (position > headPosition) headPosition = await store.headPosition();
    options.onProgress?.({ events, position, headPosition });
  }
  await readStore.swapRebuild(collections);
  const live = new BatchApplier(store, readStore, projections, 'live', options.codec ?? eventCodec, position);
  for (;;) {
    const page = await store.readAll({ fromPosition: position, maxCount: pageSize, filter: PROJECTED_STREAMS });
    if (page.length === 0) break;
    await live.apply(page);
    position = page[page.length - 1].position;
    events += page.length;
  }
  return { events, seconds: (performance.now() - started) / 1000, position };
}
