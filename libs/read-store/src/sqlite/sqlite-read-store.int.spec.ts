import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadStoreContract } from '../testing/read-store.contract.js';
import { RebuildSuperseded, type Filter } from '../read-store.js';
import { COUNT_CACHE_SIZE, SqliteReadStore, STATEMENT_CACHE_SIZE } from './sqlite-read-store.js';

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

describe('SQLite read store: the statement cache', () => {
  const def = {
    name: 'things',
    fields: { tenant: 'string', session: 'string', status: 'string', rank: 'number', units: 'array' },
    indexes: [['tenant', 'session', 'rank']],
    partition: 'tenant',
  } as const;
  const STATUSES = ['filed', 'registered', 'assigned', 'answered'];
  const things = Array.from({ length: 300 }, (_, i) => ({
    id: `t${String(i).padStart(3, '0')}`,
    tenant: i % 3 === 0 ? 'fengxian' : 'jinshan',
    session: `6-${1 + (i % 3)}`,
    status: STATUSES[i % 4],
    rank: i % 17,
    units: [`unit-${i % 7}`, `unit-${i % 11}`],
  }));
  type Thing = (typeof things)[number];
  const sorted = (docs: Thing[]) => [...docs].sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));

  const filled = async (statementCacheSize?: number) => {
    const store = new SqliteReadStore({ path: ':memory:', ...(statementCacheSize ? { statementCacheSize } : {}) });
    await store.ensure([def]);
    await store.commit({ writes: things.map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} });
    return store;
  };

  it('stays within its bound over thousands of distinct pages, page sizes, lists and id sets, and answers them right', async () => {
    const store = await filled();
    for (let i = 0; i < 3_000; i++) {
      const limit = 1 + (i % 97);
      const skip = (i * 7) % 311;
      const statuses = STATUSES.slice(0, 1 + (i % 4));
      const units = Array.from({ length: 1 + (i % 23) }, (_, k) => `unit-${(i + k) % 13}`);
      const filter = { tenant: 'jinshan', status: { $in: statuses }, units: { $in: units } };
      const page = await store.find<Thing>(def.name, { filter, sort: [['rank', 1]], skip, limit });
      const matching = sorted(things.filter((t) => t.tenant === 'jinshan' && statuses.includes(t.status) && t.units.some((u) => units.includes(u))));
      if (i % 100 === 0) {
        expect(page.items.map((t) => t.id)).toEqual(matching.slice(skip, skip + limit).map((t) => t.id));
        expect(page.total).toBe(matching.length);
      }
      const ids = things.slice(i % 50, (i % 50) + 1 + (i % 250)).map((t) => t.id);
      expect((await store.getMany(def.name, ids)).size).toBe(ids.length);
      expect(await store.count(def.name, { rank: { $nin: Array.from({ length: 1 + (i % 30) }, (_, k) => k) } })).toBe(things.filter((t) => t.rank > i % 30).length);
    }
    expect(store.statementCacheSize()).toBeGreaterThan(0);
    expect(store.statementCacheSize()).toBeLessThanOrEqual(STATEMENT_CACHE_SIZE);
    await store.close();
  });

  it('drops the least recently used statement beyond its bound, however many query shapes there are', async () => {
    const store = await filled(8);
    const optional = [{ session: '6-2' }, { status: 'assigned' }, { rank: { $gte: 3 } }, { units: 'unit-3' }, { status: { $ne: 'filed' } }, { session: { $in: ['6-1', '6-2'] } }];
    for (let mask = 0; mask < 2 ** optional.length; mask++) {
      const filter = Object.assign({ tenant: 'jinshan' }, ...optional.filter((_, k) => mask & (1 << k))) as Filter;
      for (const sort of [[['rank', 1]], [['rank', -1]], [['session', 1], ['rank', -1]]] as const) {
        const page = await store.find<Thing>(def.name, { filter, sort, limit: 5 });
        expect(page.items.length).toBe(Math.min(5, page.total));
        expect(store.statementCacheSize()).toBeLessThanOrEqual(8);
      }
    }
    // The one in use most recently is kept: asked again, it is found, not prepared anew.
    const prepare = jest.spyOn(store.db, 'prepare');
    await store.find(def.name, { filter: { tenant: 'jinshan', status: 'answered' }, sort: [['rank', 1]], limit: 5 });
    await store.find(def.name, { filter: { tenant: 'jinshan', status: 'filed' }, sort: [['rank', 1]], skip: 5, limit: 10 });
    expect(prepare.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith('SELECT id'))).toHaveLength(1);
    await store.close();
  });
});

describe('SQLite read store: counts kept between pages', () => {
  const def = { name: 'things', fields: { tenant: 'string', rank: 'number', units: 'array' }, indexes: [['tenant', 'rank']], partition: 'tenant' } as const;
  const thing = (i: number, tenant = 'jinshan') => ({ id: `${tenant}-${i}`, tenant, rank: i % 5, units: [`unit-${i % 3}`] });
  const put = (store: SqliteReadStore, ...docs: ReturnType<typeof thing>[]) =>
    store.commit({ writes: docs.map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} });
  const totals = async (store: SqliteReadStore) =>
    Promise.all([{ tenant: 'jinshan' }, { tenant: 'jinshan', units: 'unit-1' }, { tenant: 'jinshan', rank: { $gte: 2 } }].map(async (filter) => (await store.find(def.name, { filter, limit: 2 })).total));

  it('tells totals that change with every write: its own, another process\'s, a rebuild swapped in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-counts-'));
    const reader = new SqliteReadStore({ path: join(dir, 'read.sqlite') });
    const writer = new SqliteReadStore({ path: join(dir, 'read.sqlite') });
    try {
      await reader.ensure([def]);
      await writer.ensure([def]);
      await put(reader, ...Array.from({ length: 30 }, (_, i) => thing(i)));
      expect(await totals(reader)).toEqual([30, 10, 18]);
      expect(await totals(reader)).toEqual([30, 10, 18]);
      await put(writer, thing(30), thing(31));
      expect(await totals(reader)).toEqual([32, 11, 18]);
      await put(reader, thing(32), thing(33, 'fengxian'));
      expect(await totals(reader)).toEqual([33, 11, 19]);
      await reader.commit({ writes: [{ collection: def.name, id: 'jinshan-1', doc: null }], checkpoints: {} });
      expect(await totals(reader)).toEqual([32, 10, 19]);
      await reader.beginRebuild([def]);
      await reader.commit({ writes: [thing(4), thing(7)].map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} }, 'rebuild');
      await reader.swapRebuild([def]);
      expect(await totals(reader)).toEqual([2, 2, 2]);
      await writer.beginRebuild([def]);
      await writer.commit({ writes: [thing(1)].map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} }, 'rebuild');
      await writer.swapRebuild([def]);
      expect(await totals(reader)).toEqual([1, 1, 0]);
    } finally {
      await reader.close();
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps at most COUNT_CACHE_SIZE counts, however many filters are counted', async () => {
    const store = new SqliteReadStore({ path: ':memory:' });
    await store.ensure([def]);
    await put(store, ...Array.from({ length: 50 }, (_, i) => thing(i)));
    for (let i = 0; i < COUNT_CACHE_SIZE + 500; i++) expect(await store.count(def.name, { tenant: 'jinshan', rank: { $lt: i } })).toBe(10 * Math.min(5, i));
    expect(store.countCacheSize()).toBe(COUNT_CACHE_SIZE);
    // A count of a long list is answered, not kept (its key alone would be kilobytes).
    await store.commit({ writes: [], checkpoints: { p: { from: null, to: 1 } } });
    const ranks = Array.from({ length: 2_000 }, (_, i) => i);
    expect(await store.count(def.name, { tenant: 'jinshan', rank: { $in: ranks } })).toBe(50);
    expect(store.countCacheSize()).toBe(0);
    await store.close();
  });
});

describe('SQLite read store: array matches after the planner has statistics', () => {
  it('pages through a member-like (few) and a unit-like (many) match alike, whichever way each is read', async () => {
    const def = { name: 'things', fields: { tenant: 'string', rank: 'number', units: 'array' }, indexes: [['tenant', 'rank']], partition: 'tenant' } as const;
    const store = new SqliteReadStore({ path: ':memory:' });
    await store.ensure([def]);
    const docs = Array.from({ length: 2_000 }, (_, i) => ({ id: `t${String(i).padStart(4, '0')}`, tenant: i % 2 ? 'jinshan' : 'fengxian', rank: i % 37, units: [`unit-${i % 5}`, `member-${i % 400}`] }));
    await store.commit({ writes: docs.map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} });
    store.db.exec('ANALYZE');
    for (const value of ['unit-3', 'member-7', 'member-8']) {
      const want = docs.filter((d) => d.tenant === 'jinshan' && d.units.includes(value)).sort((a, b) => b.rank - a.rank || (a.id < b.id ? 1 : -1));
      for (const [skip, limit] of [[0, 2], [0, 20], [40, 20], [180, 20]]) {
        const page = await store.find(def.name, { filter: { tenant: 'jinshan', units: value }, sort: [['rank', -1]], skip, limit });
        expect([page.items.map((d) => d.id), page.total]).toEqual([want.slice(skip, skip + limit).map((d) => d.id), want.length]);
      }
    }
    await store.close();
  });
});

describe('SQLite read store: writes that know the stored document', () => {
  const def = {
    name: 'things',
    fields: { tenant: 'string', status: 'string', open: 'boolean', rank: 'number', units: 'array' },
    indexes: [['tenant', 'status'], ['tenant', 'rank']],
    partition: 'tenant',
    summary: ['status', 'note'],
  } as const;
  const thing = (id: string, fields: Record<string, unknown>) => ({ id, tenant: 't', status: 'filed', open: true, rank: 1, units: ['a'], ...fields });

  it('updates the changed query fields and keeps the others, as queries and the document show', async () => {
    const store = new SqliteReadStore({ path: ':memory:' });
    await store.ensure([def]);
    const before = thing('x', { note: 'one' });
    await store.commit({ writes: [{ collection: 'things', id: 'x', doc: before, previous: null }], checkpoints: {} });
    const after = thing('x', { status: 'assigned', open: false, note: 'two' });
    await store.commit({ writes: [{ collection: 'things', id: 'x', doc: after, previous: before }], checkpoints: {} });
    expect(await store.get('things', 'x')).toEqual(after);
    expect((await store.find('things', { filter: { tenant: 't', status: 'assigned', open: false } })).items).toEqual([after]);
    expect(await store.count('things', { status: 'filed' })).toBe(0);
    expect((await store.find('things', { filter: { tenant: 't', rank: 1, units: 'a' } })).items).toEqual([after]);
    // Only the document changed: the query fields stay as they were.
    const noted = { ...after, note: 'three' };
    await store.commit({ writes: [{ collection: 'things', id: 'x', doc: noted, previous: after }], checkpoints: {} });
    expect((await store.find('things', { filter: { tenant: 't', status: 'assigned' } })).items).toEqual([noted]);
    // The summary a list reads follows the document too.
    expect((await store.find('things', { filter: { tenant: 't' }, fields: ['status', 'note'] })).items).toEqual([{ id: 'x', status: 'assigned', note: 'three' }]);
    await store.close();
  });

  it('writes the whole row when the document it was told of is not stored after all', async () => {
    const store = new SqliteReadStore({ path: ':memory:' });
    await store.ensure([def]);
    const told = thing('y', {});
    const same = thing('y', { note: 'unchanged fields' });
    const moved = thing('z', { status: 'answered', rank: 7 });
    await store.commit(
      { writes: [{ collection: 'things', id: 'y', doc: same, previous: told }, { collection: 'things', id: 'z', doc: moved, previous: thing('z', {}) }], checkpoints: {} },
    );
    expect((await store.find('things', { filter: { tenant: 't' }, sort: [['rank', 1]] })).items).toEqual([same, moved]);
    expect((await store.find('things', { filter: { status: 'answered', rank: 7 } })).items).toEqual([moved]);
    await store.close();
  });
});

describe('SQLite read store: two processes rebuilding, only the rebuild begun last is swapped in', () => {
  const def = { name: 'things', fields: { status: 'string' }, indexes: [['status']] } as const;
  let dir: string;
  let a: SqliteReadStore;
  let b: SqliteReadStore;
  const ids = async (store: SqliteReadStore) => (await store.find(def.name)).items.map((d) => d.id);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-read-store-'));
    // Two connections to one file, as the service and `npm run rebuild` beside it (or two rebuilds).
    a = new SqliteReadStore({ path: join(dir, 'read.sqlite') });
    b = new SqliteReadStore({ path: join(dir, 'read.sqlite') });
    await a.ensure([def]);
    await b.ensure([def]);
    await a.commit({ writes: [{ collection: def.name, id: 'old', doc: { id: 'old', status: 'filed' } }], checkpoints: { p1: { from: null, to: 5 } } });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('A begins and stalls, B begins: A can neither write into B\'s tables nor swap them in; B swaps in its own', async () => {
    await a.beginRebuild([def]);
    await a.commit({ writes: [{ collection: def.name, id: 'from-a', doc: { id: 'from-a', status: 'filed' } }], checkpoints: {} }, 'rebuild');
    await b.beginRebuild([def]);
    await b.commit({ writes: [{ collection: def.name, id: 'from-b', doc: { id: 'from-b', status: 'filed' } }], checkpoints: {} }, 'rebuild');

    const late = await a.commit({ writes: [{ collection: def.name, id: 'late-a', doc: { id: 'late-a', status: 'filed' } }], checkpoints: { p1: { from: null, to: 9 } } }, 'rebuild').catch((e: unknown) => e);
    expect(late).toBeInstanceOf(RebuildSuperseded);
    const swap = await a.swapRebuild([def]).catch((e: unknown) => e);
    expect(swap).toBeInstanceOf(RebuildSuperseded);
    expect((swap as Error).message).toMatch(/was superseded by rebuild [0-9a-f]{16}: a newer rebuild began after it/);
    // The live read models serve as before; B's rebuild holds only its own writes.
    expect(await ids(a)).toEqual(['old']);
    expect((await a.checkpoints()).get('p1')).toBe(5);
    expect(await b.get(def.name, 'late-a', 'rebuild')).toBeNull();

    await b.commit({ writes: [], checkpoints: { p1: { from: null, to: 12 } } }, 'rebuild');
    await b.swapRebuild([def]);
    expect(await ids(a)).toEqual(['from-b']);
    expect((await a.checkpoints()).get('p1')).toBe(12);
    expect((await a.find(def.name, { filter: { status: 'filed' } })).total).toBe(1);
  });

  it('a store that began no rebuild cannot write to the rebuild tables', async () => {
    await b.beginRebuild([def]);
    await expect(a.commit({ writes: [], checkpoints: {} }, 'rebuild')).rejects.toThrow('no rebuild under way in this store (beginRebuild first)');
  });
});
