import { setImmediate as nextTurn } from 'node:timers/promises';
import { pagesOf, type EventStore } from '@app/event-store';
import { chainHash, withoutHash } from './hash-chain.js';
import type { StreamHead } from './merkle.js';

export interface TrailProblem {
  readonly stream: string;
  readonly revision: number;
  readonly position?: number;
  readonly problem: string;
}

/** Every stream's last event at or before a position, its chain hash recomputed from the content, and how many. */
export interface TrailSnapshot {
  readonly position: number;
  readonly heads: ReadonlyMap<string, StreamHead & { readonly events: number }>;
}

export interface TrailReport {
  readonly streams: number;
  readonly events: number;
  readonly problems: readonly TrailProblem[];
  /** One per position asked for in `snapshots`. */
  readonly snapshots: ReadonlyMap<number, TrailSnapshot>;
}

export interface VerifyTrailOptions {
  readonly pageSize?: number;
  /** Positions at which to keep every stream's head as the log stood then (an anchor's position). */
  readonly snapshots?: readonly number[];
}

/** What a read model remembers of the log: the last revision it saw of each stream. */
export type KnownRevisions = ReadonlyMap<string, number>;

interface Head {
  revision: number;
  /** The hash stored with the last event: the next event's hash is checked against it, so one edit is one problem. */
  stored: string | null;
  /** The chain recomputed from the content alone: what an anchor holds, so rewriting the stored hashes changes it. */
  chain: string | null;
  events: number;
}

/**
 * Walks the whole log and checks every stream's hash chain: an event edited in place, removed from the middle,
 * or moved breaks the chain (or leaves a gap in the revisions) at that event. A stream's last events removed leave
 * no trace in the chain itself; `known` — the revisions the read models saw — catches those. An edit whose chain
 * was recomputed after it (anyone with the file can run chainHash) passes here: only an anchor (anchor.ts), which
 * the files do not hold, catches that, from the snapshots this walk takes.
 */
export async function verifyTrail(
  store: EventStore,
  known: KnownRevisions = new Map(),
  options: VerifyTrailOptions = {},
): Promise<TrailReport> {
  const heads = new Map<string, Head>();
  const problems: TrailProblem[] = [];
  const pending = [...new Set(options.snapshots ?? [])].sort((a, b) => a - b);
  const snapshots = new Map<number, TrailSnapshot>();
  const snapshotUpTo = (position: number) => {
    while (pending.length > 0 && pending[0] < position) {
      const at = pending.shift() as number;
      const taken = new Map<string, StreamHead & { events: number }>();
      for (const [stream, h] of heads) if (h.chain !== null) taken.set(stream, { stream, revision: h.revision, head: h.chain, events: h.events });
      snapshots.set(at, { position: at, heads: taken });
    }
  };
  let events = 0;
  for await (const page of pagesOf(store, { maxCount: options.pageSize ?? 5_000 })) {
    for (const e of page) {
      snapshotUpTo(e.position);
      events++;
      const head = heads.get(e.stream) ?? { revision: -1, stored: null, chain: null, events: 0 };
      if (e.revision !== head.revision + 1)
        problems.push({
          stream: e.stream,
          revision: e.revision,
          position: e.position,
          problem: e.revision > head.revision + 1 ? `revisions ${head.revision + 1}…${e.revision - 1} are missing` : `revision ${e.revision} appears out of order`,
        });
      // Metadata written as something else than an object (null, a number) is damage to report, not to trip on.
      const metadata = typeof e.metadata === 'object' && e.metadata !== null && !Array.isArray(e.metadata) ? e.metadata : {};
      const link = { stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: withoutHash(metadata) };
      const stored = typeof metadata.hash === 'string' ? metadata.hash : null;
      const expected = chainHash(head.stored, link);
      if (stored === null) problems.push({ stream: e.stream, revision: e.revision, position: e.position, problem: 'the event carries no hash' });
      else if (expected !== stored)
        problems.push({ stream: e.stream, revision: e.revision, position: e.position, problem: 'the event was altered: its hash does not match its content and the chain before it' });
      const chain = head.chain === head.stored ? expected : chainHash(head.chain, link);
      heads.set(e.stream, { revision: e.revision, stored, chain, events: head.events + 1 });
    }
    // A turn of the event loop between pages: in the API (the daily anchor) requests are served meanwhile.
    await nextTurn();
  }
  snapshotUpTo(Number.POSITIVE_INFINITY);
  for (const [stream, revision] of known) {
    const head = heads.get(stream)?.revision ?? -1;
    if (head < revision)
      problems.push({ stream, revision, problem: `the read models saw revision ${revision}, the log ends at ${head}: events were removed` });
  }
  return { streams: heads.size, events, problems, snapshots };
}
