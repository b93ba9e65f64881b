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
