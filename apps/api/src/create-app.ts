import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadConfig } from '@app/config';
import type { RuntimeOptions } from '@app/runtime';
import { ApiModule } from './app.module.js';
import { jsonBodyParser } from './http/json-body.js';
import { problem } from './http/problem.js';
import { serveOpenApi } from './openapi/serve.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];
const BODY_LIMIT = 1024 * 1024;

export async function createApp(options: RuntimeOptions & { logLevel?: LogLevel | 'silent' } = {}): Promise<NestFastifyApplication> {
  const level = options.logLevel ?? 'log';
  const config = options.config ?? loadConfig();
  const requestTimeout = config.httpRequestTimeoutMs;
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot({ ...options, config }),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT,
      trustProxy: true,
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
      // The router's own refusals (a malformed or overlong path) leave as problem+json too.
      frameworkErrors: (error: { code?: string; message: string }, request: FastifyRequest, reply: FastifyReply) => {
        const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
        const body = tooLong
          ? problem(404, 'no such resource: a path segment is longer than any id')
          : problem(400, 'the URL is not valid', [{ field: 'url', reason: error.message }]);
        void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send({ ...body, instance: request.url });
      },
    }),
    { logger: level === 'silent' ? false : LEVELS.slice(0, LEVELS.indexOf(level) + 1), abortOnError: false },
  );
  // Before Nest registers its default JSON parser (at init), which would then step aside for this one.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, jsonBodyParser(app.getHttpAdapter().getInstance()));
  serveOpenApi(app); // GET /openapi.json and /docs, public: they document the routes, not data
  app.enableShutdownHooks();
  await app.init();
  return app;
}
