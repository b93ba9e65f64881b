import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describeEventStoreContract('SQLite (in memory)', async () => new SqliteEventStore({ path: ':memory:' }));

describe('the embedded store', () => {
  it('stores the JSON text an event comes with, as given: the text its writer hashed', async () => {
    const store = new SqliteEventStore({ path: ':memory:' });
    try {
      const data = { title: '垃圾分类', body: '建议' };
      const metadata = { actor: { id: 'm-1', role: 'member' }, hash: 'ab' };
      // The keys in another order than JSON.stringify would write them from the objects.
      const json = { data: '{"body":"建议","title":"垃圾分类"}', metadata: '{"hash":"ab","actor":{"role":"member","id":"m-1"}}' };
      await store.append('proposal-jinshan:p1', [{ id: 'e-1', type: 'proposal.filed.v2', data, metadata, json }], 'no_stream');
      await store.append('proposal-jinshan:p1', [{ id: 'e-2', type: 'proposal.visited.v1', data, metadata }], 0);
      const rows = store.db.prepare('SELECT data, metadata FROM events ORDER BY position').all();
      expect(rows).toEqual([json, { data: JSON.stringify(data), metadata: JSON.stringify(metadata) }]);
      expect((await store.readStream('proposal-jinshan:p1')).map((e) => e.data)).toEqual([data, data]);
    } finally {
      await store.close();
    }
  });
});
