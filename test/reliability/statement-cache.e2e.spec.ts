import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { mintToken, type TokenClaims } from '@app/identity';
import { READ_STORE, SqliteReadStore, STATEMENT_CACHE_SIZE } from '@app/read-store';
import { createApp } from '../../apps/api/src/create-app.js';
import { TEST_DIRECTORY, TEST_SECRET } from '../support/api.js';
import { TestClock } from '../support/clock.js';

/**
 * Memory a caller without a token can make the service hold: every distinct `?page=&pageSize=` of
 * `GET /public/answers` once made the SQLite read store prepare and keep one more statement, forever. 20,000 distinct
 * pairs now leave the statement cache at or under its bound, and the heap after a full collection about where it was.
 * The statements themselves live in SQLite's memory, outside the heap: the cache bound is what counts them. RSS is
 * printed but not asserted: V8 keeps the pages of a heap that grew, so RSS rises with 20,000 identical requests too.
 * The requests go over a socket: Fastify's injection would be faster, but light-my-request's cookie module does not
 * load under Jest's ESM support.
 */
const PAIRS = 20_000;
const PAGE_SIZES = 200; // the largest pageSize the API accepts
const CLIENTS = 8;
/** What 20,000 requests may leave on the heap once collected: about 2 MB now; the leak's map of texts left about 7. */
const HEAP_GROWTH_LIMIT_MB = 5;

/** A full garbage collection, so that heap figures compare what is still reachable. Jest does not expose `gc`. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

describe('GET /public/answers with 20,000 distinct page/pageSize pairs', () => {
  let app: NestFastifyApplication;
  let dir: string;
  const clock = new TestClock();
  const token = (claims: TokenClaims) => mintToken(TEST_SECRET, claims);
  const office = token({ sub: 'o-1', role: 'office', name: '区政府办公室' });
  const committee = token({ sub: 'c-1', role: 'committee', name: '区政协提案委' });
  const member = token({ sub: 'm-1', role: 'member', name: '张委员' });
  const lead = token({ sub: 'u-1', role: 'unit', unit: 'fgw' });
  let position = 0;
  let base = '';

  const post = async (url: string, bearer: string, payload: unknown = {}) => {
    const reply = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    if (reply.status >= 300) throw new Error(`${url}: ${reply.status} ${await reply.text()}`);
    const body = (await reply.json()) as { id: string; position: number };
    position = Math.max(position, body.position);
    return body;
  };
  const answers = async (query: string) => {
    // A kept-alive connection the server closed just as the client reused it (timers run late on a busy machine) is a
    // transport error, not an answer: asked again once.
    const reply = await fetch(`${base}/public/answers?${query}`).catch(() => fetch(`${base}/public/answers?${query}`));
    return { status: reply.status, body: (await reply.json()) as { items: { title: string }[]; total: number } };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-e2e-'));
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal' });
    app = await createApp({ config, clock: clock.read, logLevel: 'silent' });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await post('/directory/import', office, TEST_DIRECTORY);
    await post('/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 });
    for (const title of ['关于科学规范设立充电桩的建议', '关于加强中小学校食堂建设和管理的建议', '关于加强中小企业危废处置的建议']) {
      const { id } = await post('/proposals', member, { session: '6-3', title, body: '……', category: 'economy' });
      await post(`/proposals/${id}/register`, committee);
      await post(`/proposals/${id}/assign`, office, { leadUnit: 'fgw' });
      await post(`/proposals/${id}/answers`, lead, { category: 'A', text: '已办理。', publish: true });
      await post(`/proposals/${id}/publication`, office);
    }
    expect((await answers(`minPosition=${position}`)).body.total).toBe(3);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the statement cache within its bound and the heap where it was', async () => {
    const gc = collector();
    const readStore = app.get(READ_STORE) as SqliteReadStore;
    // Warm up with one shape repeated, so that first-use costs (JIT, lazy modules) are not counted as growth.
    for (let i = 0; i < 500; i++) expect((await answers('page=1&pageSize=20')).status).toBe(200);
    gc();
    const before = process.memoryUsage();
    const started = performance.now();
    // A few clients at a time, as a crawler would send them.
    let next = 0;
    const client = async () => {
      for (let i = next++; i < PAIRS; i = next++) {
        const reply = await answers(`page=${1 + Math.floor(i / PAGE_SIZES)}&pageSize=${1 + (i % PAGE_SIZES)}`);
        if (reply.status !== 200) expect(reply).toMatchObject({ status: 200 });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const seconds = (performance.now() - started) / 1000;
    gc();
    const after = process.memoryUsage();
    process.stdout.write(
      `statement cache: ${readStore.statementCacheSize()} statements (bound ${STATEMENT_CACHE_SIZE}) after ${PAIRS} distinct pairs in ${seconds.toFixed(1)} s; ` +
        `rss ${mb(before.rss)} → ${mb(after.rss)} MB, heapUsed after GC ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB\n`,
    );
    expect(readStore.statementCacheSize()).toBeLessThanOrEqual(STATEMENT_CACHE_SIZE);
    expect((after.heapUsed - before.heapUsed) / 2 ** 20).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    // Paging is still right with the limit and offset bound as parameters.
    expect((await answers('page=1&pageSize=2')).body.items).toHaveLength(2);
    expect(await answers('page=2&pageSize=2')).toMatchObject({ status: 200, body: { total: 3, items: [expect.anything()] } });
    expect((await answers('page=3&pageSize=2')).body.items).toHaveLength(0);
  }, 300_000);
});
