import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import type { RuntimeOptions } from '@app/runtime';
import { ApiModule } from './app.module.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

export async function createApp(options: RuntimeOptions & { logLevel?: LogLevel | 'silent' } = {}): Promise<NestFastifyApplication> {
  const level = options.logLevel ?? 'log';
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(options),
    new FastifyAdapter({ bodyLimit: 1024 * 1024, trustProxy: true }),
    { logger: level === 'silent' ? false : LEVELS.slice(0, LEVELS.indexOf(level) + 1), abortOnError: false },
  );
  app.enableShutdownHooks();
  await app.init();
  return app;
}
