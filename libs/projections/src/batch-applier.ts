import { pagesOf, type EventFilter, type EventStore, type RecordedEvent } from '@app/event-store';
import { CheckpointMoved, type Doc, type DocWrite, type Generation, type ReadStore } from '@app/read-store';
import type { EventCodec } from '@app/proposals';
import { toProjected, type Projection } from './projection.js';

/** Every stream the projections read: proposals, sessions, directories and reminders of every jurisdiction. */
export const PROJECTED_STREAMS: EventFilter = { streamPrefixes: ['proposal-', 'session-', 'directory-', 'reminders-'] };

/**
 * One projection could not take a batch: its own code threw (an event it cannot fold), or the read store failed
 * while reading its documents. Names the projection, so that an operator knows which read model is stuck; the
 * store's or the code's own error stays the `cause` (the runner judges from it whether retrying may help).
 */
export class ProjectionFailed extends Error {
  constructor(
    readonly projection: string,
    /** The event it failed on, or the last of the batch when the failure was not about one event. */
    readonly position: number,
    override readonly cause: unknown,
  ) {
    super(`projection ${projection} failed at position ${position}: ${String(cause)}`, { cause });
    this.name = 'ProjectionFailed';
  }
}

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

  /**
   * An append-only read model writes each document once, without reading it first. A new version of one starts with
   * no checkpoint over the documents its previous version left in the same collection; up to the head it found, it
   * overwrites them instead of inserting.
   */
  private readonly overwriteUntil = new Map<string, number>();

  private async previousOf(projection: Projection, from: number | null, first: number): Promise<null | undefined> {
    if (this.generation !== 'live') return null;
    if (from === null && !this.overwriteUntil.has(projection.name)) this.overwriteUntil.set(projection.name, await this.store.headPosition());
    return first <= (this.overwriteUntil.get(projection.name) ?? -1) ? undefined : null;
  }

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
      let at = last;
      try {
        const keys = new Set<string>();
        for (const e of projected) if (e && e.position > (from ?? 0)) {
          at = e.position;
          const key = projection.keyOf(e);
          if (key !== undefined) keys.add(key);
        }
        at = last;
        const stored = projection.appendOnly ? new Map<string, Doc>() : await this.readStore.getMany(projection.collection.name, [...keys], this.generation);
        const unread = projection.appendOnly ? await this.previousOf(projection, from, events[0].position) : null;
        const docs = new Map<string, Doc | null>(stored);
        const changed = new Set<string>();
        for (const e of projected) {
          if (!e || e.position <= (from ?? 0)) continue;
          const key = projection.keyOf(e);
          if (key === undefined) continue;
          at = e.position;
          docs.set(key, projection.evolve(docs.get(key) ?? null, e));
          changed.add(key);
        }
        for (const key of changed)
          writes.push({ collection: projection.collection.name, id: key, doc: docs.get(key) ?? null, previous: stored.get(key) ?? unread });
      } catch (error) {
        throw new ProjectionFailed(projection.name, at, error);
      }
      moved[projection.name] = { from, to: last };
    }
    if (Object.keys(moved).length > 0) await this.readStore.commit({ writes, checkpoints: moved }, this.generation);
    return new Map(this.projections.map((p) => [p.name, Math.max(checkpoints.get(p.name) ?? 0, last)]));
  }
}
