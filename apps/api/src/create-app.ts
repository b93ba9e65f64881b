import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeOptions } from '@app/runtime';
import { ApiModule } from './app.module.js';
import { problem } from './http/problem.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

export async function createApp(options: RuntimeOptions & { logLevel?: LogLevel | 'silent' } = {}): Promise<NestFastifyApplication> {
  const level = options.logLevel ?? 'log';
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(options),
    new FastifyAdapter({
      bodyLimit: 1024 * 1024,
      trustProxy: true,
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
  app.enableShutdownHooks();
  await app.init();
  return app;
}
