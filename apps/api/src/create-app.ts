import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ReadModels, type RuntimeOptions } from '@app/runtime';
import { ApiModule } from './app.module.js';
import { replyToCommands } from './http/command-request.js';
import { jsonBodyParser } from './http/json-body.js';
import { problem } from './http/problem.js';
import { serveOpenApi } from './openapi/serve.js';
import { createLogger, NestLogger, type Logger, type LogLevelSetting } from './operations/logger.js';
import { ApiMetrics } from './operations/metrics.js';
import { observeRequests, requestIdOf } from './operations/requests.js';
import { FeedController } from './read/feed.controller.js';

const BODY_LIMIT = 1024 * 1024;

export interface AppOptions extends RuntimeOptions {
  /** LOG_LEVEL, or `silent` (the specs). */
  readonly logLevel?: LogLevelSetting;
  /** Default: one made from the configuration (LOG_FORMAT) and the level, writing to standard output. */
  readonly logger?: Logger;
  /** Default: metrics of this app alone, without the process's (main.ts passes the ones it serves). */
  readonly metrics?: ApiMetrics;
}

/** The answer to a request Node's parser refused, as problem+json, then the connection is closed (as Fastify does). */
function clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? problem(408, 'the request was not received in time', [{ field: 'request', reason: 'not received in time' }])
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? problem(431, 'the request line and headers are larger than 16 KB', [{ field: 'headers', reason: 'larger than 16 KB' }])
        : problem(400, 'the request is not valid HTTP', [{ field: 'request', reason: 'not valid HTTP' }]);
  const text = JSON.stringify(body);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${body.status} ${body.title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  socket.destroy(error);
}

export async function createApp(options: AppOptions = {}): Promise<NestFastifyApplication> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? config.logLevel, format: config.logFormat });
  const metrics = options.metrics ?? new ApiMetrics({ processMetrics: false });
  const requestTimeout = config.httpRequestTimeoutMs;
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot({ ...options, config, commandObserver: metrics }),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT,
      trustProxy: true,
      // The request id (X-Request-Id when the caller's is a plain token) is logged with the request and becomes the
      // correlation id of the events it records, unless the caller gave one (X-Correlation-Id).
      genReqId: requestIdOf,
      requestIdHeader: false,
      // Without these an idle or trickling connection stayed open for minutes. The request timeout bounds the
      // receipt of a request only: a long response (the event feed) is not cut by it, and its heartbeats keep
      // it from being idle.
      requestTimeout,
      keepAliveTimeout: config.httpKeepAliveTimeoutMs,
      connectionTimeout: config.httpIdleTimeoutMs,
      http: {
        requestTimeout,
        headersTimeout: requestTimeout,
        // Node checks the two timeouts above only this often (30 s by default, which would double a 30 s limit).
        connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(requestTimeout / 10))),
      },
      // Node's HTTP parser's refusals — a request line and headers over 16 KB (431), a request not received within
      // HTTP_REQUEST_TIMEOUT_MS (408), bytes that are not HTTP (400) — are written to the socket before any route or
      // filter sees them: Fastify's default wrote its own JSON shape, not problem+json.
      clientErrorHandler: clientError,
      // The router's own refusals (a malformed or overlong path) leave as problem+json too.
      frameworkErrors: (error: { code?: string; message: string }, request: FastifyRequest, reply: FastifyReply) => {
        const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
        const body = tooLong
          ? problem(404, 'no such resource: a path segment is longer than any id')
          : problem(400, 'the URL is not valid', [{ field: 'url', reason: error.message }]);
        void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send({ ...body, instance: request.url });
      },
    }),
    { logger: new NestLogger(logger), abortOnError: false },
  );
  // Before Nest registers its default JSON parser (at init), which would then step aside for this one.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, jsonBodyParser(app.getHttpAdapter().getInstance()));
  serveOpenApi(app); // GET /openapi.json and /docs, public: they document the routes, not data
  observeRequests(app.getHttpAdapter().getInstance(), logger, metrics);
  replyToCommands(app.getHttpAdapter().getInstance()); // before init: Fastify gives a route the hooks added before it
  // No shutdown hooks on signals here: main.ts drains and closes in its own order (operations/shutdown.ts), and a
  // spec's app is closed by the spec.
  await app.init();
  const feed = app.get(FeedController);
  const readModels = app.get(ReadModels);
  metrics.watch({ projections: () => readModels.status(), store: app.get<EventStore>(EVENT_STORE), feedClients: () => feed.open.size });
  return app;
}
