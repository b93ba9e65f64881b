import { pagesOf, type EventStore } from '@app/event-store';
import type { Doc, ReadStore } from '@app/read-store';
import { businessDate, eventCodec, type EventCodec, NotFound, sessionStream } from '@app/proposals';
import {
  docId,
  PROPOSALS,
  proposalsProjection,
  SESSIONS,
  sessionsProjection,
  toProjected,
  type Projection,
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
 * The same facts folded straight from the event log, without the stored read models. One pass over the
 * jurisdiction's filings and follow-ups finds the proposals that count (those filed in the sessions, and those
 * with a substantive follow-up in the sessions' years); only their streams are then read and folded.
 */
export async function statisticsSourcesFromEvents(
  store: EventStore,
  tenant: string,
  sessions: readonly string[],
  utcOffsetMinutes: number,
  codec: EventCodec = eventCodec,
  pageSize = 10_000,
  /** Only the events up to this position: the log as it was there (an anchor's position, say). */
  atPosition: number = Number.MAX_SAFE_INTEGER,
): Promise<Map<string, Sources>> {
  const proposalsModel = proposalsProjection(utcOffsetMinutes);
  const sessionDocs = new Map<string, SessionDoc>();
  for (const session of sessions) {
    const doc = await foldStream(store, sessionStream(tenant, session), sessionsProjection, codec, atPosition);
    if (!doc) throw new NotFound(`no session ${session}`);
    sessionDocs.set(session, doc);
  }
  const years = new Set([...sessionDocs.values()].map((d) => d.year));
  const wanted = new Set(sessions);
  const streams = new Set<string>();
  const types = [...codec.storedTypesOf('ProposalFiled'), ...codec.storedTypesOf('ProposalFollowedUp')];
  pages: for await (const page of pagesOf(store, { maxCount: pageSize, filter: { streamPrefixes: [`proposal-${tenant}:`], eventTypes: types } })) {
    for (const e of page) {
      if (e.position > atPosition) break pages;
      const event = codec.decode(e.type, e.data);
      if (event?.type === 'ProposalFiled' && wanted.has(event.data.session)) streams.add(e.stream);
      if (event?.type === 'ProposalFollowedUp' && event.data.substantiveProgress) {
        const at = (e.metadata as { occurredAt?: string }).occurredAt ?? '';
        if (years.has(Number(businessDate(at, utcOffsetMinutes).slice(0, 4)))) streams.add(e.stream);
      }
    }
  }
  const proposals: ProposalDoc[] = [];
  for (const stream of streams) {
    const doc = await foldStream(store, stream, proposalsModel, codec, atPosition);
    if (doc) proposals.push(doc);
  }
  const result = new Map<string, Sources>();
  for (const session of sessions) {
    const sessionDoc = sessionDocs.get(session) as SessionDoc;
    result.set(session, {
      session: sessionDoc,
      proposals: proposals.filter((p) => p.session === session),
      followedUp: proposals.filter((p) => p.substantiveYears.includes(sessionDoc.year)),
    });
  }
  return result;
}

async function foldStream<D extends Doc>(store: EventStore, stream: string, projection: Projection<D>, codec: EventCodec, atPosition: number): Promise<D | null> {
  let doc: D | null = null;
  for (const recorded of await store.readStream(stream)) {
    if (recorded.position > atPosition) break;
    const e = toProjected(codec, recorded);
    if (e && projection.keyOf(e) !== undefined) doc = projection.evolve(doc, e);
  }
  return doc;
}
