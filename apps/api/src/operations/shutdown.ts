import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { PROJECTED_STREAMS } from '@app/projections';
import { ReadModels } from '@app/runtime';
import { FeedController } from '../read/feed.controller.js';
import type { Logger } from './logger.js';
import type { ApiMetrics } from './metrics.js';

export interface ShutdownOptions {
  /** SHUTDOWN_GRACE_MS: past it the process exits with 1, whatever is still under way. */
  readonly graceMs: number;
  readonly logger: Logger;
  readonly metrics: ApiMetrics;
  readonly metricsServer?: Server;
}

/** SIGTERM (a supervisor's stop) and SIGINT (Ctrl-C) shut the service down in order, then the process exits 0. */
export function shutDownOnSignals(app: NestFastifyApplication, options: ShutdownOptions): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn({ context: 'Shutdown' }, `${signal} again: already shutting down, within SHUTDOWN_GRACE_MS=${options.graceMs} ms`);
      return;
    }
    shuttingDown = true;
    void shutDown(app, signal, options).then((code) => process.exit(code));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The order matters: the feeds end first (each with a last comment), or the server would wait for them forever;
 * then no new connection is accepted and the requests under way finish (new requests on a kept-alive connection
 * get a 503 with `Connection: close`); then the projections apply what those requests appended and stop at a
 * checkpoint; then the stores close. Each step is logged. Resolves with the exit code: 0, or 1 if a step failed;
 * past the grace period the process exits with 1 at once.
 */
export async function shutDown(app: NestFastifyApplication, signal: string, options: ShutdownOptions): Promise<number> {
  const { graceMs, logger, metrics } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const log = (message: string, fields: Record<string, unknown> = {}) => logger.info({ context: 'Shutdown', ...fields }, message);
  const overdue = setTimeout(() => {
    logger.error({ context: 'Shutdown', inFlight: metrics.inFlight }, `still shutting down after SHUTDOWN_GRACE_MS=${graceMs} ms (${metrics.inFlight} requests in flight): exiting with 1`);
    process.exit(1);
  }, graceMs);
  try {
    const feed = app.get(FeedController);
    const feeds = feed.open.size;
    feed.beforeApplicationShutdown();
    const inFlight = metrics.inFlight - feeds;
    log(`${signal}: shutting down within ${graceMs} ms: ended ${feeds} event feeds; no new connections; draining ${inFlight} requests`, { signal, feeds, inFlight });

    // Node closes the idle kept-alive connections once, at close; the others are closed here once they are idle, and
    // all that remain once no request is under way (a client's half-closed feed connection would hold the close).
    const server: Server = app.getHttpServer();
    const idle = setInterval(() => (metrics.inFlight === 0 ? server.closeAllConnections() : server.closeIdleConnections()), 50);
    try {
      await app.getHttpAdapter().getInstance().close();
    } finally {
      clearInterval(idle);
    }
    log(`HTTP drained in ${elapsed()} ms`, { drainedMs: elapsed() });

    const store = app.get<EventStore>(EVENT_STORE);
    const readModels = app.get(ReadModels);
    const runner = readModels.running() ? readModels.runner : undefined;
    const head = await store.headPosition();
    if (runner) {
      // What the drained requests appended, if it is a short way off: a far-behind runner resumes at the next start.
      const behind = await store.readAll({ fromPosition: runner.position(), maxCount: 10_000, filter: PROJECTED_STREAMS });
      const target = behind.at(-1)?.position ?? runner.position();
      if (behind.length < 10_000) await runner.waitFor(target, Math.max(0, graceMs - elapsed() - 500));
    }

    await app.close(); // the runner stops at a checkpoint (ReadModels), then the event store and read store close
    if (runner) {
      const checkpoint = runner.position();
      log(`projections stopped at checkpoint ${checkpoint} (the log's head: ${head})`, { checkpoint, head });
    }
    await new Promise<void>((resolve) => (options.metricsServer ? options.metricsServer.close(() => resolve()) : resolve()));
    log(`stores closed; shut down in ${elapsed()} ms, exiting with 0`, { shutdownMs: elapsed() });
    return 0;
  } catch (error) {
    logger.error({ context: 'Shutdown', err: error }, `shutting down failed after ${elapsed()} ms: ${String(error)}; exiting with 1`);
    return 1;
  } finally {
    clearTimeout(overdue);
  }
}
