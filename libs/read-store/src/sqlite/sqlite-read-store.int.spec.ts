import { describeReadStoreContract } from '../read-store.contract.js';
import { SqliteReadStore } from './sqlite-read-store.js';

describeReadStoreContract('SQLite (in memory)', async () => new SqliteReadStore({ path: ':memory:' }));

describe('SQLite read store: indexes of a newer declaration', () => {
  it('adds the indexes a collection is declared with later, and keeps its documents', async () => {
    const store = new SqliteReadStore({ path: ':memory:' });
    const fields = { tenant: 'string', session: 'string', status: 'string' } as const;
    await store.ensure([{ name: 'things', fields, indexes: [['tenant', 'session']] }]);
    await store.commit({ writes: [{ collection: 'things', id: 'a', doc: { id: 'a', tenant: 't', session: '6-3', status: 'filed' } }], checkpoints: {} });
    await store.ensure([{ name: 'things', fields, indexes: [['tenant', 'session'], ['tenant', 'status']] }]);
    const indexed = (store.db.pragma('index_list("c_things")') as { name: string }[]).map((i) =>
      (store.db.pragma(`index_info("${i.name}")`) as { name: string }[]).map((c) => c.name).join(','),
    );
    expect(indexed).toEqual(expect.arrayContaining(['tenant,session', 'tenant,status']));
    expect(indexed.filter((i) => i === 'tenant,session')).toHaveLength(1);
    expect((await store.find('things', { filter: { status: 'filed' } })).total).toBe(1);
    await store.close();
  });
});
