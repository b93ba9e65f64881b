import type { EventStore } from '@app/event-store';
import type { Doc, ReadStore } from '@app/read-store';
import { eventCodec } from '@app/proposals';
import { toProjected, type Projection } from '../projection.js';

const byId = (a: Doc, b: Doc) => (a.id < b.id ? -1 : 1);

/** The read models folded in memory straight from the log: what every projection must hold. */
export async function expectedDocs(store: EventStore, projections: readonly Projection[]): Promise<Record<string, Doc[]>> {
  const docs = new Map<string, Map<string, Doc>>(projections.map((p) => [p.collection.name, new Map()]));
  for (const recorded of await store.readAll()) {
    const e = toProjected(eventCodec, recorded);
    if (!e) continue;
    for (const p of projections) {
      const key = p.keyOf(e);
      if (key === undefined) continue;
      const collection = docs.get(p.collection.name) as Map<string, Doc>;
      const doc = p.evolve(collection.get(key) ?? null, e);
      if (doc) collection.set(key, doc);
      else collection.delete(key);
    }
  }
  return Object.fromEntries([...docs].map(([name, m]) => [name, [...m.values()].sort(byId)]));
}

/** Every document the read store holds, per read model, in the same order. */
export async function storedDocs(readStore: ReadStore, projections: readonly Projection[]): Promise<Record<string, Doc[]>> {
  const result: Record<string, Doc[]> = {};
  for (const p of projections) result[p.collection.name] = (await readStore.find(p.collection.name, { sort: [] })).items.sort(byId);
  return result;
}
