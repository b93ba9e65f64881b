import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore, type EventStore, type RecordedEvent, type Subscription } from '@app/event-store';
import { SqliteReadStore, type ReadStore } from '@app/read-store';
import { proposalScript, seededRandom, seedWorkloadDirectory } from '../../../bench/workload.js';
import { busyNeighbour } from '../../../test/support/busy-neighbour.js';
import { auditProjection, proposalsProjection, readiness, sessionsProjection, type Projection } from './index.js';
import { expectedDocs, storedDocs } from './testing/expected-docs.js';
import { ProjectionRunner, type RetryNotice } from './runner.js';

const projections = [proposalsProjection(480), sessionsProjection, auditProjection] as Projection[];
const allDocs = (readStore: ReadStore, of: readonly Projection[] = projections) => storedDocs(readStore, of);
const expectedOf = (store: EventStore, of: readonly Projection[] = projections) => expectedDocs(store, of);
/** What better-sqlite3 throws when another process committed to the read store in the middle of this commit. */
const locked = () => new Database.SqliteError('database is locked', 'SQLITE_BUSY_SNAPSHOT');
const fast = { initialDelayMs: 1, maxDelayMs: 20 };



describe('the projection runner beside another writer on the read-models file', () => {
  it('projects every event and never stops, through real SQLITE_BUSY errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-runner-'));
    const store = new SqliteEventStore({ path: join(dir, 'events.sqlite'), synchronous: 'normal' });
    const readStore = new SqliteReadStore({ path: join(dir, 'read-models.sqlite') });
    let now = Date.parse('2019-02-01T01:00:00Z');
    const processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    const runner = new ProjectionRunner(store, readStore, projections, { batchSize: 20, retry: fast });
    const stopped: unknown[] = [];
    let retries = 0;
    runner.on('stopped', (error: unknown) => stopped.push(error));
    runner.on('retry', () => retries++);
    const neighbour = busyNeighbour(join(dir, 'read-models.sqlite'));
    try {
      await runner.start();
      await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
      await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
      const random = seededRandom(3);
      for (let n = 0; n < 40; n++) {
        for (const { actor, command } of proposalScript(`p${n}`, '6-3', n, random)) await commandHandlers(processor).proposals.handle(`p${n}`, { tenant: 'jinshan', caller: actor, command });
      }
      expect(await runner.waitFor(await store.headPosition(), 20_000)).toBe(true);
      const { commits } = await neighbour.stop();
      expect(commits).toBeGreaterThan(0);
      expect(stopped).toEqual([]);
      expect(await allDocs(readStore)).toEqual(await expectedOf(store));
      // How often the lock struck varies with the machine; it is printed, not asserted.
      process.stdout.write(`runner beside a busy neighbour: ${retries} retries, the neighbour committed ${commits} times\n`);
    } finally {
      await neighbour.stop().catch(() => undefined);
      await runner.stop();
      await readStore.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the projection runner on a store that is busy for a while', () => {
  let store: SqliteEventStore;
  let readStore: SqliteReadStore;
  let processor: CommandProcessor;
  let runner: ProjectionRunner | undefined;
  let n = 0;
  const random = seededRandom(11);
  let now = Date.parse('2019-02-01T01:00:00Z');

  const handle = async (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      const id = `p${n}`;
      for (const { actor, command } of proposalScript(id, '6-3', n, random)) await commandHandlers(processor).proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
    }
  };

  /** Records what an operator would see of the runner: its retries, recoveries and stops. */
  const watch = (r: ProjectionRunner) => {
    const seen = { retries: [] as RetryNotice[], recovered: 0, stopped: [] as unknown[] };
    r.on('retry', (notice: RetryNotice) => seen.retries.push(notice));
    r.on('recovered', () => seen.recovered++);
    r.on('stopped', (error: unknown) => seen.stopped.push(error));
    return seen;
  };

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:', synchronous: 'normal' });
    readStore = new SqliteReadStore({ path: ':memory:' });
    processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
    await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await readStore.close();
    await store.close();
  });

  it('waits out a locked read store, follows again from its checkpoints, and catches up without ever stopping', async () => {
    // Locked for the next eight commits and two checkpoint reads, as while another process writes the same file.
    let failingCommits = 8;
    let failingReads = 2;
    const busy: ReadStore = Object.assign(Object.create(readStore) as ReadStore, {
      commit: async (...args: Parameters<ReadStore['commit']>) => {
        if (failingCommits > 0 && failingCommits--) throw locked();
        return readStore.commit(...args);
      },
      checkpoints: async (...args: Parameters<ReadStore['checkpoints']>) => {
        if (failingCommits < 8 && failingReads > 0 && failingReads--) throw locked();
        return readStore.checkpoints(...args);
      },
    });
    runner = new ProjectionRunner(store, busy, projections, { batchSize: 20, retry: fast });
    const seen = watch(runner);
    await runner.start();
    await handle(15);

    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    expect(await allDocs(readStore)).toEqual(await expectedOf(store));
    expect(seen.stopped).toEqual([]);
    expect(runner.failed()).toBe(false);
    expect(runner.health()).toEqual({});
    expect(seen.retries).toHaveLength(10);
    expect(seen.retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Bounded: each pause at most the ceiling, and at least half of its exponential step.
    for (const { attempt, delayMs } of seen.retries) {
      expect(delayMs).toBeLessThanOrEqual(fast.maxDelayMs);
      expect(delayMs).toBeGreaterThanOrEqual(Math.min(fast.maxDelayMs, 2 ** (attempt - 1)) / 2 - 0.5);
    }
    expect(seen.recovered).toBe(1);

    // Locked again later: it retries again, from one.
    failingCommits = 3;
    await handle(2);
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    expect(seen.retries.slice(10).map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(await allDocs(readStore)).toEqual(await expectedOf(store));
    expect(seen.stopped).toEqual([]);
  });

  it('reports that it is retrying, and why, while the lock lasts', async () => {
    let locking = true;
    const busy: ReadStore = Object.assign(Object.create(readStore) as ReadStore, {
      commit: async (...args: Parameters<ReadStore['commit']>) => {
        if (locking) throw locked();
        return readStore.commit(...args);
      },
    });
    runner = new ProjectionRunner(store, busy, projections, { retry: fast });
    const seen = watch(runner);
    await runner.start();
    await handle(1);
    const thirdRetry = new Promise((resolve) => runner?.on('retry', (r: RetryNotice) => r.attempt >= 3 && resolve(r)));
    await thirdRetry;
    expect(runner.health().retrying).toMatchObject({ error: expect.stringContaining('database is locked') });
    expect(runner.health().retrying?.attempts).toBeGreaterThanOrEqual(3);
    // Not ready once the oldest waiting event is older than the limit (a clock a minute ahead): the cause says why.
    const answer = await readiness(store, runner.checkpoints(), projections, {
      maxLagSeconds: 30,
      clock: () => new Date(Date.now() + 60_000),
      runner: runner.health(),
    });
    expect(answer.ready).toBe(false);
    expect(answer.cause).toMatch(/lags 6\d(\.\d)? s behind the event log .*retrying since .*database is locked/);

    locking = false;
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    expect(runner.health()).toEqual({});
    expect(seen.stopped).toEqual([]);
    expect((await readiness(store, runner.checkpoints(), projections, { maxLagSeconds: 30, runner: runner.health() })).ready).toBe(true);
  });

  it('follows again when the subscription itself fails on a dropped connection', async () => {
    let drops = 2;
    const flaky: EventStore = Object.assign(Object.create(store) as EventStore, {
      subscribeToAll: (options: Parameters<EventStore['subscribeToAll']>[0]): Subscription => {
        const inner = store.subscribeToAll(options);
        const drop = drops-- > 0;
        let delivered = 0;
        async function* iterate(): AsyncGenerator<RecordedEvent> {
          for await (const event of inner) {
            if (drop && ++delivered > 7) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
            yield event;
          }
        }
        return { [Symbol.asyncIterator]: () => iterate(), unsubscribe: () => inner.unsubscribe() };
      },
    });
    await handle(3);
    runner = new ProjectionRunner(flaky, readStore, projections, { batchSize: 5, retry: fast });
    const seen = watch(runner);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    expect(seen.retries.map((r) => (r.error as { code?: string }).code)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect(seen.stopped).toEqual([]);
    expect(await allDocs(readStore)).toEqual(await expectedOf(store));
  });

  it('stops on a failure that retrying would not cure, says which projection and why, and answers waits at once', async () => {
    // The sessions projection with a bug: it trips over every filing.
    const sessions = projections[1];
    const broken: Projection = {
      ...sessions,
      evolve: (doc, e) => {
        if (e.event.type === 'ProposalFiled') throw new TypeError("Cannot read properties of undefined (reading 'year')");
        return sessions.evolve(doc, e);
      },
      keyOf: (e) => (e.event.type === 'ProposalFiled' ? 'x' : sessions.keyOf(e)),
    };
    const of = [projections[0], broken, projections[2]];
    runner = new ProjectionRunner(store, readStore, of, { retry: fast });
    const seen = watch(runner);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await handle(1);
    const filed = (await store.readAll()).find((e) => e.type.startsWith('proposal.filed')) as RecordedEvent;

    const started = Date.now();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen.retries).toEqual([]);
    expect(seen.stopped).toHaveLength(1);
    expect(runner.failed()).toBe(true);
    expect(runner.health().stopped).toEqual({ projections: [broken.name], position: filed.position, error: expect.stringContaining('TypeError') });
    const answer = await readiness(store, runner.checkpoints(), of, { maxLagSeconds: 30, runner: runner.health() });
    expect(answer).toMatchObject({ ready: false, cause: expect.stringMatching(new RegExp(`^projection ${broken.name} stopped at position ${filed.position}: TypeError`)) });
  });

  it('stops when the read store itself is beyond repair, naming every projection of the batch', async () => {
    const corrupt: ReadStore = Object.assign(Object.create(readStore) as ReadStore, {
      commit: async () => {
        throw new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT');
      },
    });
    runner = new ProjectionRunner(store, corrupt, projections, { retry: fast });
    const seen = watch(runner);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(false);
    expect(seen.retries).toEqual([]);
    expect(seen.stopped).toHaveLength(1);
    expect(runner.health().stopped).toMatchObject({ projections: projections.map((p) => p.name), error: expect.stringContaining('malformed') });
  });

  it('stops promptly, also in the middle of a pause between retries', async () => {
    const busy: ReadStore = Object.assign(Object.create(readStore) as ReadStore, {
      commit: async () => {
        throw locked();
      },
    });
    runner = new ProjectionRunner(store, busy, projections, { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    await runner.start();
    await new Promise((resolve) => runner?.once('retry', resolve));
    const started = Date.now();
    await runner.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runner.failed()).toBe(false);
    runner = undefined;
  });
});
