import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandProcessor } from '@app/command-handling';
import { eventStoreFile, loadConfig, readStoreFile } from '@app/config';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { ProjectionRunner } from '@app/projections';
import { allProjections } from '@app/runtime';
import { verifyCommand } from '../../apps/cli/src/verify.command.js';
import { proposalScript, seededRandom } from '../../bench/workload.js';

/** Someone with access to the SQLite file edits or deletes stored events; `npm run verify` must notice. */
describe('tampering with the stored trail', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-tamper-'));
    env = { ...process.env };
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: 'x'.repeat(32), SQLITE_SYNCHRONOUS: 'normal' });
    const config = loadConfig();
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    const readStore = new SqliteReadStore({ path: readStoreFile(config) });
    let now = Date.parse('2019-03-01T01:00:00Z');
    const processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    await processor.session('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
    const random = seededRandom(3);
    for (let n = 0; n < 4; n++)
      for (const { actor, command } of proposalScript(`p${n}`, '6-3', n, random)) await processor.proposal(`p${n}`, { tenant: 'jinshan', caller: actor, command });
    const runner = new ProjectionRunner(store, readStore, allProjections(config));
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await runner.stop();
    await readStore.close();
    await store.close();
  });
  afterEach(() => {
    process.env = env;
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = async () => {
    const lines: string[] = [];
    const code = await verifyCommand((l) => lines.push(l));
    return { code, lines };
  };
  const tamper = (sql: string, ...args: unknown[]) => {
    const db = new Database(join(dir, 'events.sqlite'));
    const changed = db.prepare(sql).run(...args).changes;
    db.close();
    expect(changed).toBeGreaterThan(0);
  };

  it('finds an untouched trail intact', async () => {
    const { code, lines } = await verify();
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^intact: \d+ events in 5 streams checked, 0 problem/);
  });

  it('detects an answer whose result category was changed in place', async () => {
    tamper(
      `UPDATE events SET data = json_set(data, '$.category', CASE json_extract(data, '$.category') WHEN 'A' THEN 'C' ELSE 'A' END)
       WHERE type = 'proposal.answered.v1' AND stream = 'proposal-jinshan:p1'`,
    );
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^TAMPERED proposal-jinshan:p1 revision \d+ .*altered/);
  });

  it('detects a changed actor in the metadata', async () => {
    tamper(`UPDATE events SET metadata = json_set(metadata, '$.actor.id', 'someone-else') WHERE stream = 'proposal-jinshan:p2' AND revision = 2`);
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('proposal-jinshan:p2 revision 2');
  });

  it('detects an event removed from the middle of a stream', async () => {
    tamper(`DELETE FROM events WHERE stream = 'proposal-jinshan:p0' AND revision = 3`);
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/proposal-jinshan:p0 revision 4 .*revisions 3…3 are missing/);
  });

  it('detects the last events of a stream removed, from what the read models saw', async () => {
    tamper(`DELETE FROM events WHERE stream = 'proposal-jinshan:p3' AND revision >= 8`);
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/proposal-jinshan:p3 .*events were removed/);
  });

  it('detects two events whose contents were swapped', async () => {
    const db = new Database(join(dir, 'events.sqlite'));
    const [a, b] = db.prepare(`SELECT position, data FROM events WHERE stream = 'proposal-jinshan:p1' AND type = 'proposal.visited.v1' ORDER BY revision LIMIT 2`).all() as { position: number; data: string }[];
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(b.data, a.position);
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(a.data, b.position);
    db.close();
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith('TAMPERED')).length).toBeGreaterThanOrEqual(1);
  });
});
