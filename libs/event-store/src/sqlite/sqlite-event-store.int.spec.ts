import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CONTRACT_FIELD_INDEXES, describeEventStoreContract } from '../testing/event-store.contract.js';
import { DuplicateEventId, WrongExpectedRevision, type NewEvent } from '../event-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describeEventStoreContract('SQLite (in memory)', async () => new SqliteEventStore({ path: ':memory:' }));
describeEventStoreContract(
  'SQLite (in memory) with field indexes',
  async () => new SqliteEventStore({ path: ':memory:', fieldIndexes: CONTRACT_FIELD_INDEXES }),
);

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const fileIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-store-'));
  dirs.push(dir);
  return join(dir, 'events.sqlite');
};
// A file, so that groups of appends go to the writer thread.
describeEventStoreContract('SQLite (a file, writer thread)', async () => new SqliteEventStore({ path: fileIn(), synchronous: 'normal' }));

describe('the embedded store writing groups on its writer thread', () => {
  const event = (n: number): NewEvent => ({ id: randomUUID(), type: 'proposal.visited.v1', data: { n, note: '办前拜访' }, metadata: { actor: { id: 'u-1', role: 'unit' } } });

  it('answers each append of a group on its own: a refused one fails alone, the rest are written and acknowledged', async () => {
    const path = fileIn();
    const store = new SqliteEventStore({ path, synchronous: 'normal' });
    await store.append('proposal-jinshan:a', [event(0)], 'no_stream');
    const repeated = event(1);
    await store.append('proposal-jinshan:b', [repeated], 'no_stream');
    // Arriving together: one group, one transaction.
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => store.append(`proposal-jinshan:p${i}`, [event(i), event(i + 1)], 'no_stream')),
      store.append('proposal-jinshan:a', [event(9)], 5),
      store.append('proposal-jinshan:b', [{ ...repeated, type: 'proposal.answered.v1' }, event(2)], 'any'),
      store.append('proposal-jinshan:a', [event(10)], 0),
    ]);
    expect(results.slice(0, 20).map((r) => r.status === 'fulfilled' && r.value.nextExpectedRevision)).toEqual(Array(20).fill(1));
    expect(results[20]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevision) });
    expect((results[20] as PromiseRejectedResult).reason).toMatchObject({ stream: 'proposal-jinshan:a', expected: 5, actual: 0 });
    expect(results[21]).toMatchObject({ status: 'rejected', reason: expect.any(DuplicateEventId) });
    expect(results[22]).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
    await store.close();
    // What was acknowledged is in the file, read by another connection.
    const reopened = new SqliteEventStore({ path, writerThread: false });
    expect((await reopened.readStream('proposal-jinshan:p19')).map((e) => e.data)).toEqual([{ n: 19, note: '办前拜访' }, { n: 20, note: '办前拜访' }]);
    expect((await reopened.readStream('proposal-jinshan:a')).length).toBe(2);
    expect((await reopened.readStream('proposal-jinshan:b')).length).toBe(1);
    await reopened.close();
  });

  it('appends behind a given event only when that event is the one at the expected revision, in the same group too', async () => {
    const store = new SqliteEventStore({ path: fileIn(), synchronous: 'normal' });
    const [first, second, third, theirs] = [event(0), event(1), event(2), event(3)];
    await store.append('session-jinshan:6-3', [first], 'no_stream');
    // Queued together: the second behind the first, which is refused; another writer's event at revision 1 then
    // does not let the second in at revision 2.
    const results = await Promise.allSettled([
      store.append('session-jinshan:6-3', [second], 5),
      store.append('session-jinshan:6-3', [theirs], 0),
      store.appendAfter('session-jinshan:6-3', [third], 1, second.id),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ stream: 'session-jinshan:6-3', expected: 1, actual: 1 });
    await expect(store.appendAfter('session-jinshan:6-3', [third], 1, theirs.id)).resolves.toMatchObject({ nextExpectedRevision: 2 });
    expect((await store.readStream('session-jinshan:6-3')).map((e) => e.id)).toEqual([first.id, theirs.id, third.id]);
    await store.close();
  });

  it('writes what it accepted before it closes', async () => {
    const path = fileIn();
    const store = new SqliteEventStore({ path, synchronous: 'normal' });
    const appends = Array.from({ length: 50 }, (_, i) => store.append(`proposal-jinshan:q${i % 5}`, [event(i)], 'any'));
    await store.close();
    await expect(Promise.all(appends)).resolves.toHaveLength(50);
    await expect(store.append('proposal-jinshan:q0', [event(0)])).rejects.toThrow('closed');
    const reopened = new SqliteEventStore({ path, writerThread: false });
    expect(await reopened.headPosition()).toBe(50);
    await reopened.close();
  });
});

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
