import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp({ config, logLevel: config.logLevel });
  await app.listen(config.port, config.host);
  Logger.log(`listening on http://${config.host}:${config.port} (event store: ${config.eventStore}, data: ${config.dataDir})`, 'Api');
}

void main();
