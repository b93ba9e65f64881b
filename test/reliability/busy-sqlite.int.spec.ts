import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { busyNeighbour } from '../support/busy-neighbour.js';

/**
 * The embedded stores beside another writer on the same file (the replay beside the service, `npm run rebuild`
 * beside its projections): a write waits for the lock (busy_timeout) instead of failing at once with
 * "database is locked". A transaction that reads before it writes fails at once when another connection commits in
 * between, whatever busy_timeout says; one that takes the write lock first never does.
 */
describe('the SQLite stores beside another writer on the same file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-busy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges every append to the event store: none refused with SQLITE_BUSY', async () => {
    const store = new SqliteEventStore({ path: join(dir, 'events.sqlite'), synchronous: 'normal' });
    const neighbour = busyNeighbour(join(dir, 'events.sqlite'));
    const refused: string[] = [];
    try {
      await neighbour.started;
      for (let i = 0; i < 1_000; i++) {
        const event = { id: randomUUID(), type: 'test.appended.v1', data: { i }, metadata: {} as never };
        await store.append(`proposal-test:${i % 40}`, [event], 'any').catch((error: { code?: string }) => refused.push(error.code ?? String(error)));
      }
      const { commits } = await neighbour.stop();
      expect(commits).toBeGreaterThan(0);
      expect(refused).toEqual([]);
      expect(await store.headPosition()).toBe(1_000);
    } finally {
      await neighbour.stop();
      await store.close();
    }
  }, 60_000);

  it('commits every batch of the read store: none refused with SQLITE_BUSY', async () => {
    const readStore = new SqliteReadStore({ path: join(dir, 'read-models.sqlite') });
    await readStore.ensure([{ name: 'things', fields: { n: 'number' }, indexes: [] }]);
    const neighbour = busyNeighbour(join(dir, 'read-models.sqlite'));
    const refused: string[] = [];
    try {
      await neighbour.started;
      for (let i = 0; i < 1_000; i++) {
        const batch = { writes: [{ collection: 'things', id: `t${i}`, doc: { id: `t${i}`, n: i }, previous: null }], checkpoints: { 'things@1': { from: i === 0 ? null : i, to: i + 1 } } };
        await readStore.commit(batch).catch((error: { code?: string }) => refused.push(error.code ?? String(error)));
      }
      const { commits } = await neighbour.stop();
      expect(commits).toBeGreaterThan(0);
      expect(refused).toEqual([]);
      expect(await readStore.checkpoints()).toEqual(new Map([['things@1', 1_000]]));
    } finally {
      await neighbour.stop();
      await readStore.close();
    }
  }, 60_000);
});
