import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseEventStream, type ServerSentEvent } from '../../apps/cli/src/sse.js';
import { tailCommand } from '../../apps/cli/src/tail.command.js';
import { FeedController, MAX_FEEDS_PER_CALLER } from '../../apps/api/src/read/feed.controller.js';
import { assignedProposal, cast, TestApi, type Cast } from '../support/api.js';

/** Reads the feed until `count` events arrived (or a heartbeat, when asked), then disconnects. */
async function readFeed(
  api: TestApi,
  token: string,
  options: { count: number; query?: string; lastEventId?: string; untilHeartbeat?: boolean },
): Promise<{ events: ServerSentEvent[]; heartbeat: boolean; status: number }> {
  const abort = new AbortController();
  const response = await fetch(`${api.baseUrl}/feed${options.query ?? ''}`, {
    headers: { authorization: `Bearer ${token}`, ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
    signal: abort.signal,
  });
  const events: ServerSentEvent[] = [];
  let heartbeat = false;
  if (!response.ok || !response.body) return { events, heartbeat, status: response.status };
  const body = response.body;
  const raw = (async function* () {
    for await (const chunk of body) {
      if (new TextDecoder().decode(chunk).includes(': heartbeat')) heartbeat = true;
      yield chunk;
      // A heartbeat dispatches no event: stop here once it came after everything asked for.
      if (options.untilHeartbeat && heartbeat && events.length >= options.count) return;
    }
  })();
  try {
    for await (const e of parseEventStream(raw)) {
      events.push(e);
      if (events.length >= options.count && !options.untilHeartbeat) break;
      if (options.untilHeartbeat && heartbeat && events.length >= options.count) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    abort.abort();
  }
  return { events, heartbeat, status: response.status };
}

describe('the event feed for other services', () => {
  const api = new TestApi();
  let people: Cast;

  beforeAll(async () => {
    await api.start({ FEED_HEARTBEAT_SECONDS: '1' });
    people = cast(api);
    await assignedProposal(api, people);
    await assignedProposal(api, people);
  });
  afterAll(() => api.stop());

  it('resumes from Last-Event-ID without losing or repeating an event, catching up and then live', async () => {
    const first = await readFeed(api, people.service, { count: 4 });
    expect(first.status).toBe(200);
    const checkpoint = first.events[first.events.length - 1].id as string;
    // Written while the consumer is away, and while it is connected again.
    const id = await assignedProposal(api, people);
    const later = readFeed(api, people.service, { count: (await api.store.readAll()).length - 4 + 1, lastEventId: checkpoint });
    await new Promise((r) => setTimeout(r, 100));
    await api.post(`/proposals/${id}/supervision`, people.office, { key: true });
    const rest = await later;
    const seen = [...first.events, ...rest.events].map((e) => Number(e.id));
    const log = (await api.store.readAll()).map((e) => e.position);
    expect(seen).toEqual(log);
    const last = JSON.parse(rest.events[rest.events.length - 1].data);
    expect(last).toMatchObject({ type: 'proposal.supervised.v1', stream: `proposal-jinshan:${id}`, data: { key: true }, metadata: { actor: { id: 'o-1' } } });
    expect(rest.events[rest.events.length - 1].event).toBe('proposal.supervised.v1');
  });

  it('filters by event type and by stream prefix, and starts from ?from=', async () => {
    const answered = await readFeed(api, people.auditor, { count: 2, query: '?types=proposal.registered.v1' });
    expect(answered.events.map((e) => e.event)).toEqual(['proposal.registered.v1', 'proposal.registered.v1']);
    const sessions = await readFeed(api, people.office, { count: 1, query: '?prefix=session' });
    expect(JSON.parse(sessions.events[0].data).stream).toBe('session-jinshan:6-3');
    const from = await readFeed(api, people.office, { count: 1, query: '?from=3' });
    expect(Number(from.events[0].id)).toBe(4);
  });

  it('sends heartbeats while idle', async () => {
    const all = (await api.store.readAll()).length;
    const idle = await readFeed(api, people.service, { count: all, untilHeartbeat: true });
    expect(idle.heartbeat).toBe(true);
  }, 10_000);

  it('keeps each jurisdiction to its own streams, and the feed to its readers', async () => {
    const elsewhere = api.token({ sub: 's-2', role: 'service', tenant: 'fengxian' });
    const office = api.token({ sub: 'o-2', role: 'office', tenant: 'fengxian' });
    await api.post('/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 });
    const theirs = await readFeed(api, elsewhere, { count: 1 });
    expect(JSON.parse(theirs.events[0].data).stream).toBe('session-fengxian:6-3');
    expect((await readFeed(api, elsewhere, { count: 1, query: '?prefix=proposal-jinshan:' })).status).toBe(400);
    expect((await readFeed(api, people.member, { count: 1 })).status).toBe(403);
    expect((await readFeed(api, people.service, { count: 1, lastEventId: 'abc' })).status).toBe(400);
  });

  it('npm run tail prints the events and resumes where it stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-tail-'));
    const checkpoint = join(dir, 'tail.position');
    const run = async (count: number) => {
      const lines: string[] = [];
      const stop = new AbortController();
      const done = tailCommand(['--url', api.baseUrl, '--token', people.service, '--checkpoint', checkpoint, '--prefix', 'proposal'], (line) => {
        lines.push(line);
        if (lines.length >= count) stop.abort();
      }, stop);
      await done;
      return lines;
    };
    try {
      const proposals = (await api.store.readAll()).filter((e) => e.stream.startsWith('proposal-jinshan:'));
      const firstRun = await run(5);
      const saved = Number(readFileSync(checkpoint, 'utf8'));
      expect(saved).toBe(proposals[4].position);
      const secondRun = await run(proposals.length - 5);
      const positions = [...firstRun, ...secondRun].map((l) => Number(l.trim().split(/\s+/)[0]));
      expect(positions).toEqual(proposals.map((e) => e.position));
      expect(firstRun[0]).toContain('proposal.filed.v2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('open feeds are bounded', () => {
  const api = new TestApi();
  let people: Cast;

  beforeAll(async () => {
    await api.start();
    people = cast(api);
    await assignedProposal(api, people);
  });
  afterAll(() => api.stop());

  /** A feed request on a socket of its own, which reads nothing: what the server sends piles up in between. */
  function stalledFeed(token: string): Socket {
    const socket = connect(Number(new URL(api.baseUrl).port), '127.0.0.1', () =>
      socket.write(`GET /feed?from=0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n\r\n`),
    );
    socket.pause();
    return socket;
  }

  /** Until `check` holds (the server acts on a closed socket when it notices): true, or false after 10 s. */
  async function eventually(check: () => boolean): Promise<boolean> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return check();
  }

  it('ends a feed whose client stopped reading and went away (it used to wait for a drain for good)', async () => {
    // 24 MB of events: more than the sockets in between take, so the server waits for the client to read.
    const big = 'x'.repeat(60_000);
    for (let batch = 0; batch < 8; batch++)
      await api.store.append(`proposal-jinshan:bulk-${batch}`, Array.from({ length: 50 }, () => ({ id: crypto.randomUUID(), type: 'test.bulk.v1', data: { big }, metadata: {} })));
    const open = api.service(FeedController).open;
    const sockets = [stalledFeed(people.auditor), stalledFeed(people.service)];
    expect(await eventually(() => open.size === 2)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the server fills what the sockets take, then waits
    for (const socket of sockets) socket.destroy();
    expect(await eventually(() => open.size === 0)).toBe(true);
  }, 30_000);

  it(`lets one caller hold ${MAX_FEEDS_PER_CALLER} feeds open at once; the next is a 429 until one closes`, async () => {
    const open = api.service(FeedController).open;
    const held = Array.from({ length: MAX_FEEDS_PER_CALLER }, () => stalledFeed(people.service));
    try {
      expect(await eventually(() => open.size === MAX_FEEDS_PER_CALLER)).toBe(true);
      const refused = await api.get('/feed', people.service);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.errors).toEqual([{ field: 'Authorization', reason: `holds ${MAX_FEEDS_PER_CALLER} open feeds, the most allowed` }]);
      // Another caller is not held back by this one's feeds.
      const other = await readFeed(api, people.auditor, { count: 1 });
      expect(other.status).toBe(200);
      held.pop()?.destroy();
      expect(await eventually(() => open.size === MAX_FEEDS_PER_CALLER - 1)).toBe(true);
      expect((await readFeed(api, people.service, { count: 1 })).status).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
    expect(await eventually(() => open.size === 0)).toBe(true);
  }, 30_000);
});
