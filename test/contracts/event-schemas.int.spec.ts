import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { pagesOf, SqliteEventStore } from '@app/event-store';
import { makeAnchors, recordAnchor } from '@app/command-handling';
import { eventValidator } from '../../libs/proposals/src/testing/event-validator.js';
import { replayCommand } from '../../apps/cli/src/replay/replay.command.js';

/**
 * The published event schemas (docs/events.md) against real events: the demo replay of 6-1, 6-2 and 6-3 through
 * the command path, then a signed anchor of the trail; every stored event must be valid against the schema of its
 * stored type, and an event whose type has no schema fails the spec.
 */
describe('every event the demo replay writes, against the published schemas', () => {
  let dir: string;
  let config: AppConfig;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-schemas-'));
    config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 'schema-test-secret-0123456789abcdef', SQLITE_SYNCHRONOUS: 'normal' });
    const err: string[] = [];
    const code = await replayCommand(['all'], { out: () => undefined, err: (t) => err.push(t), config });
    if (code !== 0) throw new Error(err.join('\n'));
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    try {
      const { privateKey } = generateKeyPairSync('ed25519');
      for (const outcome of await makeAnchors(store, { key: privateKey, tenants: [config.defaultTenant] }))
        if ('anchor' in outcome) await recordAnchor(store, outcome.anchor, 'schema-spec');
        else throw outcome.refused;
    } finally {
      await store.close();
    }
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds each one valid against its stored type’s schema', async () => {
    const validate = eventValidator();
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    const problems = new Map<string, string[]>();
    const seen = new Map<string, number>();
    try {
      for await (const page of pagesOf(store, { maxCount: 1_000 }))
        for (const event of page) {
          seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
          for (const problem of validate(event)) {
            const examples = problems.get(problem) ?? [];
            if (examples.length < 3) examples.push(`${event.stream}@${event.revision}`);
            problems.set(problem, examples);
          }
        }
    } finally {
      await store.close();
    }
    expect(Object.fromEntries(problems)).toEqual({});
    // The replay writes thousands of events of most kinds: proposals, sessions, the directory, and the anchor.
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(4_000);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['proposal.filed.v2', 'proposal.answered.v1', 'session.opened.v1', 'directory.unit-registered.v1', 'directory.member-registered.v1', 'trail.anchored.v1']),
    );
  });
});
