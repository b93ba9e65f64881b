import { pagesOf, type EventStore } from '@app/event-store';
import { chainHash, withoutHash } from './hash-chain.js';

export interface TrailProblem {
  readonly stream: string;
  readonly revision: number;
  readonly position?: number;
  readonly problem: string;
}

export interface TrailReport {
  readonly streams: number;
  readonly events: number;
  readonly problems: readonly TrailProblem[];
}

/** What a read model remembers of the log: the last revision it saw of each stream. */
export type KnownRevisions = ReadonlyMap<string, number>;

/**
 * Walks the whole log and checks every stream's hash chain: an event edited in place, removed from the middle,
 * or moved breaks the chain (or leaves a gap in the revisions) at that event. A stream's last events removed leave
 * no trace in the chain itself; `known` — the revisions the read models saw — catches those.
 */
export async function verifyTrail(store: EventStore, known: KnownRevisions = new Map(), pageSize = 5_000): Promise<TrailReport> {
  const heads = new Map<string, { revision: number; hash: string | null }>();
  const problems: TrailProblem[] = [];
  let events = 0;
  for await (const page of pagesOf(store, { maxCount: pageSize })) {
    for (const e of page) {
      events++;
      const head = heads.get(e.stream) ?? { revision: -1, hash: null };
      if (e.revision !== head.revision + 1)
        problems.push({
          stream: e.stream,
          revision: e.revision,
          position: e.position,
          problem: e.revision > head.revision + 1 ? `revisions ${head.revision + 1}…${e.revision - 1} are missing` : `revision ${e.revision} appears out of order`,
        });
      const stored = e.metadata.hash;
      if (typeof stored !== 'string') {
        problems.push({ stream: e.stream, revision: e.revision, position: e.position, problem: 'the event carries no hash' });
      } else {
        const expected = chainHash(head.hash, { stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: withoutHash(e.metadata) });
        if (expected !== stored)
          problems.push({ stream: e.stream, revision: e.revision, position: e.position, problem: 'the event was altered: its hash does not match its content and the chain before it' });
      }
      heads.set(e.stream, { revision: e.revision, hash: typeof stored === 'string' ? stored : null });
    }
  }
  for (const [stream, revision] of known) {
    const head = heads.get(stream)?.revision ?? -1;
    if (head < revision)
      problems.push({ stream, revision, problem: `the read models saw revision ${revision}, the log ends at ${head}: events were removed` });
  }
  return { streams: heads.size, events, problems };
}
