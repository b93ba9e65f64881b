import type { AppConfig } from '@app/config';
import type { ReadStore } from '@app/read-store';
import type { ReadModels } from '@app/runtime';
import { SESSIONS, type SessionDoc } from '@app/projections';
import { StatisticsService } from './statistics.service.js';

/** A read store that counts the reads figures cost; one session 6-3 with no proposals. */
function countingStore() {
  const reads = { count: 0 };
  const session: SessionDoc = {
    id: 'jinshan:6-3', tenant: 'jinshan', session: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90,
    openedAt: '2019-01-05T02:00:00.000Z', supervisionVisits: [],
  };
  const store = {
    get: async (collection: string, id: string) => {
      reads.count++;
      return collection === SESSIONS && id === session.id ? session : null;
    },
    find: async () => {
      reads.count++;
      return { items: [], total: 0 };
    },
  } as unknown as ReadStore;
  return { store, reads };
}

describe('StatisticsService', () => {
  const config = { utcOffsetMinutes: 480 } as AppConfig;
  let position = 10;
  const readModels = { runner: { position: () => position }, projections: [] } as unknown as ReadModels;

  it('computes a session’s figures once per read-model position, for any number of callers', async () => {
    const { store, reads } = countingStore();
    const service = new StatisticsService(store, config, readModels);
    const all = await Promise.all(Array.from({ length: 16 }, () => service.session('jinshan', '6-3')));
    expect(new Set(all).size).toBe(1);
    expect(all[0]).toMatchObject({ session: '6-3', filed: 0, registered: 0 });
    const perComputation = reads.count;
    await service.session('jinshan', '6-3');
    expect(reads.count).toBe(perComputation);

    position = 11;
    await service.session('jinshan', '6-3');
    expect(reads.count).toBe(2 * perComputation);
  });

  it('keeps figures per as-of date apart, and does not keep a refusal', async () => {
    const { store, reads } = countingStore();
    const service = new StatisticsService(store, config, readModels);
    expect((await service.session('jinshan', '6-3', '2019-06-30')).asOf).toBe('2019-06-30');
    expect((await service.session('jinshan', '6-3')).asOf).toBeNull();
    await expect(service.session('jinshan', '6-4')).rejects.toThrow('no session 6-4');
    const before = reads.count;
    await expect(service.session('jinshan', '6-4')).rejects.toThrow('no session 6-4');
    expect(reads.count).toBeGreaterThan(before);
  });

  it('holds at most a bounded number of figures, whatever the callers ask for', async () => {
    const { store } = countingStore();
    const service = new StatisticsService(store, config, readModels);
    for (let day = 0; day < 1_000; day++) await service.session('jinshan', '6-3', new Date(Date.UTC(2019, 0, 1 + day)).toISOString().slice(0, 10));
    expect((service as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(256);
  });
});
