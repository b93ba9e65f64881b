import { WrongExpectedRevision, type EventStore, type RecordedEvent } from '@app/event-store';
import type { Anchor } from './anchor.js';
import { chainHash } from './hash-chain.js';
import { nameBasedUuid } from './ids.js';

/**
 * Recorded anchors live in the event store, one stream per jurisdiction, `anchor-<tenant>`: appended to like the
 * log itself, in every store (SQLite, EventStoreDB), kept and backed up with it. The stream is outside the
 * `proposal-`/`session-` prefixes, so projections, the feed, the report and the anchors' own Merkle root leave it
 * out; its events are hash-chained like every other, so `npm run verify` checks them too. Someone who can write the
 * files can delete them, but cannot make new ones: auditors keep their own copies (GET /trail/anchors).
 */
export const anchorStream = (tenant: string): string => `anchor-${tenant}`;
export const ANCHORED_TYPE = 'trail.anchored.v1';

export interface RecordedAnchor extends Anchor {
  readonly recorded: {
    readonly at: string;
    /** What recorded it: `api`, `projector`, `npm run anchor`, `npm run report`. */
    readonly by: string;
    readonly revision: number;
    readonly position: number;
  };
}

export interface AnchorPage {
  readonly items: RecordedAnchor[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

const toRecorded = (e: RecordedEvent): RecordedAnchor => ({
  ...(e.data as Anchor),
  recorded: { at: String(e.metadata.recordedAt ?? e.created), by: String(e.metadata.recordedBy ?? ''), revision: e.revision, position: e.position },
});

/**
 * How many events a stream holds. The port reads streams forwards only, and an anchor with its leaves is large,
 * so rather than read them all: one-event probes, doubling then halving (about 2·log₂ n reads).
 */
export async function streamLength(store: EventStore, stream: string): Promise<number> {
  const exists = async (revision: number) => (await store.readStream(stream, { fromRevision: revision, maxCount: 1 })).length > 0;
  if (!(await exists(0))) return 0;
  let low = 0; // exists
  let high = 1;
  while (await exists(high)) {
    low = high;
    high *= 2;
  }
  // exists(low), !exists(high)
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await exists(middle)) low = middle;
    else high = middle;
  }
  return low + 1;
}

/** Appends an anchor to its jurisdiction's anchor stream, chained to the one before. */
export async function recordAnchor(store: EventStore, anchor: Anchor, by: string, now: Date = new Date()): Promise<RecordedAnchor> {
  const stream = anchorStream(anchor.statement.tenant);
  const id = nameBasedUuid('anchor', anchor.statement.tenant, String(anchor.statement.position), anchor.statement.root, anchor.statement.time);
  for (let attempt = 0; ; attempt++) {
    const length = await streamLength(store, stream);
    const last = length === 0 ? undefined : (await store.readStream(stream, { fromRevision: length - 1, maxCount: 1 }))[0];
    const metadata = { tenant: anchor.statement.tenant, recordedAt: now.toISOString(), recordedBy: by, schemaVersion: 1 };
    const previousHash = typeof last?.metadata.hash === 'string' ? last.metadata.hash : null;
    const hash = chainHash(previousHash, { stream, revision: length, type: ANCHORED_TYPE, data: anchor, metadata });
    try {
      const result = await store.append(stream, [{ id, type: ANCHORED_TYPE, data: anchor, metadata: { ...metadata, hash } }], length === 0 ? 'no_stream' : length - 1);
      return { ...anchor, recorded: { at: metadata.recordedAt, by, revision: result.nextExpectedRevision, position: result.position } };
    } catch (error) {
      // Another process recorded one meanwhile: chain after it.
      if (!(error instanceof WrongExpectedRevision) || attempt >= 4) throw error;
    }
  }
}

/** A jurisdiction's recorded anchors, newest first. */
export async function listAnchors(store: EventStore, tenant: string, page = 1, pageSize = 20): Promise<AnchorPage> {
  const stream = anchorStream(tenant);
  const total = await streamLength(store, stream);
  const newest = total - 1 - (page - 1) * pageSize;
  if (newest < 0) return { items: [], total, page, pageSize };
  const oldest = Math.max(0, newest - pageSize + 1);
  const events = await store.readStream(stream, { fromRevision: oldest, maxCount: newest - oldest + 1 });
  return { items: events.filter((e) => e.type === ANCHORED_TYPE).map(toRecorded).reverse(), total, page, pageSize };
}

export async function latestAnchor(store: EventStore, tenant: string): Promise<RecordedAnchor | undefined> {
  return (await listAnchors(store, tenant, 1, 1)).items[0];
}
