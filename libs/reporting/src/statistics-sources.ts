import { pagesOf, type EventFilter, type EventStore, type FieldIndex } from '@app/event-store';
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
 * The event-store indexes the reporting job reads by (the SQLite store builds them on open: runtime's
 * openEventStore): filings by session, follow-ups by when they happened, session openings by jurisdiction. Every
 * stored version of these types must keep the field where the index looks (`proposal.filed.v1` and `.v2` both hold
 * `session`): a version that moved it would need its own entry, or its events would be missed.
 */
export const REPORTING_FIELD_INDEXES: readonly FieldIndex[] = [
  { eventTypes: eventCodec.storedTypesOf('ProposalFiled'), field: 'data.session' },
  { eventTypes: eventCodec.storedTypesOf('ProposalFollowedUp'), field: 'metadata.occurredAt' },
  { eventTypes: eventCodec.storedTypesOf('SessionOpened'), field: 'metadata.tenant' },
];

/**
 * The same facts folded straight from the event log, without the stored read models. The proposals that count
 * (those filed in the sessions, and those with a substantive follow-up in the sessions' years) are found through
 * the store's field filters — the session's filings, the follow-ups that happened around each year — which an
 * indexed store answers without reading the rest of the log (else one pass over the jurisdiction's filings and
 * follow-ups finds them); only those proposals' streams are then read and folded.
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
  // Each stream with the position where it first qualified: folded in that order, the log's, whichever query found it.
  const found = new Map<string, number>();
  const add = (stream: string, position: number) => found.set(stream, Math.min(position, found.get(stream) ?? position));
  const streamPrefixes = [`proposal-${tenant}:`];
  const filings = (session: string): EventFilter => ({
    streamPrefixes,
    eventTypes: codec.storedTypesOf('ProposalFiled'),
    fieldRange: { field: 'data.session', from: session, to: session },
  });
  // Instants are ISO 8601 with an offset of less than a day, so those of business year Y are written with a date
  // from Y-1-12-31 to Y+1-01-01: two days' margin each way, and the exact business year is checked below.
  const followUps = (year: number): EventFilter => ({
    streamPrefixes,
    eventTypes: codec.storedTypesOf('ProposalFollowedUp'),
    fieldRange: { field: 'metadata.occurredAt', from: `${year - 1}-12-30`, to: `${year + 1}-01-03` },
  });
  const indexed = [...sessions.map(filings), ...[...years].map(followUps)];
  // A store without these indexes (EventStoreDB, a SQLite store opened without them) would read the whole log for
  // each filter: one pass over every filing and follow-up of the jurisdiction instead, checked below all the same.
  const oneScan: EventFilter = { streamPrefixes, eventTypes: [...codec.storedTypesOf('ProposalFiled'), ...codec.storedTypesOf('ProposalFollowedUp')] };
  for (const filter of indexed.every((f) => store.indexed?.(f) === true) ? indexed : [oneScan]) {
    pages: for await (const page of pagesOf(store, { maxCount: pageSize, filter })) {
      for (const e of page) {
        if (e.position > atPosition) break pages;
        const event = codec.decode(e.type, e.data);
        if (event?.type === 'ProposalFiled' && wanted.has(event.data.session)) add(e.stream, e.position);
        if (event?.type === 'ProposalFollowedUp' && event.data.substantiveProgress) {
          const at = (e.metadata as { occurredAt?: string }).occurredAt ?? '';
          if (years.has(Number(businessDate(at, utcOffsetMinutes).slice(0, 4)))) add(e.stream, e.position);
        }
      }
    }
  }
  const streams = [...found].sort((a, b) => a[1] - b[1]).map(([stream]) => stream);
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
