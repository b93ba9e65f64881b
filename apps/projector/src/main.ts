import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@app/config';
import { runProjector, startProjector, statusServer } from './projector.js';

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const projector = await startProjector(config, config.logLevel);
  const port = Number(process.env.PROJECTOR_STATUS_PORT ?? 3001);
  const server = statusServer(projector, port, config.host);
  const logger = new Logger('Projector');
  logger.log(`projecting (event store: ${config.eventStore}, read store: ${config.readStore}); status on :${port}`);
  const signals = new AbortController();
  const stop = (signal: string) => {
    if (signals.signal.aborted) return;
    logger.log(`${signal}: finishing the batch in hand and storing its checkpoint`);
    signals.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const code = await runProjector(projector, signals.signal, (error) =>
    logger.error(`the projections cannot go on (${String(error)}); exiting with code 1 for the supervisor to restart the projector`),
  );
  server.close();
  return code;
}

// A start that fails (a store that refuses the connection, a schema newer than this build) exits non-zero too.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    new Logger('Projector').error(`could not start: ${String(error)}`, (error as Error)?.stack);
    process.exit(1);
  },
);
