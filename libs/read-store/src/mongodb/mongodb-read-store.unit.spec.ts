import { describeReadStoreContract } from '../testing/read-store.contract.js';
import { CheckpointMoved, RebuildSuperseded, UndeclaredField, type CollectionDef, type Doc, type Filter } from '../read-store.js';
import { FakeMongoServer, transientError, type FakeMongoClient } from '../testing/fake-mongo-client.js';
import { MongoReadStore, databaseFromUrl, escapeRegex, indexSpecs, mongoFilter, mongoSort, type StoredDoc } from './mongodb-read-store.js';

/*
 * Unit tests at the driver boundary, against an in-memory fake of the driver (fake-mongo-client.ts) that evaluates
 * queries with MongoDB's documented semantics. They check the adapter's translation and its use of the driver
 * (sessions, transactions, renames, indexes); they do not check a MongoDB server — mongodb-read-store.int.spec.ts
 * runs the same contract against one when MONGODB_URL is set.
 */

describeReadStoreContract('MongoDB (fake client)', async () => new MongoReadStore(new FakeMongoServer().client(), { database: 'cppcc' }));

const DB = 'cppcc';
const def: CollectionDef = {
  name: 'items',
  fields: { tenant: 'string', title: 'string', due: 'string', rank: 'number', key: 'boolean', units: 'array' },
  indexes: [['tenant', 'rank'], ['due']],
};

interface Item extends Doc {
  readonly tenant?: string;
  readonly title?: string;
  readonly due?: string | null;
  readonly rank?: number;
  readonly key?: boolean;
  readonly units?: string[];
}

describe('MongoReadStore at the driver boundary (fake client)', () => {
  let server: FakeMongoServer;
  let client: FakeMongoClient;
  let store: MongoReadStore;

  const put = (...docs: Item[]) => store.commit({ writes: docs.map((doc) => ({ collection: def.name, id: doc.id, doc })), checkpoints: {} });
  const ids = async (filter: Filter) => (await store.find<Item>(def.name, { filter })).items.map((d) => d.id).sort();
  const lastFind = () => server.callsOf('find').at(-1)!;
  /** The token of the rebuild claimed last. */
  const claimed = () => server.docs(DB, 'checkpoints').find((c) => c._id === 'rebuild')?.token as string;

  beforeEach(async () => {
    server = new FakeMongoServer();
    client = server.client();
    store = new MongoReadStore(client, { database: DB });
    await store.ensure([def]);
    server.calls.length = 0;
  });

  describe('filter translation', () => {
    it('translates scalar equality, booleans and null to $eq', () => {
      expect(mongoFilter(def, { tenant: 'jinshan' })).toEqual({ tenant: { $eq: 'jinshan' } });
      expect(mongoFilter(def, { key: true })).toEqual({ key: { $eq: true } });
      expect(mongoFilter(def, { due: null })).toEqual({ due: { $eq: null } });
      expect(mongoFilter(def, {})).toEqual({});
      expect(mongoFilter(def, { tenant: undefined })).toEqual({});
    });

    it('keeps every condition a clause of its own, joined by $and', () => {
      expect(mongoFilter(def, { tenant: 'jinshan', rank: { $gte: 2, $lt: 5 } })).toEqual({
        $and: [{ tenant: { $eq: 'jinshan' } }, { rank: { $gte: 2 } }, { rank: { $lt: 5 } }],
      });
    });

    it('translates $in, $nin, $ne and ranges; a null bound matches nothing', () => {
      expect(mongoFilter(def, { tenant: { $in: ['a', 'b'] } })).toEqual({ tenant: { $in: ['a', 'b'] } });
      expect(mongoFilter(def, { tenant: { $nin: ['a'] } })).toEqual({ tenant: { $nin: ['a'] } });
      expect(mongoFilter(def, { due: { $ne: null } })).toEqual({ due: { $ne: null } });
      expect(mongoFilter(def, { due: { $lte: '2019-05-01' } })).toEqual({ due: { $lte: '2019-05-01' } });
      expect(mongoFilter(def, { due: { $gt: null } })).toEqual({ _id: { $in: [] } });
    });

    it('translates $contains to an escaped case-insensitive $regex', () => {
      expect(mongoFilter(def, { title: { $contains: '.*' } })).toEqual({ title: { $regex: '\\.\\*', $options: 'i' } });
      expect(escapeRegex('a+b (c)? [d] {2} ^$ | \\ /')).toBe('a\\+b \\(c\\)\\? \\[d\\] \\{2\\} \\^\\$ \\| \\\\ /');
      for (const text of ['a+b (c)?', '[d]{2}', '^x$|y', 'back\\slash', '.*'])
        expect(new RegExp(escapeRegex(text)).exec(`before ${text} after`)?.[0]).toBe(text);
    });

    it('translates $or; an empty $or matches nothing and an empty alternative matches everything', () => {
      expect(mongoFilter(def, { $or: [{ rank: 1 }, { title: { $contains: 'x' } }] })).toEqual({
        $or: [{ rank: { $eq: 1 } }, { title: { $regex: 'x', $options: 'i' } }],
      });
      expect(mongoFilter(def, { $or: [] })).toEqual({ _id: { $in: [] } });
      expect(mongoFilter(def, { $or: [{ rank: 1 }, {}] })).toEqual({});
    });

    it('matches array fields element-wise: equality and $in any element, $ne and $nin no element', () => {
      expect(mongoFilter(def, { units: '区财政局' })).toEqual({ units: { $in: ['区财政局'] } });
      expect(mongoFilter(def, { units: { $in: ['a', null] } })).toEqual({ units: { $in: ['a'] } });
      expect(mongoFilter(def, { units: { $ne: 'a' } })).toEqual({ units: { $nin: ['a'] } });
      expect(mongoFilter(def, { units: { $nin: ['a', 'b'] } })).toEqual({ units: { $nin: ['a', 'b'] } });
      expect(mongoFilter(def, { units: null })).toEqual({ _id: { $in: [] } });
      expect(mongoFilter(def, { units: { $ne: null } })).toEqual({});
      expect(() => mongoFilter(def, { units: { $gt: 'a' } })).toThrow('operator $gt is not supported on array field units');
      expect(() => mongoFilter(def, { units: { $contains: 'a' } })).toThrow('not supported on array field');
    });

    it('refuses undeclared fields, also inside $or, and unknown operators', () => {
      expect(() => mongoFilter(def, { nested: 'x' })).toThrow(UndeclaredField);
      expect(() => mongoFilter(def, { id: 'x' })).toThrow(UndeclaredField);
      expect(() => mongoFilter(def, { $or: [{ rank: 1 }, { secret: 1 }] })).toThrow(UndeclaredField);
      expect(() => mongoFilter(def, { rank: { $where: 'x' } as never })).toThrow('unknown operator $where');
    });
  });

  describe('filter semantics (evaluated by the fake with MongoDB semantics)', () => {
    beforeEach(() =>
      put(
        { id: 'a', tenant: 'jinshan', title: 'Charging POSTS', due: '2019-05-01', rank: 1, key: true, units: ['区财政局', '区教育局'] },
        { id: 'b', tenant: 'jinshan', title: '关于 a+b (c)? 的建议', due: null, rank: 2, key: false, units: ['区教育局'] },
        { id: 'c', tenant: 'fengxian', title: '.*', rank: 3, units: [] }, // due and key missing
        { id: 'd', tenant: 'fengxian', rank: 4 }, // title and units missing
      ),
    );

    it('null equality matches null and missing fields, $ne null neither', async () => {
      expect(await ids({ due: null })).toEqual(['b', 'c', 'd']);
      expect(await ids({ due: { $ne: null } })).toEqual(['a']);
      expect(await ids({ key: false })).toEqual(['b']);
      expect(await ids({ key: { $ne: true } })).toEqual(['b', 'c', 'd']);
    });

    it('$ne and $nin include missing fields; ranges do not', async () => {
      expect(await ids({ due: { $ne: '2019-05-01' } })).toEqual(['b', 'c', 'd']);
      expect(await ids({ title: { $nin: ['.*'] } })).toEqual(['a', 'b', 'd']);
      expect(await ids({ due: { $lt: '2020' } })).toEqual(['a']);
      expect(await ids({ rank: { $gt: 1, $lte: 3 } })).toEqual(['b', 'c']);
      expect(await ids({ due: { $gte: null } })).toEqual([]);
    });

    it('$contains is a literal, case-insensitive substring', async () => {
      expect(await ids({ title: { $contains: 'charging p' } })).toEqual(['a']);
      expect(await ids({ title: { $contains: 'A+B (C)?' } })).toEqual(['b']);
      expect(await ids({ title: { $contains: '.*' } })).toEqual(['c']);
      expect(await ids({ title: { $contains: '' } })).toEqual(['a', 'b', 'c']);
    });

    it('$or holds when any alternative does; an empty $or when none', async () => {
      expect(await ids({ $or: [{ rank: 1 }, { tenant: 'fengxian', due: null }] })).toEqual(['a', 'c', 'd']);
      expect(await ids({ $or: [] })).toEqual([]);
      expect(await ids({ tenant: 'jinshan', $or: [{ rank: 2 }, {}] })).toEqual(['a', 'b']);
    });

    it('array $ne and $nin mean that no element equals (documents without the field included)', async () => {
      expect(await ids({ units: '区教育局' })).toEqual(['a', 'b']);
      expect(await ids({ units: { $ne: '区教育局' } })).toEqual(['c', 'd']);
      expect(await ids({ units: { $nin: ['区财政局', '区民政局'] } })).toEqual(['b', 'c', 'd']);
      expect(await ids({ units: { $in: [] } })).toEqual([]);
      expect(await ids({ units: null })).toEqual([]);
    });
  });

  describe('find: sort, skip, limit, total', () => {
    it('sorts by the declared fields, then by _id in the direction of the last field', async () => {
      expect(mongoSort(def, [['rank', -1], ['due', 1]])).toEqual([['rank', -1], ['due', 1], ['_id', 1]]);
      expect(mongoSort(def, [])).toEqual([['_id', 1]]);
      expect(mongoSort(def, [['rank', 1], ['due', -1]])).toEqual([['rank', 1], ['due', -1], ['_id', -1]]);
      expect(() => mongoSort(def, [['units', 1]])).toThrow(UndeclaredField);
      expect(() => mongoSort(def, [['nested', 1]])).toThrow(UndeclaredField);
      await put({ id: 'b', rank: 1 }, { id: 'a', rank: 1 }, { id: 'c', rank: 0 }, { id: 'd' });
      server.calls.length = 0;
      const page = await store.find<Item>(def.name, { sort: [['rank', 1]] });
      expect(page.items.map((d) => d.id)).toEqual(['d', 'c', 'a', 'b']); // missing sorts first ascending
      expect(lastFind().args[1]).toEqual({ projection: { _id: 0 }, sort: [['rank', 1], ['_id', 1]] });
      expect(server.callsOf('countDocuments')).toHaveLength(0); // unpaged: the total is the length
      expect(page.total).toBe(4);
      expect((await store.find<Item>(def.name, { sort: [['rank', -1]] })).items.map((d) => d.id)).toEqual(['b', 'a', 'c', 'd']);
    });

    it('passes skip and limit, and counts the total with the same filter', async () => {
      await put(...['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, tenant: 'jinshan', rank: i })));
      server.calls.length = 0;
      const page = await store.find<Item>(def.name, { filter: { tenant: 'jinshan' }, sort: [['rank', 1]], skip: 1, limit: 2 });
      expect(page.items.map((d) => d.id)).toEqual(['b', 'c']);
      expect(page.total).toBe(5);
      expect(lastFind().args).toEqual([{ tenant: { $eq: 'jinshan' } }, { projection: { _id: 0 }, sort: [['rank', 1], ['_id', 1]], skip: 1, limit: 2 }]);
      expect(server.callsOf('countDocuments').map((c) => c.args[0])).toEqual([{ tenant: { $eq: 'jinshan' } }]);
    });

    it('limit 0 returns no documents (MongoDB would read it as no limit) but still the total', async () => {
      await put({ id: 'a' }, { id: 'b' });
      server.calls.length = 0;
      expect(await store.find(def.name, { limit: 0 })).toEqual({ items: [], total: 2 });
      expect(server.callsOf('find')).toHaveLength(0);
    });

    it('returns documents exactly as written: without _id, JSON-shaped', async () => {
      const doc = { id: 'a', rank: 1, nested: { deep: ['x'], at: new Date('2019-05-01T00:00:00Z') }, gone: undefined };
      await store.commit({ writes: [{ collection: def.name, id: 'a', doc }], checkpoints: {} });
      const [storedDoc] = server.docs(DB, 'items');
      expect(storedDoc).toEqual({ _id: 'a', id: 'a', rank: 1, nested: { deep: ['x'], at: '2019-05-01T00:00:00.000Z' } });
      expect(await store.get(def.name, 'a')).toEqual({ id: 'a', rank: 1, nested: { deep: ['x'], at: '2019-05-01T00:00:00.000Z' } });
      expect(Object.keys((await store.getMany(def.name, ['a', 'x'])).get('a')!)).not.toContain('_id');
      await expect(store.commit({ writes: [{ collection: def.name, id: 'b', doc: { id: 'b', _id: 'x' } }], checkpoints: {} })).rejects.toThrow('_id is reserved');
    });

    it('reads by _id in get and getMany', async () => {
      await put({ id: 'a' }, { id: 'b' });
      server.calls.length = 0;
      await store.get(def.name, 'a');
      await store.getMany(def.name, ['a', 'b', 'c']);
      expect(server.callsOf('find').map((c) => c.args[0])).toEqual([{ _id: 'a' }, { _id: { $in: ['a', 'b', 'c'] } }]);
      expect(server.callsOf('find').map((c) => c.target)).toEqual(['cppcc.items', 'cppcc.items']);
    });

    it('refuses collections that were not declared', async () => {
      await expect(store.find('other')).rejects.toThrow('collection other was not declared (ensure)');
      await expect(store.get('other', 'a')).rejects.toThrow('not declared');
      await expect(store.commit({ writes: [{ collection: 'other', id: 'a', doc: { id: 'a' } }], checkpoints: {} })).rejects.toThrow('not declared');
    });
  });

  describe('ensure', () => {
    it('creates the collection, the checkpoint collection and the indexes from the definition', async () => {
      const fresh = new FakeMongoServer();
      await new MongoReadStore(fresh.client(), { database: DB }).ensure([def]);
      expect(fresh.collectionNames(DB)).toEqual(['checkpoints', 'items']);
      expect(indexSpecs(def)).toEqual([{ key: { tenant: 1, rank: 1, _id: 1 } }, { key: { due: 1, _id: 1 } }, { key: { units: 1 } }]);
      expect(fresh.callsOf('createIndexes').map((c) => c.args[0])).toEqual([indexSpecs(def)]);
      expect(fresh.indexes(DB, 'items').map((i) => i.name)).toEqual(['tenant_1_rank_1__id_1', 'due_1__id_1', 'units_1']);
      expect(Object.keys(fresh.indexes(DB, 'items')[0].key)).toEqual(['tenant', 'rank', '_id']); // order kept
    });

    it('is idempotent and creates nothing twice', async () => {
      await store.ensure([def]);
      expect(server.callsOf('createCollection')).toHaveLength(0);
      expect(server.indexes(DB, 'items')).toHaveLength(3);
    });

    it('refuses bad definitions', async () => {
      await expect(store.ensure([{ ...def, indexes: [['nested']] }])).rejects.toThrow(UndeclaredField);
      await expect(store.ensure([{ ...def, indexes: [['units']] }])).rejects.toThrow(UndeclaredField);
      await expect(store.ensure([{ ...def, fields: { _id: 'string' }, indexes: [] }])).rejects.toThrow('field name _id is not allowed');
      await expect(store.ensure([{ ...def, fields: { id: 'string' }, indexes: [] }])).rejects.toThrow('not allowed');
      await expect(store.ensure([{ ...def, name: 'checkpoints' }])).rejects.toThrow('reserved');
      await expect(store.ensure([{ ...def, name: 'items__rebuild' }])).rejects.toThrow('__rebuild is reserved');
      await expect(store.ensure([{ ...def, name: 'a.b' }])).rejects.toThrow('must be an identifier');
    });
  });

  describe('commit', () => {
    it('runs in one transaction: checkpoint read, one bulkWrite per collection, checkpoint moves — all with the session', async () => {
      await store.commit({
        writes: [
          { collection: def.name, id: 'a', doc: { id: 'a', rank: 1 } },
          { collection: def.name, id: 'b', doc: null },
        ],
        checkpoints: { p1: { from: null, to: 5 } },
      });
      expect(server.transactions).toHaveLength(1);
      expect(server.transactions[0]).toMatchObject({ attempts: 1, outcome: 'committed', options: { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } } });
      const inTx = server.calls.filter((c) => c.inTransaction);
      expect(inTx.map((c) => `${c.op} ${c.target}`)).toEqual(['find cppcc.checkpoints', 'bulkWrite cppcc.items', 'bulkWrite cppcc.checkpoints']);
      expect(inTx[0].args[0]).toEqual({ _id: { $in: ['swap', 'live:p1'] } });
      expect(inTx[1].args).toEqual([
        [
          { replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', id: 'a', rank: 1 }, upsert: true } },
          { deleteOne: { filter: { _id: 'b' } } },
        ],
        { session: '<session>', ordered: true },
      ]);
      expect(inTx[2].args[0]).toEqual([{ insertOne: { document: { _id: 'live:p1', generation: 'live', name: 'p1', position: 5, updated: expect.any(Date) } } }]);
      expect(client.sessions.every((s) => s.ended)).toBe(true);
      expect(server.docs(DB, 'checkpoints')).toEqual([{ _id: 'live:p1', generation: 'live', name: 'p1', position: 5, updated: expect.any(Date) }]);

      server.calls.length = 0;
      await store.commit({ writes: [], checkpoints: { p1: { from: 5, to: 9 } } });
      expect(server.callsOf('bulkWrite').map((c) => c.args[0])).toEqual([
        [{ updateOne: { filter: { _id: 'live:p1', position: 5 }, update: { $set: { position: 9, updated: expect.any(Date) } } } }],
      ]);
      expect(await store.checkpoints()).toEqual(new Map([['p1', 9]]));
    });

    it('throws CheckpointMoved and writes nothing when a checkpoint is not where the batch expects it', async () => {
      await store.commit({ writes: [{ collection: def.name, id: 'a', doc: { id: 'a' } }], checkpoints: { p1: { from: null, to: 5 } } });
      server.calls.length = 0;
      const before = server.snapshot();
      for (const from of [null, 4]) {
        const error = await store
          .commit({ writes: [{ collection: def.name, id: 'b', doc: { id: 'b' } }], checkpoints: { p1: { from, to: 12 } } })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CheckpointMoved);
        expect(error).toMatchObject({ projection: 'p1', expected: from, actual: 5 });
      }
      expect(server.callsOf('bulkWrite')).toHaveLength(0);
      expect(server.transactions.slice(-2).map((t) => t.outcome)).toEqual(['aborted', 'aborted']);
      expect(server.databases).toEqual(before);
      const missing = await store.commit({ writes: [], checkpoints: { p2: { from: 3, to: 4 } } }).catch((e: unknown) => e);
      expect(missing).toMatchObject({ projection: 'p2', expected: 3, actual: null });
    });

    it('rolls back everything when a write fails part-way', async () => {
      await put({ id: 'a', rank: 1 });
      server.failNext('bulkWrite', new Error('disk full'));
      await expect(
        store.commit({ writes: [{ collection: def.name, id: 'a', doc: { id: 'a', rank: 2 } }], checkpoints: { p1: { from: null, to: 1 } } }),
      ).rejects.toThrow('disk full');
      expect(await store.get(def.name, 'a')).toEqual({ id: 'a', rank: 1 });
      expect((await store.checkpoints()).size).toBe(0);
    });

    it('can be retried by the driver after a transient error (the callback starts from scratch)', async () => {
      server.failNext('bulkWrite', transientError());
      await store.commit({ writes: [{ collection: def.name, id: 'a', doc: { id: 'a', units: ['x'] } }], checkpoints: { p1: { from: null, to: 7 } } });
      expect(server.transactions[0]).toMatchObject({ attempts: 2, outcome: 'committed' });
      expect(server.docs(DB, 'items')).toEqual([{ _id: 'a', id: 'a', units: ['x'] }]);
      expect(await store.checkpoints()).toEqual(new Map([['p1', 7]]));
    });

    it('writes the rebuild generation to <name>__rebuild__<token> and its checkpoints under rebuild:<token>:, touching its claim', async () => {
      await store.beginRebuild([def]);
      const token = claimed();
      expect(token).toMatch(/^[0-9a-f]{16}$/);
      server.calls.length = 0;
      await store.commit({ writes: [{ collection: def.name, id: 'a', doc: { id: 'a' } }], checkpoints: { p1: { from: null, to: 3 } } }, 'rebuild');
      expect(server.callsOf('bulkWrite').map((c) => `${c.target}${c.inTransaction ? ' (tx)' : ''}`)).toEqual([
        'cppcc.checkpoints (tx)',
        `cppcc.items__rebuild__${token} (tx)`,
        'cppcc.checkpoints (tx)',
      ]);
      expect(server.callsOf('bulkWrite')[0].args[0]).toEqual([{ updateOne: { filter: { _id: 'rebuild', token }, update: { $set: { updated: expect.any(Date) } } } }]);
      expect(await store.checkpoints('rebuild')).toEqual(new Map([['p1', 3]]));
      expect(await store.checkpoints('live')).toEqual(new Map());
      expect(server.docs(DB, 'checkpoints').map((c) => c._id)).toEqual(['rebuild', `rebuild:${token}:p1`]);
    });

    it('refuses rebuild writes of a store that began no rebuild, and reads nothing there', async () => {
      await expect(store.commit({ writes: [{ collection: def.name, id: 'a', doc: { id: 'a' } }], checkpoints: {} }, 'rebuild')).rejects.toThrow('no rebuild under way');
      expect(await store.get(def.name, 'a', 'rebuild')).toBeNull();
      expect((await store.getMany(def.name, ['a'], 'rebuild')).size).toBe(0);
      expect((await store.checkpoints('rebuild')).size).toBe(0);
    });
  });

  describe('rebuild and swap', () => {
    it('beginRebuild claims a new token, drops the collections and checkpoints of the rebuild before, creates its own with their indexes', async () => {
      await store.beginRebuild([def]);
      const first = claimed();
      await store.commit({ writes: [{ collection: def.name, id: 'x', doc: { id: 'x' } }], checkpoints: { p1: { from: null, to: 3 } } }, 'rebuild');
      server.calls.length = 0;
      await store.beginRebuild([def]);
      const second = claimed();
      expect(second).not.toBe(first);
      expect(server.calls.filter((c) => c.op !== 'find' && c.op !== 'listCollections').map((c) => `${c.op}${c.inTransaction ? ' (tx)' : ''} ${c.target}`)).toEqual([
        'bulkWrite (tx) cppcc.checkpoints',
        'deleteMany (tx) cppcc.checkpoints',
        `dropCollection cppcc.items__rebuild__${first}`,
        `createCollection cppcc.items__rebuild__${second}`,
        `createIndexes cppcc.items__rebuild__${second}`,
      ]);
      expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', `items__rebuild__${second}`]);
      expect(server.indexes(DB, `items__rebuild__${second}`)).toHaveLength(3);
      expect(await store.get(def.name, 'x', 'rebuild')).toBeNull();
      expect((await store.checkpoints('rebuild')).size).toBe(0);
      expect(server.docs(DB, 'checkpoints')).toEqual([
        { _id: 'rebuild', token: second, collections: ['items'], started: expect.any(Date), updated: expect.any(Date) },
      ]);
    });

    it('swapRebuild renames with dropTarget, then moves the checkpoints in one transaction', async () => {
      await store.commit({ writes: [{ collection: def.name, id: 'old', doc: { id: 'old' } }], checkpoints: { p1: { from: null, to: 5 }, gone: { from: null, to: 2 } } });
      await store.beginRebuild([def]);
      await store.commit({ writes: [{ collection: def.name, id: 'new', doc: { id: 'new' } }], checkpoints: { p1: { from: null, to: 9 } } }, 'rebuild');
      const token = claimed();
      server.calls.length = 0;
      await store.swapRebuild([def]);
      const steps = server.calls.filter((c) => c.op !== 'listCollections' && !(c.op === 'find' && !c.inTransaction));
      expect(steps.map((c) => `${c.op}${c.inTransaction ? ' (tx)' : ''}`)).toEqual([
        'bulkWrite (tx)',
        'insertOne (tx)',
        'renameCollection',
        'find (tx)',
        'find (tx)',
        'deleteMany (tx)',
        'insertMany (tx)',
        'deleteMany (tx)',
        'deleteMany (tx)',
      ]);
      expect(server.callsOf('bulkWrite')[0].args[0]).toEqual([{ deleteOne: { filter: { _id: 'rebuild', token } } }]);
      expect(server.callsOf('insertOne')[0].args[0]).toMatchObject({ _id: 'swap', token, collections: ['items'], sources: [`items__rebuild__${token}`] });
      expect(server.callsOf('renameCollection')[0].args).toEqual([`items__rebuild__${token}`, 'items', { dropTarget: true }]);
      expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items']);
      expect((await store.find(def.name)).items).toEqual([{ id: 'new' }]);
      expect(await store.checkpoints()).toEqual(new Map([['p1', 9]]));
      expect((await store.checkpoints('rebuild')).size).toBe(0);
      expect(server.docs(DB, 'checkpoints').map((c) => c._id)).toEqual(['live:p1']);
    });

    it('refuses to swap what was not rebuilt, before changing anything', async () => {
      await expect(store.swapRebuild([def])).rejects.toThrow('no rebuilt items to swap in');
      expect(server.callsOf('insertOne')).toHaveLength(0);
      expect(server.callsOf('renameCollection')).toHaveLength(0);
    });

    describe('two processes rebuilding: only the rebuild claimed last is swapped in', () => {
      let clientA: FakeMongoClient;
      let a: MongoReadStore;
      let b: MongoReadStore;
      const ids = async (reader: MongoReadStore) => (await reader.find(def.name)).items.map((d) => d.id);

      beforeEach(async () => {
        await store.commit({ writes: [{ collection: def.name, id: 'old', doc: { id: 'old' } }], checkpoints: { p1: { from: null, to: 5 } } });
        clientA = server.client();
        a = new MongoReadStore(clientA, { database: DB });
        b = new MongoReadStore(server.client(), { database: DB });
      });

      it('A starts rebuild a and stalls; B starts rebuild b; A wakes and tries to swap: refused as superseded, nothing of B swapped in', async () => {
        await a.beginRebuild([def]);
        const tokenA = claimed();
        await a.commit({ writes: [{ collection: def.name, id: 'from-a', doc: { id: 'from-a' } }], checkpoints: { p1: { from: null, to: 9 } } }, 'rebuild');
        // A stalls here. B rebuilds meanwhile, and has filled half of its collections when A wakes.
        await b.beginRebuild([def]);
        const tokenB = claimed();
        await b.commit({ writes: [{ collection: def.name, id: 'from-b', doc: { id: 'from-b' } }], checkpoints: {} }, 'rebuild');
        server.calls.length = 0;

        const error = await a.swapRebuild([def]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RebuildSuperseded);
        expect(error).toMatchObject({ token: tokenA, by: tokenB, message: expect.stringContaining(`rebuild ${tokenA} was superseded by rebuild ${tokenB}`) });
        expect(server.callsOf('renameCollection')).toHaveLength(0);
        expect(server.callsOf('insertOne')).toHaveLength(0);
        expect(await ids(store)).toEqual(['old']);
        expect(await store.checkpoints()).toEqual(new Map([['p1', 5]]));
        // A's later batches are refused too, and do not bring its dropped collection back.
        const late = await a.commit({ writes: [{ collection: def.name, id: 'late', doc: { id: 'late' } }], checkpoints: { p1: { from: 9, to: 12 } } }, 'rebuild').catch((e: unknown) => e);
        expect(late).toBeInstanceOf(RebuildSuperseded);
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', `items__rebuild__${tokenB}`]);

        // B finishes and swaps its own rebuild in.
        await b.commit({ writes: [], checkpoints: { p1: { from: null, to: 11 } } }, 'rebuild');
        await b.swapRebuild([def]);
        expect(await ids(store)).toEqual(['from-b']);
        expect(await store.checkpoints()).toEqual(new Map([['p1', 11]]));
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items']);
      });

      it('A stalls inside its swap, after it checked its claim; B starts rebuild b; A wakes: its swap is refused', async () => {
        await a.beginRebuild([def]);
        await a.commit({ writes: [{ collection: def.name, id: 'from-a', doc: { id: 'from-a' } }], checkpoints: { p1: { from: null, to: 9 } } }, 'rebuild');
        const stall = clientA.pauseBefore('withTransaction');
        const swapping = a.swapRebuild([def]).catch((e: unknown) => e);
        await stall.reached;
        await b.beginRebuild([def]);
        const tokenB = claimed();
        stall.resume();
        expect(await swapping).toBeInstanceOf(RebuildSuperseded);
        expect(server.callsOf('renameCollection')).toHaveLength(0);
        expect(await ids(store)).toEqual(['old']);
        expect(server.docs(DB, 'checkpoints').map((c) => c._id).sort()).toEqual(['live:p1', 'rebuild']);
        expect(claimed()).toBe(tokenB);
      });

      it("A stalls between its marker and its renames; B completes A's swap and rebuilds; A wakes: B's half-filled rebuild stays where it is", async () => {
        await a.beginRebuild([def]);
        await a.commit({ writes: [{ collection: def.name, id: 'from-a', doc: { id: 'from-a' } }], checkpoints: { p1: { from: null, to: 9 } } }, 'rebuild');
        const stall = clientA.pauseBefore('renameCollection');
        const swapping = a.swapRebuild([def]);
        await stall.reached;
        // B finds A's marker, finishes A's swap, then claims a rebuild of its own and fills half of it.
        await b.beginRebuild([def]);
        const tokenB = claimed();
        await b.commit({ writes: [{ collection: def.name, id: 'from-b', doc: { id: 'from-b' } }], checkpoints: { p1: { from: null, to: 3 } } }, 'rebuild');
        expect(await ids(store)).toEqual(['from-a']);
        stall.resume();
        await swapping; // its renames find nothing of its own left, and the marker is gone
        expect(await ids(store)).toEqual(['from-a']);
        expect(await store.checkpoints()).toEqual(new Map([['p1', 9]]));
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', `items__rebuild__${tokenB}`]);
        expect(await b.get(def.name, 'from-b', 'rebuild')).toEqual({ id: 'from-b' });
        expect(await b.checkpoints('rebuild')).toEqual(new Map([['p1', 3]]));
      });

      it('completes a swap interrupted under the layout before tokens, and drops leftovers of stale rebuilds', async () => {
        // What the adapter before tokens left when it died after its marker: <name>__rebuild, checkpoints without a token.
        const raw = server.client().db(DB);
        await raw.collection<StoredDoc>('items__rebuild').insertOne({ _id: 'new', id: 'new' });
        await raw.collection<StoredDoc>('others__rebuild__0123abcd').insertOne({ _id: 'stale', id: 'stale' });
        await raw.collection<StoredDoc>('checkpoints').insertMany([
          { _id: 'rebuild:p1', generation: 'rebuild', name: 'p1', position: 9, updated: new Date() },
          { _id: 'swap', token: 'b4c2f0de-0000-4000-8000-000000000000', collections: ['items'], started: new Date() },
        ]);
        await a.ensure([def]);
        expect(await ids(a)).toEqual(['new']);
        expect(await a.checkpoints()).toEqual(new Map([['p1', 9]]));
        await a.beginRebuild([def]);
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', `items__rebuild__${claimed()}`]);
      });
    });

    describe('a swap interrupted between the renames and the checkpoint move', () => {
      const other: CollectionDef = { name: 'others', fields: { rank: 'number' }, indexes: [] };
      let token: string;

      beforeEach(async () => {
        await store.ensure([def, other]);
        await store.commit({
          writes: [{ collection: def.name, id: 'old', doc: { id: 'old' } }, { collection: other.name, id: 'old', doc: { id: 'old' } }],
          checkpoints: { p1: { from: null, to: 5 } },
        });
        await store.beginRebuild([def, other]);
        token = claimed();
        await store.commit(
          { writes: [{ collection: def.name, id: 'new', doc: { id: 'new' } }, { collection: other.name, id: 'new', doc: { id: 'new' } }], checkpoints: { p1: { from: null, to: 9 } } },
          'rebuild',
        );
        server.calls.length = 0;
        // The process dies after renaming the first collection.
        let renames = 0;
        const crash = new Error('process died');
        const original = server.record.bind(server);
        server.record = (op, target, args, options, ddl) => {
          if (op === 'renameCollection' && ++renames === 2) throw crash;
          original(op, target, args, options, ddl);
        };
        await expect(store.swapRebuild([def, other])).rejects.toBe(crash);
        server.record = original;
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', 'others', `others__rebuild__${token}`]);
        expect(await store.checkpoints()).toEqual(new Map([['p1', 5]]));
      });

      it('the next ensure of any process completes it', async () => {
        const restarted = new MongoReadStore(server.client(), { database: DB });
        await restarted.ensure([def, other]);
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', 'others']);
        expect(await restarted.checkpoints()).toEqual(new Map([['p1', 9]]));
        expect((await restarted.checkpoints('rebuild')).size).toBe(0);
        expect((await restarted.find(other.name)).items).toEqual([{ id: 'new' }]);
        expect(server.docs(DB, 'checkpoints').some((c) => c._id === 'swap')).toBe(false);
      });

      it('a live commit that finds the marker finishes the swap and refuses the batch', async () => {
        const runner = new MongoReadStore(server.client(), { database: DB });
        const declared = (runner as unknown as { defs: Map<string, CollectionDef> }).defs; // declared before the crash
        declared.set(def.name, def);
        declared.set(other.name, other);
        const error = await runner
          .commit({ writes: [{ collection: def.name, id: 'stale', doc: { id: 'stale' } }], checkpoints: { p1: { from: 5, to: 6 } } })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CheckpointMoved);
        expect(error).toMatchObject({ projection: 'p1', expected: 5, actual: 9 });
        expect(server.collectionNames(DB)).toEqual(['checkpoints', 'items', 'others']);
        expect((await runner.find(def.name)).items).toEqual([{ id: 'new' }]);
        expect((await runner.find(other.name)).items).toEqual([{ id: 'new' }]);
        expect(await runner.checkpoints()).toEqual(new Map([['p1', 9]]));
        await runner.commit({ writes: [{ collection: def.name, id: 'next', doc: { id: 'next' } }], checkpoints: { p1: { from: 9, to: 10 } } });
        expect(await runner.get(def.name, 'next')).toEqual({ id: 'next' });
      });

      it('a commit without checkpoints waits for the swap and then writes to the swapped-in collection', async () => {
        (store as unknown as { defs: Map<string, CollectionDef> }).defs.set(other.name, other);
        await store.commit({ writes: [{ collection: other.name, id: 'late', doc: { id: 'late' } }], checkpoints: {} });
        expect((await store.find(other.name)).items.map((d) => d.id)).toEqual(['late', 'new']);
      });

      it('beginRebuild completes the swap before it drops anything', async () => {
        await store.beginRebuild([def, other]);
        expect((await store.find(other.name)).items).toEqual([{ id: 'new' }]);
        expect(await store.checkpoints()).toEqual(new Map([['p1', 9]]));
      });
    });
  });

  describe('connection', () => {
    it('takes the database from the URL, or cppcc', () => {
      expect(databaseFromUrl('mongodb://localhost:27017/proposals?replicaSet=rs0')).toBe('proposals');
      expect(databaseFromUrl('mongodb://u:p%2Fw@h1:27017,h2:27017/cppcc_test?replicaSet=rs0&w=majority')).toBe('cppcc_test');
      expect(databaseFromUrl('mongodb+srv://user:pw@cluster0.example.net/read?retryWrites=true')).toBe('read');
      expect(databaseFromUrl('mongodb://localhost:27017/?replicaSet=rs0')).toBe('cppcc');
      expect(databaseFromUrl('mongodb://localhost:27017')).toBe('cppcc');
      expect(databaseFromUrl('mongodb://localhost:27017?replicaSet=rs0')).toBe('cppcc');
    });

    it('refuses a standalone server (no transactions) at the first ensure, once per store', async () => {
      const standalone = new FakeMongoServer();
      standalone.hello = { isWritablePrimary: true };
      const refused = new MongoReadStore(standalone.client(), { database: DB });
      await expect(refused.ensure([def])).rejects.toThrow('needs a replica set or a sharded cluster');
      await expect(refused.beginRebuild([def])).rejects.toThrow('standalone');
      expect(standalone.collectionNames(DB)).toEqual([]);
      const mongos = new FakeMongoServer();
      mongos.hello = { isWritablePrimary: true, msg: 'isdbgrid' };
      await new MongoReadStore(mongos.client(), { database: DB }).ensure([def]);
      await store.ensure([def]);
      expect(server.callsOf('command')).toHaveLength(0); // checked once, in the first ensure
    });

    it('closes the client', async () => {
      await store.close();
      expect(client.closed).toBe(true);
    });
  });
});
