import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore, type EventStore } from '@app/event-store';
import { SqliteReadStore, type ReadStore } from '@app/read-store';
import { eventCodec } from '@app/proposals';
import { proposalScript, seededRandom, seedWorkloadDirectory } from '../../../bench/workload.js';
import { auditProjection, proposalsProjection, sessionsProjection, type Projection } from './index.js';
import { rebuildReadModels } from './rebuild.js';
import { expectedDocs, storedDocs } from './testing/expected-docs.js';
import { ProjectionRunner } from './runner.js';

const projections = [proposalsProjection(480), sessionsProjection, auditProjection] as Projection[];
const allDocs = (readStore: ReadStore) => storedDocs(readStore, projections);
const expectedOf = (store: EventStore) => expectedDocs(store, projections);



describe('rebuilding the read models while the service keeps running', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readStore: SqliteReadStore;
  let processor: CommandProcessor;
  let runner: ProjectionRunner;
  let n = 0;
  const random = seededRandom(7);
  let now = Date.parse('2019-02-01T01:00:00Z');

  const handle = async (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      const id = `p${n}`;
      for (const { actor, command } of proposalScript(id, '6-3', n, random)) await commandHandlers(processor).proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-rebuild-'));
    store = new SqliteEventStore({ path: join(dir, 'events.sqlite'), synchronous: 'normal' });
    readStore = new SqliteReadStore({ path: join(dir, 'read.sqlite') });
    processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
    await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
    runner = new ProjectionRunner(store, readStore, projections, { batchSize: 50 });
    await runner.start();
  });
  afterEach(async () => {
    await runner.stop();
    await readStore.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('swaps in read models equal, document for document, to the live ones', async () => {
    await handle(30);
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    const live = await allDocs(readStore);
    expect(live.proposals).toHaveLength(30);

    const result = await rebuildReadModels(store, readStore, projections, { pageSize: 97 });
    expect(result.events).toBe(await store.headPosition());
    expect(await allDocs(readStore)).toEqual(live);
    expect(live).toEqual(await expectedOf(store));
  });

  it('loses nothing appended between its last page and the swap', async () => {
    await handle(20);
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    // The rebuild reads a log that ends at the current head; five more proposals arrive before it swaps.
    const seen = await store.headPosition();
    let hiding = true;
    const lagging: EventStore = Object.assign(Object.create(store) as EventStore, {
      readAll: async (o: Parameters<EventStore['readAll']>[0]) =>
        (await store.readAll(o)).filter((e) => !hiding || e.position <= seen),
    });
    const swapping: ReadStore = Object.assign(Object.create(readStore) as ReadStore, {
      swapRebuild: async (defs: Parameters<ReadStore['swapRebuild']>[0]) => {
        await handle(5);
        expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
        await readStore.swapRebuild(defs);
        hiding = false;
      },
    });
    await rebuildReadModels(lagging, swapping, projections, { pageSize: 50 });
    const after = await allDocs(readStore);
    expect(after.proposals).toHaveLength(25);
    expect(after).toEqual(await expectedOf(store));
  });

  it('a live runner whose collections were swapped back reads the gap from the log', async () => {
    await handle(10);
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await runner.stop();
    const expected = await expectedOf(store);
    // As if a rebuild had swapped in collections built up to an earlier position.
    const back = (await store.readAll())[20].position;
    await readStore.beginRebuild(projections.map((p) => p.collection));
    const { BatchApplier } = await import('./runner.js');
    await new BatchApplier(store, readStore, projections, 'rebuild', eventCodec).apply((await store.readAll()).filter((e) => e.position <= back));
    runner = new ProjectionRunner(store, readStore, projections, { batchSize: 50 });
    await runner.start();
    await readStore.swapRebuild(projections.map((p) => p.collection));
    await handle(1);
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    const after = await allDocs(readStore);
    expect(after.proposals).toHaveLength(11);
    expect(after.audit).toHaveLength(await store.headPosition());
    expect(after.proposals.slice(0, 10)).toEqual(expected.proposals);
  });
});
