import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@app/identity';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { SHUTDOWN_COMMENT } from '../../apps/api/src/read/feed.controller.js';
import { TEST_DIRECTORY } from '../support/api.js';
import { freePort, ServiceProcess } from '../support/service-process.js';

/**
 * The service as an operator runs it (the built `npm start`), stopped by SIGTERM as a supervisor stops it: the
 * request under way is answered, the open feed ends with a last comment, the projections stop at a checkpoint
 * with everything applied, the stores close, the process says what it did and exits 0 — or 1 once the grace
 * period is over. A port already taken is one line and exit code 1.
 */
const SECRET = 'shutdown-test-secret-of-at-least-32-chars';
const token = (sub: string, role: string, unit?: string) => mintToken(SECRET, { sub, role: role as 'office', ...(unit ? { unit } : {}) });
const office = token('o-1', 'office');
const committee = token('c-1', 'committee');
const member = token('m-1', 'member');
const unit = token('u-1', 'unit', 'fgw');
const auditor = token('a-1', 'auditor');

interface Started {
  readonly service: ServiceProcess;
  readonly base: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly dir: string;
}

async function start(env: Record<string, string> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-shutdown-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const service = new ServiceProcess({ PORT: String(port), METRICS_PORT: String(metricsPort), DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_FORMAT: 'json', ...env });
  const base = `http://127.0.0.1:${port}`;
  await service.healthy(base);
  return { service, base, port, metricsPort, dir };
}

async function post(base: string, path: string, auth: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** A proposal assigned to fgw, ready for visits. */
async function assigned(base: string): Promise<string> {
  expect((await post(base, '/directory/import', office, TEST_DIRECTORY)).status).toBe(200);
  expect((await post(base, '/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 })).status).toBe(201);
  const filed = await post(base, '/proposals', member, { session: '6-3', title: '关于加强老旧小区改造的建议', body: '建议……', category: 'urban-rural' });
  expect(filed.status).toBe(201);
  const id = filed.body.id as string;
  expect((await post(base, `/proposals/${id}/register`, committee, {})).status).toBe(200);
  expect((await post(base, `/proposals/${id}/assign`, office, { leadUnit: 'fgw' })).status).toBe(200);
  return id;
}

/**
 * A command whose body arrives in two parts: sent up to `split` bytes, it is under way at the server until
 * `finish()` sends the rest. Resolves `answered` with the response.
 */
function slowCommand(port: number, path: string, auth: string, body: unknown, split = 10) {
  const text = JSON.stringify(body);
  let request!: ClientRequest;
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (response: IncomingMessage) => {
        let received = '';
        response.setEncoding('utf8').on('data', (c: string) => (received += c)).on('end', () => resolve({ status: response.statusCode ?? 0, body: received }));
      },
    );
    request.on('error', reject);
  });
  request.write(text.slice(0, split));
  return { answered, finish: () => request.end(text.slice(split)) };
}

/** Resolves once the service counts `n` requests in flight (its own gauge, read from /metrics). */
async function inFlight(metricsPort: number, n: number): Promise<void> {
  for (let scrape = 0; scrape < 200; scrape++) {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    if (new RegExp(`^cppcc_http_requests_in_flight ${n}$`, 'm').test(text)) return;
  }
  throw new Error(`the service never counted ${n} requests in flight`);
}

/** An open GET /feed, read as it arrives. */
async function openFeed(base: string) {
  const response = await fetch(`${base}/feed`, { headers: { authorization: `Bearer ${auditor}` } });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (done: (text: string, ended: boolean) => boolean) => {
    for (;;) {
      const chunk = await reader.read();
      if (!chunk.done) text += decoder.decode(chunk.value, { stream: true });
      if (done(text, chunk.done)) return text;
      if (chunk.done) throw new Error(`the feed ended: ${text}`);
    }
  };
  return { readUntil };
}

const logged = (service: ServiceProcess) => service.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);

describe('SIGTERM', () => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.service.stop();
    if (started) rmSync(started.dir, { recursive: true, force: true });
    started = undefined;
  });

  it('answers the request under way, ends the feed with a last comment, stops the projections at the head, closes the stores and exits 0', async () => {
    started = await start({ SHUTDOWN_GRACE_MS: '20000' });
    const { service, base, port, metricsPort, dir } = started;
    const id = await assigned(base);
    const feed = await openFeed(base);
    await feed.readUntil((text) => text.includes('event: proposal.assigned.v1'));

    const visit = slowCommand(port, `/proposals/${id}/visits`, unit, { stage: 'before', visitorRank: 'principal', form: 'in-person' });
    await inFlight(metricsPort, 2); // the feed and the visit
    service.signal('SIGTERM');
    const shuttingDown = await service.line((l) => l.includes('SIGTERM: shutting down'));
    expect(JSON.parse(shuttingDown)).toMatchObject({ level: 'info', context: 'Shutdown', feeds: 1, inFlight: 1 });

    const ending = await feed.readUntil((_text, ended) => ended);
    expect(ending.endsWith(SHUTDOWN_COMMENT)).toBe(true);

    visit.finish();
    const answered = await visit.answered;
    expect(answered.status).toBe(200);
    const { position } = JSON.parse(answered.body) as { position: number };

    expect(await service.exited).toEqual({ code: 0, signal: null });
    const messages = logged(service).filter((l) => l.context === 'Shutdown').map((l) => l.msg as string);
    expect(messages).toEqual([
      expect.stringMatching(/^SIGTERM: shutting down within 20000 ms: ended 1 event feeds; no new connections; draining 1 requests$/),
      expect.stringMatching(/^HTTP drained in \d+ ms$/),
      `projections stopped at checkpoint ${position} (the log's head: ${position})`,
      expect.stringMatching(/^stores closed; shut down in \d+ ms, exiting with 0$/),
    ]);

    // What the stores hold after the exit: the drained command's event is the head, and every read model has it.
    const events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    const readStore = new SqliteReadStore({ path: join(dir, 'read-models.sqlite') });
    try {
      expect(await events.headPosition()).toBe(position);
      const checkpoints = await readStore.checkpoints();
      expect(checkpoints.size).toBeGreaterThan(0);
      expect([...checkpoints.values()].every((p) => p === position)).toBe(true);
    } finally {
      await events.close();
      await readStore.close();
    }
  }, 240_000);

  it('is not held by a feed its client closed (logged once, when it closed), even with long keep-alives', async () => {
    started = await start({ SHUTDOWN_GRACE_MS: '20000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000', HTTP_IDLE_TIMEOUT_MS: '300000' });
    const { service, base, metricsPort } = started;
    const aborted = new AbortController();
    const response = await fetch(`${base}/feed`, { headers: { authorization: `Bearer ${auditor}`, 'x-request-id': 'feed-closed-by-client' }, signal: aborted.signal });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    aborted.abort();
    await inFlight(metricsPort, 0);
    service.signal('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    const drained = logged(service).find((l) => l.context === 'Shutdown' && /^HTTP drained/.test(l.msg));
    expect(drained?.drainedMs).toBeLessThan(5_000);
    expect(logged(service).filter((l) => l.requestId === 'feed-closed-by-client')).toEqual([expect.objectContaining({ context: 'HTTP', route: '/feed', status: 200 })]);
  }, 240_000);

  it('exits 1 once SHUTDOWN_GRACE_MS is over, naming what was still under way', async () => {
    started = await start({ SHUTDOWN_GRACE_MS: '1000' });
    const { service, port, metricsPort, base } = started;
    const id = await assigned(base);
    const stuck = slowCommand(port, `/proposals/${id}/visits`, unit, { stage: 'before', visitorRank: 'principal', form: 'in-person' });
    stuck.answered.catch(() => undefined); // the connection dies with the process
    await inFlight(metricsPort, 1);
    const signalled = Date.now();
    service.signal('SIGTERM');
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(logged(service).at(-1)).toMatchObject({
      level: 'error',
      context: 'Shutdown',
      msg: 'still shutting down after SHUTDOWN_GRACE_MS=1000 ms (1 requests in flight): exiting with 1',
    });
  }, 240_000);
});

describe('a port already taken', () => {
  let blocker: Server;
  let taken: number;
  let dir: string;
  let service: ServiceProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-port-'));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    taken = (blocker.address() as { port: number }).port;
  });
  afterEach(() => service?.stop());
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['PORT', async () => ({ PORT: String(taken), METRICS_PORT: String(await freePort()) })],
    ['METRICS_PORT', async () => ({ PORT: String(await freePort()), METRICS_PORT: String(taken) })],
  ])('%s: one readable line naming it, no stack trace, exit code 1', async (variable, ports) => {
    service = new ServiceProcess({ ...(await ports()), DATA_DIR: dir, AUTH_SECRET: SECRET });
    expect(await service.exited).toEqual({ code: 1, signal: null });
    const failure = service.lines.filter((l) => l.includes('cannot listen'));
    expect(failure).toEqual([expect.stringContaining(`FATAL: [Api] cannot listen on 127.0.0.1:${taken}: the port is in use: another process listens there (${variable}); exiting with 1`)]);
    expect(service.lines.at(-1)).toBe(failure[0]);
    expect(service.output).not.toMatch(/^\s+at /m);
    expect(service.output).not.toMatch(/successfully started/);
  }, 240_000);
});
