import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from './logger.js';
import type { ApiMetrics } from './metrics.js';
import type { Refusal } from './refusal.js';

/**
 * An X-Request-Id a caller or a proxy sent is kept if it is a plain token (a UUID, a trace id); anything else — too
 * long, spaces, control characters, given twice — is replaced, so that it cannot forge or break a log line.
 */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Every request, once it is over: one log line (method, route template, path, status, duration, request id, and a
 * refusal's reason) and the HTTP metrics; and its request id in the response (X-Request-Id), among the reply's
 * headers (a hijacked reply, the feed, writes them itself). Not on the raw response: a header set there put every
 * response on Node's slow path, which sets and checks each of Fastify's headers once more (~1 µs a request).
 * "Over" is the response's `close`: after it was sent,
 * or when the client went away first — a feed the client closed is logged too, and a request abandoned before its
 * answer is counted as 499 (client closed request). The query string is not logged: it can carry a search.
 */
export function observeRequests(fastify: FastifyInstance, logger: Logger, metrics: ApiMetrics): void {
  // The request lines without the redaction net: their fields are the ones below and nothing else, none of which a
  // redacted path names, so it never changed a line — and it was two thirds of writing one (8 µs → 23–38 µs).
  const lines = logger.child({}, { redact: [] });
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    void reply.header('x-request-id', request.id);
    const ended = metrics.requestStarted();
    // `on`, not `once`: a response closes once, and is dropped with its listener.
    raw.on('close', () => {
      ended();
      const route = request.routeOptions.url ?? 'unmatched';
      const status = raw.headersSent ? raw.statusCode : 499;
      const ms = reply.elapsedTime;
      metrics.request(request.method, route, status, ms / 1000);
      const level = status >= 500 ? 'error' : 'info';
      if (!lines.isLevelEnabled(level)) return;
      const refusal: Refusal | undefined = request.refusal;
      const path = request.url.split('?')[0].slice(0, 300);
      const durationMs = Math.round(ms * 10) / 10;
      lines[level](
        { context: 'HTTP', requestId: request.id, method: request.method, route, path, status, durationMs, ...(refusal ? { refusal } : {}) },
        `${request.method} ${path} ${status} ${durationMs} ms${refusal ? ` (${refusal.reason})` : ''}`,
      );
    });
    done();
  });
}
