import 'reflect-metadata';
import type { Server } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit, type AppConfig } from '@app/config';
import { createApp } from './create-app.js';
import { createLogger, type Logger } from './operations/logger.js';
import { ApiMetrics } from './operations/metrics.js';
import { listenForMetrics } from './operations/metrics-server.js';
import { shutDownOnSignals } from './operations/shutdown.js';

/** Why a port cannot be had, in one line naming the variable that chooses it; undefined for any other failure. */
function portProblem(error: unknown, variable: string, host: string, port: number): string | undefined {
  const code = (error as { code?: unknown })?.code;
  const why: Record<string, string> = {
    EADDRINUSE: 'the port is in use: another process listens there',
    EACCES: 'this user may not listen on that port',
    EADDRNOTAVAIL: 'the address is not one of this machine’s',
  };
  return typeof code === 'string' && why[code] ? `cannot listen on ${host}:${port}: ${why[code]} (${variable})` : undefined;
}

async function listen(app: NestFastifyApplication, config: AppConfig, logger: Logger, metrics: ApiMetrics): Promise<Server | undefined> {
  let step = { variable: 'PORT', host: config.host, port: config.port };
  try {
    await app.listen(config.port, config.host);
    if (config.metricsPort === 0) return undefined;
    step = { variable: 'METRICS_PORT', host: config.metricsHost, port: config.metricsPort };
    return await listenForMetrics(metrics, config.metricsPort, config.metricsHost);
  } catch (error) {
    const problem = portProblem(error, step.variable, step.host, step.port);
    if (!problem) throw error;
    logger.fatal({ context: 'Api', code: (error as { code: string }).code, host: step.host, port: step.port }, `${problem}; exiting with 1`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}

/**
 * Above this heap limit the API runs without the bound `npm start` and the image give it (--max-old-space-size=512):
 * V8 then lets the heap grow to up to four times what is live before it collects (docs/deployment.md, "Memory").
 */
const UNBOUNDED_HEAP_MB = 2048;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  try {
    const metrics = new ApiMetrics();
    const app = await createApp({ config, logger, metrics });
    const metricsServer = await listen(app, config, logger, metrics);
    shutDownOnSignals(app, { graceMs: config.shutdownGraceMs, logger, metrics, metricsServer });
    const metricsAt = metricsServer ? `metrics on http://${config.metricsHost}:${config.metricsPort}/metrics` : 'no metrics (METRICS_PORT=0)';
    const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    logger.info(
      { context: 'Api', port: config.port, host: config.host, metricsPort: config.metricsPort, eventStore: config.eventStore, readStore: config.readStore, dataDir: config.dataDir, heapLimitMb },
      `listening on http://${config.host}:${config.port}, ${metricsAt} (event store: ${config.eventStore}, data: ${config.dataDir}, heap limit ${heapLimitMb} MB)`,
    );
    if (heapLimitMb >= UNBOUNDED_HEAP_MB)
      logger.warn(
        { context: 'Api', heapLimitMb },
        `V8's heap limit is ${heapLimitMb} MB: started without npm start's --max-old-space-size=512, the heap may grow to four times what is live before V8 collects it (docs/deployment.md, Memory)`,
      );
  } catch (error) {
    logger.fatal({ context: 'Api', err: error }, `the service could not start: ${String(error)}`);
    process.exit(1);
  }
}

void main();
