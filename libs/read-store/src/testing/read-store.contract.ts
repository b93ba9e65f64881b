import { randomUUID } from 'node:crypto';
import { CheckpointMoved, type CollectionDef, type Doc, type Filter, type ReadStore } from '../read-store.js';

interface Item extends Doc {
  readonly tenant: string;
  readonly session: string;
  readonly title: string;
  readonly due: string | null;
  readonly rank: number;
  readonly key: boolean;
  readonly units: string[];
  readonly nested?: { deep: string[] };
}

/**
 * The behaviour every read-store adapter owes the projections and queries. Collections are named per run so that
 * it can also run against a shared server.
 */
export function describeReadStoreContract(adapter: string, open: () => Promise<ReadStore>): void {
  describe(`read store contract: ${adapter}`, () => {
    let store: ReadStore;
    let def: CollectionDef;
    const name = () => def.name;
    const item = (id: string, over: Partial<Item> = {}): Item => ({
      id,
      tenant: 'jinshan',
      session: '6-3',
      title: `提案${id}`,
      due: null,
      rank: 0,
      key: false,
      units: [],
      ...over,
    });
    const put = (...docs: Item[]) =>
      store.commit({ writes: docs.map((doc) => ({ collection: name(), id: doc.id, doc })), checkpoints: {} });
    const ids = (docs: readonly Doc[]) => docs.map((d) => d.id);

    beforeEach(async () => {
      store = await open();
      def = {
        name: `t${randomUUID().slice(0, 8)}`,
        fields: { tenant: 'string', session: 'string', title: 'string', due: 'string', rank: 'number', key: 'boolean', units: 'array' },
        indexes: [['tenant', 'session', 'rank'], ['due']],
        partition: 'tenant',
      };
      await store.ensure([def]);
    });
    afterEach(() => store.close());

    it('upserts documents by id and reads them back whole, nested fields included', async () => {
      await put(item('a', { nested: { deep: ['x'] } }), item('b'));
      await put(item('a', { title: '关于垃圾分类的建议', nested: { deep: ['y', 'z'] } }));
      expect(await store.get(name(), 'a')).toEqual(item('a', { title: '关于垃圾分类的建议', nested: { deep: ['y', 'z'] } }));
      expect(await store.get(name(), 'missing')).toBeNull();
      const many = await store.getMany<Item>(name(), ['a', 'b', 'c']);
      expect([...many.keys()].sort()).toEqual(['a', 'b']);
      expect(await store.count(name())).toBe(2);
    });

    it('deletes a document written as null', async () => {
      await put(item('a', { units: ['区财政局'] }), item('b'));
      await store.commit({ writes: [{ collection: name(), id: 'a', doc: null }], checkpoints: {} });
      expect(await store.get(name(), 'a')).toBeNull();
      expect((await store.find(name(), { filter: { units: '区财政局' } })).total).toBe(0);
    });

    it('filters by equality, $in, $nin, $ne, ranges, booleans, null and substrings', async () => {
      await put(
        item('a', { session: '6-2', rank: 1, due: '2019-05-01', key: true, title: '关于发展碳纤维复合材料产业的建议' }),
        item('b', { rank: 2, due: '2019-06-01', title: '加大扶持民营企业发展的建议' }),
        item('c', { rank: 3, title: 'Charging POSTS' }),
      );
      const find = async (filter: Filter) => ids((await store.find(name(), { filter, sort: [['rank', 1]] })).items);
      expect(await find({ session: '6-3' })).toEqual(['b', 'c']);
      expect(await find({ session: { $in: ['6-2', '6-1'] } })).toEqual(['a']);
      expect(await find({ session: { $nin: ['6-2'] } })).toEqual(['b', 'c']);
      expect(await find({ rank: { $ne: 2 } })).toEqual(['a', 'c']);
      expect(await find({ rank: { $gte: 2, $lt: 3 } })).toEqual(['b']);
      expect(await find({ due: { $lt: '2019-05-15' } })).toEqual(['a']);
      expect(await find({ due: null })).toEqual(['c']);
      expect(await find({ due: { $ne: null } })).toEqual(['a', 'b']);
      expect(await find({ key: true })).toEqual(['a']);
      expect(await find({ key: false })).toEqual(['b', 'c']);
      expect(await find({ title: { $contains: '发展' } })).toEqual(['a', 'b']);
      expect(await find({ title: { $contains: 'charging p' } })).toEqual(['c']);
      expect(await find({ title: { $contains: '.*' } })).toEqual([]);
      expect(await find({ $or: [{ rank: 1 }, { title: { $contains: 'POSTS' } }] })).toEqual(['a', 'c']);
    });

    it('matches array fields element-wise', async () => {
      await put(item('a', { units: ['区财政局', '区教育局'] }), item('b', { units: ['区教育局'] }), item('c'));
      const find = async (filter: Filter) => ids((await store.find(name(), { filter, sort: [['rank', 1]] })).items).sort();
      expect(await find({ units: '区财政局' })).toEqual(['a']);
      expect(await find({ units: { $in: ['区教育局', '区民政局'] } })).toEqual(['a', 'b']);
      expect(await find({ units: { $nin: ['区财政局'] } })).toEqual(['b', 'c']);
      expect(await find({ $or: [{ units: '区财政局' }, { rank: 0, units: { $ne: '区教育局' } }] })).toEqual(['a', 'c']);
    });

    it('matches array fields within the partition the filter names, and across partitions when it names none', async () => {
      await put(item('a', { units: ['区财政局'] }), item('b', { tenant: 'fengxian', units: ['区财政局'] }), item('c', { tenant: 'fengxian', units: [] }));
      const find = async (filter: Filter) => ids((await store.find(name(), { filter })).items).sort();
      expect(await find({ tenant: 'jinshan', units: '区财政局' })).toEqual(['a']);
      expect(await find({ tenant: 'fengxian', units: '区财政局' })).toEqual(['b']);
      expect(await find({ units: '区财政局' })).toEqual(['a', 'b']);
      expect(await find({ tenant: 'fengxian', units: { $ne: '区财政局' } })).toEqual(['c']);
      await put(item('b', { tenant: 'jinshan', units: ['区财政局'] }));
      expect(await find({ tenant: 'jinshan', units: '区财政局' })).toEqual(['a', 'b']);
      expect(await find({ tenant: 'fengxian', units: '区财政局' })).toEqual([]);
    });

    it('sorts by several fields with ties broken by id, pages with skip and limit, and counts the total', async () => {
      await put(
        ...['e', 'd', 'c', 'b', 'a'].map((id, i) => item(id, { rank: i % 2, due: `2019-0${5 - i}-01` })),
      );
      const byRank = await store.find(name(), { sort: [['rank', -1], ['due', 1]] });
      expect(ids(byRank.items)).toEqual(['b', 'd', 'a', 'c', 'e']);
      const page2 = await store.find(name(), { sort: [['rank', 1]], skip: 2, limit: 2 });
      expect(page2.total).toBe(5);
      const all = ids((await store.find(name(), { sort: [['rank', 1]] })).items);
      expect(ids(page2.items)).toEqual(all.slice(2, 4));
      expect(all).toEqual(['a', 'c', 'e', 'b', 'd']);
      const last = await store.find(name(), { sort: [['rank', 1]], skip: 4, limit: 10 });
      expect(ids(last.items)).toEqual(['d']);
      expect(last.total).toBe(5);
    });

    it('breaks ties by id in the direction of the last sort field, and tells the total of a page that is not full', async () => {
      await put(...['a', 'b', 'c', 'd'].map((id) => item(id, { rank: id < 'c' ? 1 : 2 })));
      expect(ids((await store.find(name(), { sort: [['rank', -1]] })).items)).toEqual(['d', 'c', 'b', 'a']);
      expect(ids((await store.find(name(), { sort: [['rank', 1]] })).items)).toEqual(['a', 'b', 'c', 'd']);
      expect(ids((await store.find(name(), {})).items)).toEqual(['a', 'b', 'c', 'd']);
      const pages = [0, 2, 4, 6].map((skip) => store.find(name(), { sort: [['rank', -1]], skip, limit: 2 }));
      expect((await Promise.all(pages)).map((p) => [ids(p.items), p.total])).toEqual([[['d', 'c'], 4], [['b', 'a'], 4], [[], 4], [[], 4]]);
      expect((await store.find(name(), { filter: { rank: 2 }, skip: 1, limit: 5 })).total).toBe(2);
      expect((await store.find(name(), { limit: 0 })).total).toBe(4);
    });

    it('pages through an array match the same whether its matches are few or many', async () => {
      const docs = Array.from({ length: 40 }, (_, i) =>
        item(`d${String(i).padStart(2, '0')}`, { rank: i % 7, units: [i % 10 === 0 ? '区财政局' : '区教育局', ...(i % 4 === 0 ? ['区民政局'] : [])] }),
      );
      await put(...docs, item('other', { tenant: 'fengxian', units: ['区财政局'] }));
      for (const unit of ['区财政局', '区教育局', '区民政局']) {
        const want = docs.filter((d) => d.units.includes(unit)).sort((a, b) => b.rank - a.rank || (a.id < b.id ? 1 : -1));
        for (const [skip, limit] of [[0, 2], [2, 2], [0, 20], [20, 20], [3, 100]]) {
          const page = await store.find(name(), { filter: { tenant: 'jinshan', units: unit }, sort: [['rank', -1]], skip, limit });
          expect([ids(page.items), page.total]).toEqual([ids(want.slice(skip, skip + limit)), want.length]);
        }
        const keyed = await store.find(name(), { filter: { tenant: 'jinshan', units: { $in: [unit] }, rank: { $gte: 3 } }, sort: [['rank', -1]], limit: 1 });
        expect([ids(keyed.items), keyed.total]).toEqual([ids(want.filter((d) => d.rank >= 3).slice(0, 1)), want.filter((d) => d.rank >= 3).length]);
      }
    });

    it('answers only the fields asked for, from a summary or from documents written before the collection had one', async () => {
      await put(item('a', { nested: { deep: ['x'] }, units: ['区财政局'] }), item('b', { rank: 1 }));
      const summarized: CollectionDef = { ...def, summary: ['title', 'rank', 'nested'] };
      await store.ensure([summarized]);
      await put(item('c', { rank: 2, title: '关于垃圾分类的建议', nested: { deep: ['y'] } }));
      const sorted = { sort: [['rank', 1]] as const, limit: 10 };
      expect((await store.find(name(), { ...sorted, fields: ['title', 'rank', 'nested'] })).items).toEqual([
        { id: 'a', title: '提案a', rank: 0, nested: { deep: ['x'] } },
        { id: 'b', title: '提案b', rank: 1 },
        { id: 'c', title: '关于垃圾分类的建议', rank: 2, nested: { deep: ['y'] } },
      ]);
      expect((await store.find(name(), { ...sorted, fields: ['rank'] })).items).toEqual([{ id: 'a', rank: 0 }, { id: 'b', rank: 1 }, { id: 'c', rank: 2 }]);
      expect((await store.find(name(), { ...sorted, fields: ['units', 'key'] })).items).toEqual([
        { id: 'a', units: ['区财政局'], key: false },
        { id: 'b', units: [], key: false },
        { id: 'c', units: [], key: false },
      ]);
      expect((await store.find(name(), { filter: { rank: 2 } })).items).toEqual([item('c', { rank: 2, title: '关于垃圾分类的建议', nested: { deep: ['y'] } })]);

      await store.beginRebuild([summarized]);
      await store.commit({ writes: [{ collection: name(), id: 'd', doc: item('d', { rank: 3, nested: { deep: [] } }) }], checkpoints: {} }, 'rebuild');
      await store.swapRebuild([summarized]);
      expect((await store.find(name(), { ...sorted, fields: ['title', 'rank', 'nested'] })).items).toEqual([{ id: 'd', title: '提案d', rank: 3, nested: { deep: [] } }]);
      await put(item('d', { rank: 4 }));
      expect((await store.find(name(), { ...sorted, fields: ['rank'] })).items).toEqual([{ id: 'd', rank: 4 }]);
    });

    it('moves checkpoints with the batch that reached them, and refuses a batch whose checkpoint moved', async () => {
      await store.commit({ writes: [{ collection: name(), id: 'a', doc: item('a') }], checkpoints: { [`p-${name()}`]: { from: null, to: 10 } } });
      expect((await store.checkpoints()).get(`p-${name()}`)).toBe(10);
      const stale = store.commit({
        writes: [{ collection: name(), id: 'b', doc: item('b') }, { collection: name(), id: 'a', doc: null }],
        checkpoints: { [`p-${name()}`]: { from: 7, to: 12 } },
      });
      await expect(stale).rejects.toBeInstanceOf(CheckpointMoved);
      expect(await store.get(name(), 'b')).toBeNull();
      expect(await store.get(name(), 'a')).not.toBeNull();
      expect((await store.checkpoints()).get(`p-${name()}`)).toBe(10);
    });

    it('rebuilds into fresh collections that readers do not see until they are swapped in', async () => {
      const projection = `p-${name()}`;
      await store.commit({ writes: [{ collection: name(), id: 'old', doc: item('old', { units: ['区财政局'] }) }], checkpoints: { [projection]: { from: null, to: 5 } } });
      await store.beginRebuild([def]);
      await store.commit({ writes: [{ collection: name(), id: 'new', doc: item('new', { units: ['区教育局'] }) }], checkpoints: { [projection]: { from: null, to: 9 } } }, 'rebuild');
      expect(ids((await store.find(name())).items)).toEqual(['old']);
      expect(await store.get(name(), 'new', 'rebuild')).toEqual(item('new', { units: ['区教育局'] }));
      expect((await store.checkpoints()).get(projection)).toBe(5);
      expect((await store.checkpoints('rebuild')).get(projection)).toBe(9);

      await store.swapRebuild([def]);
      expect(ids((await store.find(name())).items)).toEqual(['new']);
      expect(ids((await store.find(name(), { filter: { units: '区教育局' } })).items)).toEqual(['new']);
      expect((await store.find(name(), { filter: { units: '区财政局' } })).total).toBe(0);
      expect((await store.checkpoints()).get(projection)).toBe(9);
      expect((await store.checkpoints('rebuild')).size).toBe(0);

      await put(item('after', { units: ['区财政局'] }));
      expect(ids((await store.find(name(), { filter: { units: '区财政局' } })).items)).toEqual(['after']);
      await store.beginRebuild([def]);
      expect(await store.get(name(), 'new', 'rebuild')).toBeNull();
      expect(await store.get(name(), 'new')).not.toBeNull();
    });
  });
}
