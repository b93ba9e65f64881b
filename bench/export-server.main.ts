import 'reflect-metadata';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { eventStoreFile, loadConfig, readStoreFile } from '@app/config';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { rebuildReadModels } from '@app/projections';
import { allProjections } from '@app/runtime';
import { createApp } from '../apps/api/src/create-app.js';

/**
 * The API process of `npm run bench:export`, alone in its process so that its peak memory is the export's:
 *   export-server.main.js prepare DATA_DIR EVENT_LOG   links the log into DATA_DIR and builds its read models once
 *   export-server.main.js serve DATA_DIR               serves the API as `npm start` does, without running the
 *                                                      projections (they are built); answers IPC `memory` with its
 *                                                      peak resident set and `stop`
 */
const BENCH_SECRET = 'bench-secret-of-at-least-thirty-two-characters';

const env = (dataDir: string) => ({ DATA_DIR: dataDir, AUTH_SECRET: BENCH_SECRET, SQLITE_SYNCHRONOUS: 'normal', IN_PROCESS_PROJECTIONS: 'false', LOG_LEVEL: 'error' });

async function prepare(dataDir: string, log: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const config = loadConfig(env(dataDir));
  if (!existsSync(eventStoreFile(config))) symlinkSync(log, eventStoreFile(config));
  const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
  const readStore = new SqliteReadStore({ path: readStoreFile(config), synchronous: 'normal' });
  try {
    const projections = allProjections(config);
    await readStore.ensure(projections.map((p) => p.collection));
    const result = await rebuildReadModels(store, readStore, projections);
    process.stderr.write(`  read models built: ${result.events.toLocaleString('en-US')} events in ${result.seconds.toFixed(0)} s\n`);
  } finally {
    await readStore.close();
    await store.close();
  }
}

async function serve(dataDir: string): Promise<void> {
  const config = loadConfig(env(dataDir));
  const app = await createApp({ config, logLevel: 'error' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const send = (message: object) => process.send?.(message);
  // Where the peak is: process.memoryUsage() every few ms, the sample of the highest resident set kept (V8's heap,
  // buffers outside it, and the rest: code, SQLite, the allocator).
  let peak: NodeJS.MemoryUsage | undefined;
  setInterval(() => {
    const now = process.memoryUsage();
    if (!peak || now.rss > peak.rss) peak = now;
  }, 10).unref();
  process.on('message', (message: string) => {
    if (message === 'memory') send({ maxRss: process.resourceUsage().maxRSS * 1024, rss: process.memoryUsage().rss, peak });
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  send({ port: typeof address === 'object' && address ? address.port : 0, maxRss: process.resourceUsage().maxRSS * 1024 });
}

const [mode, dataDir, log] = process.argv.slice(2);
(mode === 'prepare' ? prepare(join(dataDir), log) : serve(dataDir)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
