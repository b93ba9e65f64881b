import { loadConfig, type AppConfig } from '@app/config';
import type { EventStore } from '@app/event-store';
import type { ReadStore } from '@app/read-store';
import { allProjections, openEventStore, openReadStore } from '@app/runtime';
import type { Projection } from '@app/projections';

/** The stores as the service configures them, for jobs that need no Nest container; the read store only if used. */
export async function withStores<T>(
  job: (stores: { config: AppConfig; store: EventStore; readStore: ReadStore; projections: Projection[] }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const store = openEventStore(config);
  let readStore: ReadStore | undefined;
  try {
    return await job({
      config,
      store,
      get readStore() {
        return (readStore ??= openReadStore(config));
      },
      projections: allProjections(config),
    });
  } finally {
    await readStore?.close();
    await store.close();
  }
}

/** A one-line progress bar on stderr (redrawn in a terminal, every tenth otherwise). */
export function progressBar(label: string): (done: number, total: number, extra?: string) => void {
  let lastTenth = -1;
  return (done, total, extra = '') => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const bar = `${'█'.repeat(Math.round(ratio * 30))}${'░'.repeat(30 - Math.round(ratio * 30))}`;
    const text = `${label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}%  ${extra}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
    else if (Math.floor(ratio * 10) > lastTenth) {
      lastTenth = Math.floor(ratio * 10);
      process.stderr.write(`${text}\n`);
    }
  };
}
