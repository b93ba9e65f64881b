import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore, type Doc } from '@app/read-store';
import { proposalScript, seededRandom, seedWorkloadDirectory } from '../../../bench/workload.js';
import { auditProjection, type Projection } from './index.js';
import { ProjectionRunner } from './runner.js';
import { expectedDocs, storedDocs } from './testing/expected-docs.js';

describe('a new version of an append-only read model over the documents of the old one', () => {
  it('catches up, overwriting what the old version wrote, and writes the new shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-upgrade-'));
    const store = new SqliteEventStore({ path: join(dir, 'events.sqlite'), synchronous: 'normal' });
    const readStore = new SqliteReadStore({ path: join(dir, 'read-models.sqlite') });
    try {
      let now = Date.parse('2019-02-01T01:00:00Z');
      const handlers = commandHandlers(new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 }));
      await seedWorkloadDirectory(handlers.directory, 'jinshan');
      await handlers.sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
      const random = seededRandom(5);
      for (let n = 0; n < 4; n++) for (const { actor, command } of proposalScript(`p${n}`, '6-3', n, random)) await handlers.proposals.handle(`p${n}`, { tenant: 'jinshan', caller: actor, command });

      // The old version: another name, documents of another shape in the same collection.
      const old: Projection = { ...(auditProjection as Projection), name: 'audit@0', evolve: (_, e) => ({ ...(auditProjection.evolve(null, e) as Doc), old: true }) };
      let runner = new ProjectionRunner(store, readStore, [old], { batchSize: 50 });
      await runner.start();
      expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
      await runner.stop();

      const stopped: unknown[] = [];
      runner = new ProjectionRunner(store, readStore, [auditProjection as Projection], { batchSize: 50 });
      runner.on('stopped', (e) => stopped.push(e));
      await runner.start();
      expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
      await runner.stop();
      expect(stopped).toEqual([]);
      expect(await storedDocs(readStore, [auditProjection as Projection])).toEqual(await expectedDocs(store, [auditProjection as Projection]));
    } finally {
      await readStore.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
