import { join } from 'node:path';
import { pagesOf, SqliteEventStore } from '@app/event-store';
import { docId, proposalsProjection, toProjected, type ProposalDoc } from '@app/projections';
import { eventCodec } from '@app/proposals';
import { ensureEventLog } from './generate.js';

/**
 * The proposal documents of the list benchmarks: made by the real proposals projection (its pure handlers) from the
 * generated log of 1,000,000 events (about 86,000 proposals in sessions of 200), so that they have the shape and
 * the sizes the service stores, whatever the projection comes to hold. The log handles every proposal to the end;
 * one session in 20 is taken as the year still under way, each of its proposals as it stood after its first 1 to
 * 12 steps (filed, registered, assigned, visited, answered…).
 */
export async function proposalDocs(dataDir: string): Promise<ProposalDoc[]> {
  const file = ensureEventLog(join(dataDir, 'events-1000000.sqlite'), 1_000_000);
  const store = new SqliteEventStore({ path: file, synchronous: 'normal' });
  const projection = proposalsProjection(480);
  const docs = new Map<string, ProposalDoc>();
  const steps = new Map<string, number>();
  const underWay = (doc: ProposalDoc) => Number(doc.session.split('-')[1]) % 20 === 0;
  for await (const page of pagesOf(store, { maxCount: 10_000, filter: { streamPrefixes: ['proposal-'] } })) {
    for (const recorded of page) {
      const e = toProjected(eventCodec, recorded);
      const key = e && projection.keyOf(e);
      if (!e || !key) continue;
      const doc = docs.get(key) ?? null;
      const step = (steps.get(key) ?? 0) + 1;
      steps.set(key, step);
      if (doc && underWay(doc) && step > 1 + (Number(/\d+$/.exec(doc.proposalId)?.[0] ?? 0) % 12)) continue;
      docs.set(key, projection.evolve(doc, e) as ProposalDoc);
    }
  }
  await store.close();
  return [...docs.values()];
}

/**
 * `count` documents made of copies of `base`, a whole session at a time in one jurisdiction: copy k of session
 * `1-n` is session `k-n` (committee k), its proposals renamed `ck-…` and renumbered, and the sessions dealt to the
 * jurisdictions in turn — with 50 jurisdictions and 200,000 proposals, each holds 20 sessions of about 200, as 20
 * years of a district such as Jinshan would. Only the identity of each document changes; the rest is the
 * projection's.
 */
export function* sessionCopies(base: readonly ProposalDoc[], count: number, tenants: readonly string[]): Generator<ProposalDoc> {
  const bySession = new Map<string, ProposalDoc[]>();
  for (const doc of base) {
    const docs = bySession.get(doc.session);
    if (docs) docs.push(doc);
    else bySession.set(doc.session, [doc]);
  }
  let made = 0;
  let dealt = 0;
  for (let copy = 1; made < count; copy++) {
    for (const [session, docs] of bySession) {
      const tenant = tenants[dealt++ % tenants.length];
      const renamed = `${copy}-${session.split('-')[1]}`;
      for (const doc of docs) {
        if (made++ >= count) return;
        const proposalId = `c${copy}-${doc.proposalId}`;
        const number = doc.number === null ? null : doc.number.replace(session, renamed);
        yield { ...doc, id: docId(tenant, proposalId), tenant, proposalId, session: renamed, number };
      }
    }
  }
}
