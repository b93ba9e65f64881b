import { connect } from 'node:net';
import { ConfigError, loadConfig } from '@app/config';
import { assignedProposal, startedApi } from '../support/api.js';

/** What a raw connection saw: what the server sent, and how long after connecting the server closed it. */
interface Probe {
  readonly received: string;
  readonly closedAfterMs: number | 'still open';
}

/**
 * Opens a TCP connection, lets `talk` write to it, and waits at most `limitMs` for the server to close it.
 * `talk` gets a `closed` signal to stop trickling.
 */
function probe(port: number, limitMs: number, talk: (write: (text: string) => void, closed: () => boolean) => void): Promise<Probe> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const give = (closedAfterMs: Probe['closedAfterMs']) => {
      clearTimeout(limit);
      socket.destroy();
      resolve({ received, closedAfterMs });
    };
    const limit = setTimeout(() => give('still open'), limitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      give(Date.now() - started);
    });
    socket.on('connect', () => talk((text) => !closed && socket.write(text), () => closed));
  });
}

/** Calls `step` every `everyMs` until the connection is closed. */
const trickle = (everyMs: number, closed: () => boolean, step: () => void): void => {
  const timer = setInterval(() => (closed() ? clearInterval(timer) : step()), everyMs);
};

describe('HTTP timeouts: idle and trickling connections are closed, the event feed is not', () => {
  // Short limits so the spec runs in seconds; the defaults are 30 s, 5 s and 30 s (README, Configuration).
  const { api, people } = startedApi({
    HTTP_REQUEST_TIMEOUT_MS: '1000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    HTTP_IDLE_TIMEOUT_MS: '2000',
    FEED_HEARTBEAT_SECONDS: '1',
    READ_YOUR_WRITES_TIMEOUT_MS: '1000',
  });
  const port = () => Number(new URL(api.baseUrl).port);

  it('closes a connection that sends nothing, one that trickles its headers or its body, and an idle kept-alive one', async () => {
    const [silent, headers, body, keptAlive] = await Promise.all([
      probe(port(), 6_000, () => undefined),
      // A byte every 200 ms: never idle, but the request never completes (was open for minutes).
      probe(port(), 6_000, (write, closed) => {
        write('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
        trickle(200, closed, () => write('a'));
      }),
      probe(port(), 6_000, (write, closed) => {
        write(`POST /proposals HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${people.member}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"title":"`);
        trickle(200, closed, () => write('x'));
      }),
      probe(port(), 6_000, (write) => write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n')),
    ]);
    for (const cut of [silent, headers, body]) expect(cut.closedAfterMs).toEqual(expect.any(Number));
    for (const cut of [silent, headers, body]) expect(cut.closedAfterMs).toBeLessThan(3_000);
    expect(headers.received).toMatch(/^HTTP\/1\.1 408/);
    expect(body.received).toMatch(/^HTTP\/1\.1 408/);
    // As problem+json, like every refusal (Fastify's default answer was its own JSON shape).
    for (const cut of [headers, body]) expect(cut.received).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    // The kept-alive connection got its answer, then was closed after about a second of waiting for another request.
    expect(keptAlive.received).toMatch(/^HTTP\/1\.1 200/);
    expect(keptAlive.closedAfterMs).toEqual(expect.any(Number));
    expect(keptAlive.closedAfterMs).toBeLessThan(3_000);
  }, 15_000);

  it('keeps the event feed open past the request and idle timeouts, with heartbeats, and delivers new events on it', async () => {
    const abort = new AbortController();
    const response = await fetch(`${api.baseUrl}/feed`, { headers: { authorization: `Bearer ${people.service}` }, signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the feed ended after: ${text.slice(-200)}`);
        text += decoder.decode(chunk.value);
      }
    };
    try {
      // Three heartbeats (1 s apart): longer than the 1 s request timeout and the 2 s idle timeout.
      const started = Date.now();
      await readUntil(() => (text.match(/: heartbeat/g) ?? []).length >= 3);
      expect(Date.now() - started).toBeGreaterThan(2_500);
      const id = await assignedProposal(api, people);
      await readUntil(() => text.includes(`"stream":"proposal-jinshan:${id}"`) && text.includes('proposal.assigned.v1'));
    } finally {
      abort.abort();
    }
  }, 15_000);

  it('reads the limits from the environment, and refuses an idle timeout the feed or a read-your-writes wait would outlast', () => {
    const defaults = loadConfig({});
    expect({
      request: defaults.httpRequestTimeoutMs,
      keepAlive: defaults.httpKeepAliveTimeoutMs,
      idle: defaults.httpIdleTimeoutMs,
    }).toEqual({ request: 30_000, keepAlive: 5_000, idle: 30_000 });
    expect(loadConfig({ FEED_HEARTBEAT_SECONDS: '60' }).httpIdleTimeoutMs).toBe(120_000);
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: '10000', FEED_HEARTBEAT_SECONDS: '15' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: '4000' })).toThrow(/HTTP_IDLE_TIMEOUT_MS must be longer than/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });
});
