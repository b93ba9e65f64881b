import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@app/config';
import { ProjectionRunner } from '@app/projections';
import { allProjections, openEventStore, openReadStore } from '@app/runtime';
import { replayCommand } from './replay.command.js';

/**
 * The replay writes events and leaves projecting to the service: a runner of its own beside a running service
 * fought the service's for the read store's lock. With no service running, the read models catch up at its next
 * start.
 */
describe('the replay and the read models', () => {
  let dir: string;
  let config: AppConfig;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-replay-projections-'));
    config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 'replay-test-secret-0123456789abcdef', SQLITE_SYNCHRONOUS: 'normal' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('projects nothing itself; the next start of the projections catches up with everything it appended', async () => {
    const err: string[] = [];
    expect(await replayCommand(['2017'], { out: () => undefined, err: (t) => err.push(t), config })).toBe(0);
    expect(err).toEqual([expect.stringMatching(/^6-1 .*: 178 proposals, \d+ steps: \d+ appended/)]);

    const store = openEventStore(config);
    const readStore = openReadStore(config);
    const projections = allProjections(config);
    try {
      const head = await store.headPosition();
      expect(head).toBeGreaterThan(1_000);
      // Not one checkpoint: nothing projected while the replay ran.
      expect(await readStore.checkpoints()).toEqual(new Map());

      const runner = new ProjectionRunner(store, readStore, projections);
      await runner.start();
      try {
        expect(await runner.waitFor(head, 60_000)).toBe(true);
      } finally {
        await runner.stop();
      }
      expect(await readStore.count(projections[0].collection.name, {})).toBe(178);
    } finally {
      await readStore.close();
      await store.close();
    }
  }, 120_000);
});
