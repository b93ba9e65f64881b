import { jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readStoreFile } from '@app/config';
import { allProjections } from '@app/runtime';
import { startProjector, type Projector } from '../../apps/projector/src/projector.js';
import { ensureDirectory, ensureSession, startedApi, TEST_SECRET, type TestApi } from '../support/api.js';

/**
 * Busy stores and stopped projections as an operator meets them: the README's demo order (the service running, the
 * replay in a second terminal), GET /ready when the read models lag or a projection stopped, and a projector that
 * exits so that its supervisor restarts it. The replay and the projector run as processes of their own (built, as
 * `npm run` runs them), because the lock they fought over is between processes.
 */

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** A built entry point as `npm run` starts it (building first when the sources are newer), on the API's data. */
function runBuilt(api: TestApi, entry: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['scripts/run-built.mjs', entry, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_OPTIONS: '', DATA_DIR: api.config.dataDir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Drops a read model's tables behind the service's back: a read store that no waiting will repair. */
function breakReadModel(api: TestApi, collection: string): void {
  const db = new Database(readStoreFile(api.config));
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ?").pluck().all(`c_${collection}*`) as string[];
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) db.exec(`DROP TABLE "${table}"`);
  } finally {
    db.close();
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T | string> =>
  Promise.race([promise, new Promise<string>((resolve) => setTimeout(() => resolve(`${what}: not within ${ms} ms`), ms).unref())]);

const PROBLEM = /^application\/problem\+json/;

describe('the README demo order: the service running, then the replay in a second process', () => {
  const { api, people } = startedApi();

  it('keeps projecting through the replay: a filing made afterwards is listed, and ?minPosition= answers 200', async () => {
    const replay = runBuilt(api, 'dist/apps/cli/src/main.js', ['replay', 'all']);
    expect(await withTimeout(replay.exited, 240_000, 'the replay')).toBe(0);
    // Neither the service's projections nor any of the replay's own stopped on the lock.
    expect(replay.output()).not.toMatch(/projections stopped|database is locked/);
    expect(replay.output()).toMatch(/6-3 区政协六届三次会议 \(2019\): 184 proposals, \d+ steps: \d+ appended/);

    // The replay filled the directory with the demo's members; the specs' own people join them.
    await ensureDirectory(api, people);
    const title = '回放之后提交的提案：社区食堂延时服务';
    const filed = await api.post('/proposals', people.member, { session: '6-3', title, body: '建议延长社区食堂服务时间。', category: 'livelihood' });
    expect(filed.status).toBe(201);
    const listed = await api.get(`/proposals?q=${encodeURIComponent(title)}&minPosition=${filed.body.position}`, people.office);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([filed.body.id]);
    // Every replayed filing is in the read models too: the seed's 184 of 2019, and this one.
    const figures = await api.get(`/sessions/6-3/statistics?minPosition=${filed.body.position}`, people.office);
    expect(figures.status).toBe(200);
    expect(figures.body.filed).toBe(185);

    const ready = await api.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    for (const p of ready.body.projections) expect(p.position).toBeGreaterThanOrEqual(filed.body.position);
  }, 300_000);

  it('answers /health without asking the event store anything', async () => {
    const asked = [jest.spyOn(api.store, 'headPosition'), jest.spyOn(api.store, 'readAll')];
    try {
      for (let i = 0; i < 10; i++) {
        const health = await api.get('/health');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', eventStore: 'sqlite' });
      }
      for (const spy of asked) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of asked) spy.mockRestore();
    }
  });
});

describe('GET /ready with the projections in a process of their own', () => {
  const { api, people } = startedApi({ IN_PROCESS_PROJECTIONS: 'false', READY_MAX_LAG_SECONDS: '30' });
  let projector: Projector | undefined;
  afterAll(() => projector?.close());

  it('answers 503 naming the lagging projection while nothing projects, and 200 with the positions once caught up', async () => {
    const idle = await api.get('/ready');
    expect(idle.status).toBe(200);
    expect(idle.body).toMatchObject({ status: 'ready', maxLagSeconds: 30 });

    await ensureSession(api, people);
    const filed = await api.post('/proposals', people.member, { session: '6-3', title: '加装电梯的建议', body: '建议为老旧小区加装电梯。', category: 'urban-rural' });
    expect(filed.status).toBe(201);
    // Two minutes later, still nothing has projected it.
    api.clock.set(new Date(Date.now() + 120_000).toISOString());
    const lagging = await api.get('/ready');
    expect(lagging.status).toBe(503);
    expect(lagging.headers.get('content-type')).toMatch(PROBLEM);
    expect(lagging.headers.get('retry-after')).toBe('5');
    const names = allProjections(api.config).map((p) => p.name);
    expect(lagging.body).toMatchObject({ status: 503, title: 'Service Unavailable', instance: '/ready' });
    expect(lagging.body.detail).toMatch(/^not ready: projection (\S+) lags 1[12]\d(\.\d)? s behind the event log .*READY_MAX_LAG_SECONDS=30/);
    expect(names).toContain(/projection (\S+) lags/.exec(lagging.body.detail)?.[1]);

    projector = await startProjector(api.config, 'silent');
    expect((await api.get(`/proposals/${filed.body.id}?minPosition=${filed.body.position}`, people.office)).status).toBe(200);
    const ready = await api.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.projections.map((p: { name: string }) => p.name)).toEqual(names);
    for (const p of ready.body.projections) expect(p).toMatchObject({ position: filed.body.position, secondsBehind: 0 });
  });
});

describe('GET /ready when a projection stopped on a failure waiting will not cure', () => {
  const { api, people } = startedApi({ READ_YOUR_WRITES_TIMEOUT_MS: '3000' });

  it('answers 503 naming the projection and the cause, while /health stays 200', async () => {
    await ensureSession(api, people);
    const first = await api.post('/proposals', people.member, { session: '6-3', title: '第一件', body: '建议。', category: 'other' });
    expect((await api.get(`/proposals/${first.body.id}?minPosition=${first.body.position}`, people.office)).status).toBe(200);
    expect((await api.get('/ready')).status).toBe(200);

    const proposals = allProjections(api.config)[0];
    breakReadModel(api, proposals.collection.name);
    const second = await api.post('/proposals', people.member, { session: '6-3', title: '第二件', body: '建议。', category: 'other' });
    expect(second.status).toBe(201);
    expect((await api.get(`/proposals?minPosition=${second.body.position}`, people.office)).status).toBe(503);

    const ready = await api.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(PROBLEM);
    expect(ready.body.detail).toMatch(new RegExp(`^not ready: projection ${proposals.name} stopped at position \\d+: SqliteError: no such table`));
    expect((await api.get('/health')).status).toBe(200);
  });
});

describe('the projector process', () => {
  const { api, people } = startedApi({ IN_PROCESS_PROJECTIONS: 'false' });
  let projector: Run | undefined;
  afterAll(async () => {
    if (projector && projector.child.exitCode === null) {
      projector.child.kill('SIGKILL');
      await projector.exited;
    }
  });

  it('exits with code 1 when a projection cannot go on, so that its supervisor restarts it', async () => {
    const port = await freePort();
    projector = runBuilt(api, 'dist/apps/projector/src/main.js', [], { PROJECTOR_STATUS_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'log' });
    const deadline = Date.now() + 240_000;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (Date.now() > deadline || projector.child.exitCode !== null) throw new Error(`the projector did not start:\n${projector.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await ensureSession(api, people);
    const first = await api.post('/proposals', people.member, { session: '6-3', title: '第一件', body: '建议。', category: 'other' });
    expect((await api.get(`/proposals/${first.body.id}?minPosition=${first.body.position}`, people.office)).status).toBe(200);

    const proposals = allProjections(api.config)[0];
    breakReadModel(api, proposals.collection.name);
    expect((await api.post('/proposals', people.member, { session: '6-3', title: '第二件', body: '建议。', category: 'other' })).status).toBe(201);

    expect(await withTimeout(projector.exited, 30_000, 'the projector exiting')).toBe(1);
    expect(projector.output()).toMatch(new RegExp(`cannot go on \\(ProjectionFailed: projection ${proposals.name} failed at position \\d+: SqliteError: no such table`));
  }, 300_000);
});
