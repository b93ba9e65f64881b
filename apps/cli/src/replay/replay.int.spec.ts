import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { SqliteEventStore, type EventStore } from '@app/event-store';
import { sessionStatistics, statisticsSourcesFromEvents, yearOverYear, type SessionStatistics } from '@app/reporting';
import { replayCommand, type ReplayIo } from './replay.command.js';

/**
 * The demo sessions through the real command path into a fresh store; every figure is then computed from the
 * event log by the statistics code, as a reader of the report would.
 */
describe('replay of the demo sessions 6-1, 6-2 and 6-3', () => {
  let dir: string;
  let config: AppConfig;
  let out: string[];
  let err: string[];
  const io = (): ReplayIo => ({ out: (t) => out.push(t), err: (t) => err.push(t), config });
  let stats: Map<string, SessionStatistics>;

  const withStore = async <T>(use: (store: EventStore) => Promise<T>): Promise<T> => {
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-replay-'));
    config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 'replay-test-secret-0123456789abcdef', SQLITE_SYNCHRONOUS: 'normal' });
    out = [];
    err = [];
    const code = await replayCommand(['all'], io());
    if (code !== 0) throw new Error(err.join('\n'));
    stats = await withStore(async (store) => {
      const sources = await statisticsSourcesFromEvents(store, config.defaultTenant, ['6-1', '6-2', '6-3'], config.utcOffsetMinutes);
      return new Map([...sources].map(([session, s]) => [session, sessionStatistics({ ...s, utcOffsetMinutes: config.utcOffsetMinutes })]));
    });
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives every 2019 figure of the seed report (6-3)', () => {
    const s = stats.get('6-3') as SessionStatistics;
    expect(s.year).toBe(2019);
    expect({ filed: s.filed, registered: s.registered, declined: s.declined, awaitingReview: s.awaitingReview }).toEqual({
      filed: 184,
      registered: 155,
      declined: 29,
      awaitingReview: 0,
    });
    expect(s.answeredOnTime).toEqual({ count: 155, percent: 100 });
    expect(s.categories).toEqual({
      A: { count: 134, percent: 86.5 },
      B: { count: 8, percent: 5.2 },
      C: { count: 13, percent: 8.4 },
    });
    expect(s.solveRate).toBe(86.5);
    expect(s.satisfaction).toBe(100);
    expect(s.agreement).toBe(100);
    expect(s.leaderClaimed).toBe(19);
    expect(s.principalVisitRate).toBe(100);
    expect(s.published).toEqual({ count: 120, percent: 77.4 });
    expect(s.keyUnitsVisited).toBe(14);
    expect(s.keyProposals).toBe(97);
    expect(s.substantiveProgress).toBe(10);
  });

  it('shows first-time satisfaction below the latest: dissatisfied members were answered again', () => {
    const s = stats.get('6-3') as SessionStatistics;
    expect(s.firstTimeSatisfaction).toBeLessThan(100);
    expect(s.firstTimeSatisfaction).toBe(97.4);
  });

  it('gives the 2018 figures the seed report cites (6-2)', () => {
    const s = stats.get('6-2') as SessionStatistics;
    expect(s.year).toBe(2018);
    expect(s.registered).toBe(147);
    expect(s.categories.A.count).toBe(124);
    expect(s.solveRate).toBe(84.4);
    expect(s.published).toEqual({ count: 101, percent: 68.7 });
    expect(s.leaderClaimed).toBe(16);
  });

  it('has the solve rate rise three years in a row, with the seed’s year-on-year changes', () => {
    const s2017 = stats.get('6-1') as SessionStatistics;
    expect(s2017.year).toBe(2017);
    expect(s2017.solveRate).toBeLessThan(84.4);
    const { changes } = yearOverYear(['6-1', '6-2', '6-3'].map((id) => stats.get(id) as SessionStatistics));
    expect(changes[0].solveRate).toBeGreaterThan(0);
    expect(changes[1]).toMatchObject({ from: '6-2', to: '6-3', solveRate: 2.1, published: 8.7 });
  });

  it('prints progress to stderr and the figures with the year-on-year changes to stdout', () => {
    expect(err).toHaveLength(3);
    expect(err[2]).toMatch(/^6-3 区政协六届三次会议 \(2019\): 184 proposals, \d+ steps: \d+ appended, 0 already recorded in/);
    const report = out.join('\n');
    expect(report).toContain('示例');
    expect(report).toContain('+2.1 pt');
    expect(report).toContain('+8.7 pt');
  });

  it('names units by their directory codes, and the trail by the name each had then: 区环保局 until the 2019 reorganisation', async () => {
    const events = await withStore((store) => store.readAll({ filter: { streamPrefixes: [`proposal-${config.defaultTenant}:`, `directory-${config.defaultTenant}:`] } }));
    const directory = events.filter((e) => e.stream.startsWith('directory-'));
    expect(directory[0]).toMatchObject({ type: 'directory.unit-registered.v1', data: { code: 'fgw', fullName: '区发展和改革委员会', shortName: '区发展改革委' } });
    expect(directory.filter((e) => e.type === 'directory.member-registered.v1')).toHaveLength(260);
    expect(directory.filter((e) => e.type === 'directory.unit-changed.v1').map((e) => (e.data as { code: string }).code)).toEqual(
      expect.arrayContaining(['sthjj', 'wsjkw', 'nyncw', 'ghzyj', 'yjj', 'whlyj']),
    );
    const assigned = events.filter((e) => e.type === 'proposal.assigned.v1');
    expect(new Set(assigned.map((e) => (e.data as { leadUnit: string }).leadUnit))).toContain('sthjj');
    const sthjjNames = new Map<string, Set<string>>();
    for (const e of events) {
      const meta = e.metadata as { occurredAt: string; names?: { units: Record<string, string> } };
      const name = meta.names?.units.sthjj;
      if (!name || e.stream.startsWith('directory-')) continue;
      const year = meta.occurredAt.slice(0, 4);
      sthjjNames.set(year, new Set([...(sthjjNames.get(year) ?? []), name]));
    }
    expect(Object.fromEntries([...sthjjNames].map(([year, names]) => [year, [...names]]))).toEqual({
      '2017': ['区环保局'],
      '2018': ['区环保局'],
      '2019': ['区生态环境局'],
    });
  });

  it('appends nothing when 2019 is replayed again', async () => {
    const before = await withStore((store) => store.headPosition());
    err = [];
    expect(await replayCommand(['2019'], io())).toBe(0);
    expect(await withStore((store) => store.headPosition())).toBe(before);
    expect(err[0]).toMatch(/: 0 appended, \d+ already recorded in/);
  }, 60_000);
});
