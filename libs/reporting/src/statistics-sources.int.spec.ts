import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore, type ReadAllOptions, type RecordedEvent } from '@app/event-store';
import { eventCodec, type DomainEvent } from '@app/proposals';
import { proposalsProjection, sessionsProjection, toProjected, type ProposalDoc, type SessionDoc } from '@app/projections';
import { sessionStatistics } from './statistics.js';
import { REPORTING_FIELD_INDEXES, statisticsSourcesFromEvents } from './statistics-sources.js';
import { sessionsInLog } from './documents/report-data.js';

const OFFSET = 480;

/**
 * The reporting job reads a session's filings and the follow-ups of its year through the store's field filters.
 * Whether the store answers them from its indexes or by reading every event, the figures must be those of the
 * whole log folded, as the read models fold it.
 */
describe('statistics sources from the event log, through the store indexes', () => {
  let dir: string;
  let path: string;

  /** Appends one domain event (or a stored shape, for older versions) as the command path would, at a business instant. */
  const appendAll = async (store: EventStore, story: [tenant: string, stream: string, at: string, event: DomainEvent | { type: string; data: unknown }][]) => {
    const revisions = new Map<string, number>();
    for (const [tenant, stream, at, event] of story) {
      const stored = event.type.includes('.') ? event : eventCodec.encode(event as DomainEvent);
      const metadata = { tenant, occurredAt: at, recordedAt: at, actor: { id: 'o-1', role: 'office' } };
      const name = `${stream.split('/')[0]}-${tenant}:${stream.split('/')[1]}`;
      const revision = revisions.get(name) ?? -1;
      await store.append(name, [{ id: randomUUID(), type: stored.type, data: stored.data, metadata }], revision < 0 ? 'no_stream' : revision);
      revisions.set(name, revision + 1);
    }
  };
  const opened = (sessionId: string, year: number): DomainEvent => ({ type: 'SessionOpened', data: { sessionId, name: `会议${sessionId}`, year, answerLimitDays: 90 } });
  const filed = (proposalId: string, session: string): DomainEvent => ({
    type: 'ProposalFiled',
    data: { proposalId, session, title: `提案${proposalId}`, body: '…', category: 'economy', proposers: [{ id: 'm-1' }], invitedCoProposers: [] },
  });
  const filedV1 = (proposalId: string, session: string) => ({
    type: 'proposal.filed.v1',
    data: { proposalId, session, title: `提案${proposalId}`, body: '…', category: 'economy', proposers: [{ id: 'm-1' }, { id: 'm-2' }] },
  });
  const registered = (number: string): DomainEvent => ({ type: 'ProposalRegistered', data: { number } });
  const answered = (category: 'A' | 'B' | 'C'): DomainEvent => ({ type: 'ProposalAnswered', data: { unit: 'fgw', category, text: '答复', publish: true } });
  const followedUp = (substantiveProgress: boolean): DomainEvent => ({ type: 'ProposalFollowedUp', data: { unit: 'fgw', note: '推进中', substantiveProgress } });

  // Three years of one district, and a second district with sessions of the same names. B answers followed up in
  // later years; follow-ups on either side of a new year in Beijing (UTC+8) while still the old one in UTC.
  const story: Parameters<typeof appendAll>[1] = [
    ['jinshan', 'session/6-1', '2017-01-05T02:00:00.000Z', opened('6-1', 2017)],
    ['jinshan', 'proposal/p11', '2017-01-10T02:00:00.000Z', filedV1('p11', '6-1')],
    ['jinshan', 'proposal/p12', '2017-01-10T03:00:00.000Z', filed('p12', '6-1')],
    ['jinshan', 'proposal/p11', '2017-01-20T02:00:00.000Z', registered('6-1-001')],
    ['jinshan', 'proposal/p12', '2017-01-20T02:00:00.000Z', registered('6-1-002')],
    ['jinshan', 'proposal/p11', '2017-04-01T02:00:00.000Z', answered('B')],
    ['jinshan', 'proposal/p12', '2017-04-01T02:00:00.000Z', answered('A')],
    ['other', 'session/6-3', '2018-01-04T02:00:00.000Z', opened('6-3', 2019)],
    ['jinshan', 'session/6-2', '2018-01-05T02:00:00.000Z', opened('6-2', 2018)],
    ['jinshan', 'proposal/p21', '2018-01-10T02:00:00.000Z', filed('p21', '6-2')],
    ['other', 'proposal/x1', '2018-01-10T02:00:00.000Z', filed('x1', '6-3')],
    ['jinshan', 'proposal/p22', '2018-01-11T02:00:00.000Z', filed('p22', '6-2')],
    ['jinshan', 'proposal/p21', '2018-01-20T02:00:00.000Z', registered('6-2-001')],
    ['jinshan', 'proposal/p22', '2018-01-20T02:00:00.000Z', registered('6-2-002')],
    ['jinshan', 'proposal/p21', '2018-04-01T02:00:00.000Z', answered('B')],
    ['jinshan', 'proposal/p22', '2018-04-01T02:00:00.000Z', answered('C')],
    ['jinshan', 'proposal/p11', '2018-06-01T02:00:00.000Z', followedUp(true)], // 6-1's, in 2018
    // 2018-12-31 16:30 UTC is 2019-01-01 00:30 in Beijing: 2019's.
    ['jinshan', 'proposal/p21', '2018-12-31T16:30:00.000Z', followedUp(true)],
    ['jinshan', 'session/6-3', '2019-01-05T02:00:00.000Z', opened('6-3', 2019)],
    ['jinshan', 'proposal/p31', '2019-01-10T02:00:00.000Z', filed('p31', '6-3')],
    ['jinshan', 'proposal/p32', '2019-01-10T03:00:00.000Z', filed('p32', '6-3')],
    ['jinshan', 'proposal/p33', '2019-01-11T02:00:00.000Z', filedV1('p33', '6-3')],
    ['jinshan', 'proposal/p31', '2019-01-20T02:00:00.000Z', registered('6-3-001')],
    ['jinshan', 'proposal/p32', '2019-01-20T02:00:00.000Z', registered('6-3-002')],
    ['jinshan', 'proposal/p31', '2019-04-01T02:00:00.000Z', answered('A')],
    ['jinshan', 'proposal/p32', '2019-04-01T02:00:00.000Z', answered('B')],
    ['jinshan', 'proposal/p11', '2019-05-01T02:00:00.000Z', followedUp(true)], // 6-1's again, in 2019
    ['jinshan', 'proposal/p22', '2019-05-01T02:00:00.000Z', followedUp(false)], // not substantive
    ['other', 'proposal/x1', '2019-05-01T02:00:00.000Z', followedUp(true)],
    // 2019-12-31 17:00 UTC is 2020-01-01 01:00 in Beijing: not 2019's.
    ['jinshan', 'proposal/p32', '2019-12-31T17:00:00.000Z', followedUp(true)],
    ['jinshan', 'proposal/p31', '2019-12-31T15:00:00.000Z', followedUp(true)],
  ];

  /** The oracle: every event of the log folded, as the read models are, then picked as the statistics pick. */
  const foldedWhole = async (store: EventStore, tenant: string, session: string) => {
    const proposals = new Map<string, ProposalDoc>();
    const sessions = new Map<string, SessionDoc>();
    const model = proposalsProjection(OFFSET);
    for (const recorded of await store.readAll()) {
      const e = toProjected(eventCodec, recorded);
      if (!e) continue;
      for (const [projection, docs] of [[model, proposals], [sessionsProjection, sessions]] as const) {
        const key = projection.keyOf(e);
        if (key === undefined) continue;
        const next = (projection.evolve as (d: unknown, ev: typeof e) => ProposalDoc | SessionDoc | null)(docs.get(key) ?? null, e);
        if (next) (docs as Map<string, unknown>).set(key, next);
      }
    }
    const sessionDoc = [...sessions.values()].find((s) => s.tenant === tenant && s.session === session) as SessionDoc;
    const ofTenant = [...proposals.values()].filter((p) => p.tenant === tenant);
    return {
      session: sessionDoc,
      proposals: ofTenant.filter((p) => p.session === session),
      followedUp: ofTenant.filter((p) => p.substantiveYears.includes(sessionDoc.year)),
    };
  };
  const ids = (docs: readonly ProposalDoc[]) => docs.map((d) => d.proposalId).sort();

  /** The store, keeping the events its reads hand out (`listed`: those of `readAll`). */
  const counting = (store: EventStore) => {
    const read: RecordedEvent[] = [];
    const listed: RecordedEvent[] = [];
    const counted: EventStore = Object.assign(Object.create(store) as EventStore, {
      readAll: async (options?: ReadAllOptions) => {
        const page = await store.readAll(options);
        read.push(...page);
        listed.push(...page);
        return page;
      },
      readStream: async (stream: string, options?: Parameters<EventStore['readStream']>[1]) => {
        const events = await store.readStream(stream, options);
        read.push(...events);
        return events;
      },
    });
    return { store: counted, read, listed };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'statistics-sources-'));
    path = join(dir, 'events.sqlite');
    const store = new SqliteEventStore({ path, synchronous: 'normal' });
    await appendAll(store, story);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const indexed of [true, false]) {
    describe(indexed ? 'from a store with the reporting indexes' : 'from a store without them (each filter reads every event)', () => {
      let store: SqliteEventStore;
      beforeAll(() => {
        store = new SqliteEventStore({ path, synchronous: 'normal', ...(indexed ? { fieldIndexes: REPORTING_FIELD_INDEXES, log: () => {} } : {}) });
      });
      afterAll(() => store.close());

      it.each(['6-1', '6-2', '6-3'])('gives session %s the figures of the whole log folded', async (session) => {
        const whole = await foldedWhole(store, 'jinshan', session);
        const sources = (await statisticsSourcesFromEvents(store, 'jinshan', [session], OFFSET)).get(session);
        expect(sources?.session).toEqual(whole.session);
        expect(ids(sources?.proposals ?? [])).toEqual(ids(whole.proposals));
        expect(ids(sources?.followedUp ?? [])).toEqual(ids(whole.followedUp));
        expect(sessionStatistics({ ...(sources as NonNullable<typeof sources>), utcOffsetMinutes: OFFSET })).toEqual(
          sessionStatistics({ ...whole, utcOffsetMinutes: OFFSET }),
        );
      });

      it('counts a follow-up in the business year it happened in, the earlier sessions’ proposals too', async () => {
        const sources = await statisticsSourcesFromEvents(store, 'jinshan', ['6-1', '6-2', '6-3'], OFFSET);
        expect(ids(sources.get('6-1')?.followedUp ?? [])).toEqual([]);
        expect(ids(sources.get('6-2')?.followedUp ?? [])).toEqual(['p11']);
        expect(ids(sources.get('6-3')?.followedUp ?? [])).toEqual(['p11', 'p21', 'p31']);
        expect(ids(sources.get('6-3')?.proposals ?? [])).toEqual(['p31', 'p32', 'p33']);
      });

      if (indexed)
        it('reads the session’s filings, the follow-ups around its year and those proposals: nothing of other sessions', async () => {
          const { store: counted, read } = counting(store);
          await statisticsSourcesFromEvents(counted, 'jinshan', ['6-2'], OFFSET);
          // 6-2's session and its two proposals, and p11 for its follow-up of 2018; not p31, filed in 6-3 and
          // followed up in 2019, nor the other district's x1.
          expect([...new Set(read.map((e) => e.stream))].sort()).toEqual(['proposal-jinshan:p11', 'proposal-jinshan:p21', 'proposal-jinshan:p22', 'session-jinshan:6-2']);
        });
      else
        it('finds the proposals in one pass over the jurisdiction’s filings and follow-ups, not one per session and year', async () => {
          const { store: counted, listed } = counting(store);
          await statisticsSourcesFromEvents(counted, 'jinshan', ['6-2', '6-3'], OFFSET);
          const ofJinshan = (await store.readAll()).filter((e) => e.stream.startsWith('proposal-jinshan:') && /^proposal\.(filed|followed-up)\./.test(e.type));
          expect(listed.map((e) => e.position)).toEqual(ofJinshan.map((e) => e.position));
        });

      it('finds the jurisdiction’s sessions for the annual report, not another one’s', async () => {
        expect(await sessionsInLog(store, 'jinshan', Number.MAX_SAFE_INTEGER)).toEqual([
          { session: '6-1', name: '会议6-1', year: 2017 },
          { session: '6-2', name: '会议6-2', year: 2018 },
          { session: '6-3', name: '会议6-3', year: 2019 },
        ]);
      });

      it('computes at an earlier position as the log was there', async () => {
        const all = await store.readAll();
        const at = all.find((e) => e.stream === 'proposal-jinshan:p33')?.position as number;
        const sources = (await statisticsSourcesFromEvents(store, 'jinshan', ['6-3'], OFFSET, eventCodec, 1, at)).get('6-3');
        expect(ids(sources?.proposals ?? [])).toEqual(['p31', 'p32', 'p33']);
        expect(sources?.proposals.every((p) => p.status === 'filed')).toBe(true);
        expect(ids(sources?.followedUp ?? [])).toEqual(['p21']);
      });
    });
  }
});
