import { createServer, type Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { anchorRecorderFor, ReminderScheduler } from '@app/command-handling';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { CLOCK, ReadModels, RuntimeModule, Webhooks, type Clock } from '@app/runtime';

export interface Projector {
  readonly app: INestApplicationContext;
  readonly readModels: ReadModels;
  /**
   * Settles with the error when the projections stop on a failure that retrying would not cure (a busy or
   * unreachable store is waited out and never settles it): the process cannot go on and should exit.
   */
  readonly stopped: Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The projections as a process of their own: follows the configured event store and keeps the configured read
 * store up to date. Closing it finishes the batch in hand and stores its checkpoint first.
 */
export async function startProjector(config: AppConfig, logLevel: LogLevel | 'silent' = 'log'): Promise<Projector> {
  const levels: LogLevel[] = ['error', 'warn', 'log', 'debug'];
  const app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config: { ...config, inProcessProjections: true } }), {
    logger: logLevel === 'silent' ? false : levels.slice(0, levels.indexOf(logLevel) + 1),
  });
  await app.init();
  const readModels = app.get(ReadModels);
  // The daily anchor of the trail (docs/trail.md) is recorded where the projections run: here, when they run apart.
  const anchors = anchorRecorderFor(config, app.get<EventStore>(EVENT_STORE), 'projector', new Logger('Trail'), app.get<Clock>(CLOCK));
  anchors?.start();
  // So are the reminders and escalations (docs/domain.md, "Reminders and escalation"), and webhooks are delivered.
  const reminders = app.get(ReminderScheduler);
  reminders.start();
  const webhooks = app.get(Webhooks);
  await webhooks.startDelivering();
  const close = async () => {
    await reminders.stop();
    await webhooks.stopDelivering();
    await anchors?.stop();
    await app.close();
  };
  return { app, readModels, stopped: readModels.stopped, close };
}

/**
 * Runs until the projections stop on a failure they cannot retry, then closes and answers the exit code 1, so that
 * the supervisor (compose's `restart`, systemd, Kubernetes) starts the projector again and the failure shows as
 * restarts, not as a process that idles with stale read models. SIGTERM and SIGINT close it and answer 0.
 */
export async function runProjector(projector: Projector, signals: AbortSignal, onStop: (error: unknown) => void = () => undefined): Promise<number> {
  const aborted = new Promise<'signal'>((resolve) => {
    if (signals.aborted) resolve('signal');
    else signals.addEventListener('abort', () => resolve('signal'), { once: true });
  });
  const outcome = await Promise.race([projector.stopped.then((error) => ({ error })), aborted]);
  if (outcome !== 'signal') onStop(outcome.error);
  await projector.close().catch(() => undefined);
  return outcome === 'signal' ? 0 : 1;
}

/** GET / answers the projections' checkpoints and lag: 200 while running, 503 if they stopped. */
export function statusServer(projector: Projector, port: number, host: string): Server {
  const server = createServer((_, response) => {
    projector.readModels.status().then(
      (projections) => {
        const running = projector.readModels.running();
        response.writeHead(running ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: running ? 'ok' : 'stopped', projections }));
      },
      (error: unknown) => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'error', detail: String(error) }));
      },
    );
  });
  return server.listen(port, host);
}
