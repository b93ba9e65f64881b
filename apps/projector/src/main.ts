import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@app/config';
import { startProjector, statusServer } from './projector.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const projector = await startProjector(config, config.logLevel);
  const port = Number(process.env.PROJECTOR_STATUS_PORT ?? 3001);
  const server = statusServer(projector, port, config.host);
  const logger = new Logger('Projector');
  logger.log(`projecting (event store: ${config.eventStore}, read store: ${config.readStore}); status on :${port}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing the batch in hand and storing its checkpoint`);
    server.close();
    await projector.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
