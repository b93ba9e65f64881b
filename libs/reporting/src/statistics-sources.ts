import type { EventStore } from '@app/event-store';
import type { ReadStore } from '@app/read-store';
import { tenantPrefixes } from '@app/command-handling';
import { eventCodec, NotFound, type EventCodec } from '@app/proposals';
import {
  docId,
  PROPOSALS,
  proposalsProjection,
  SESSIONS,
  sessionsProjection,
  toProjected,
  type ProposalDoc,
  type SessionDoc,
} from '@app/projections';
import type { StatisticsInput } from './statistics.js';

type Sources = Omit<StatisticsInput, 'asOf' | 'utcOffsetMinutes'>;

/** The statistics' facts from the read models. */
export async function statisticsSourcesFromReadModels(readStore: ReadStore, tenant: string, session: string): Promise<Sources> {
  const sessionDoc = await readStore.get<SessionDoc>(SESSIONS, docId(tenant, session));
  if (!sessionDoc) throw new NotFound(`no session ${session}`);
  const [proposals, followedUp] = await Promise.all([
    readStore.find<ProposalDoc>(PROPOSALS, { filter: { tenant, session } }),
    readStore.find<ProposalDoc>(PROPOSALS, { filter: { tenant, substantiveYears: sessionDoc.year } }),
  ]);
  return { session: sessionDoc, proposals: proposals.items, followedUp: followedUp.items };
}

/**
 * The same facts folded straight from the event log, without the stored read models: one pass over the
 * jurisdiction's events, keeping only the session's proposals and proposals with substantive follow-ups.
 */
export async function statisticsSourcesFromEvents(
  store: EventStore,
  tenant: string,
  sessions: readonly string[],
  utcOffsetMinutes: number,
  codec: EventCodec = eventCodec,
  pageSize = 5_000,
): Promise<Map<string, Sources>> {
  const proposalsModel = proposalsProjection(utcOffsetMinutes);
  const sessionDocs = new Map<string, SessionDoc>();
  const proposalDocs = new Map<string, ProposalDoc>();
  let position = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: position, maxCount: pageSize, filter: { streamPrefixes: tenantPrefixes(tenant) } });
    for (const recorded of page) {
      const e = toProjected(codec, recorded);
      if (!e) continue;
      const sessionKey = sessionsProjection.keyOf(e);
      if (sessionKey) {
        const doc = sessionsProjection.evolve(sessionDocs.get(sessionKey) ?? null, e);
        if (doc) sessionDocs.set(sessionKey, doc);
        continue;
      }
      const key = proposalsModel.keyOf(e);
      if (!key) continue;
      const doc = proposalsModel.evolve(proposalDocs.get(key) ?? null, e);
      if (doc) proposalDocs.set(key, doc);
    }
    if (page.length < pageSize) break;
    position = page[page.length - 1].position;
  }
  const all = [...proposalDocs.values()];
  const result = new Map<string, Sources>();
  for (const session of sessions) {
    const sessionDoc = sessionDocs.get(docId(tenant, session));
    if (!sessionDoc) throw new NotFound(`no session ${session}`);
    result.set(session, {
      session: sessionDoc,
      proposals: all.filter((p) => p.session === session),
      followedUp: all.filter((p) => p.substantiveYears.includes(sessionDoc.year)),
    });
  }
  return result;
}
