import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@app/config';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp({ config, logLevel: config.logLevel });
  await app.listen(config.port, config.host);
  Logger.log(`listening on http://${config.host}:${config.port} (event store: ${config.eventStore}, data: ${config.dataDir})`, 'Api');
}

void main();
