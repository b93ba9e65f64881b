import Database from 'better-sqlite3';
import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorStream, chainHash, CommandProcessor, commandHandlers, withoutHash } from '@app/command-handling';
import { eventStoreFile, loadConfig, readStoreFile } from '@app/config';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { ProjectionRunner } from '@app/projections';
import { allProjections } from '@app/runtime';
import { verifyCommand } from '../../apps/cli/src/verify.command.js';
import { anchorCommand } from '../../apps/cli/src/anchor.command.js';
import { reportCommand } from '../../apps/cli/src/report.command.js';
import { proposalScript, seededRandom, seedWorkloadDirectory } from '../../bench/workload.js';

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
    await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
    await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
    const random = seededRandom(3);
    for (let n = 0; n < 4; n++)
      for (const { actor, command } of proposalScript(`p${n}`, '6-3', n, random)) await commandHandlers(processor).proposals.handle(`p${n}`, { tenant: 'jinshan', caller: actor, command });
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

  const verify = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await verifyCommand(argv, (l) => lines.push(l));
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
    expect(lines.at(-1)).toMatch(/^intact: \d+ events in 6 streams checked, 0 problem/);
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

  it('reports metadata that is no longer an object, and a row that is no longer JSON, instead of crashing', async () => {
    tamper(`UPDATE events SET metadata = 'null' WHERE stream = 'proposal-jinshan:p2' AND revision = 1`);
    const nulled = await verify();
    expect(nulled.code).toBe(1);
    expect(nulled.lines).toContainEqual(expect.stringMatching(/^TAMPERED proposal-jinshan:p2 revision 1 .*carries no hash/));

    tamper(`UPDATE events SET data = '{"category":' WHERE stream = 'proposal-jinshan:p1' AND revision = 2`);
    const broken = await verify();
    expect(broken.code).toBe(1);
    expect(broken.lines.at(-2)).toMatch(/^DAMAGED event log: it cannot be read to the end \(.*JSON/);
    expect(broken.lines.at(-1)).toMatch(/^NOT intact: the log could not be read/);
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

/**
 * The chain alone cannot catch someone who edits an event and then recomputes the chain with the project's own
 * chainHash, or who removes a whole stream with its read-model rows: both pass the check above. Anchors — signed
 * with a key the data files do not hold — catch them (docs/trail.md).
 */
describe('tampering against an anchor', () => {
  let dir: string;
  let auditor: string;
  let env: NodeJS.ProcessEnv;
  let processor: CommandProcessor;
  let store: SqliteEventStore;
  const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const signing = generateKeyPairSync('ed25519');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-anchor-'));
    auditor = mkdtempSync(join(tmpdir(), 'cppcc-auditor-'));
    env = { ...process.env };
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: 'x'.repeat(32), SQLITE_SYNCHRONOUS: 'normal', TRAIL_SIGNING_KEY: pem(signing.privateKey) });
    delete process.env.TRAIL_VERIFY_KEY;
    const config = loadConfig();
    store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    let now = Date.parse('2019-03-01T01:00:00Z');
    processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
    await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
    await file(['p0', 'p1', 'p2', 'p3']);
    const readStore = new SqliteReadStore({ path: readStoreFile(config) });
    const runner = new ProjectionRunner(store, readStore, allProjections(config));
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await runner.stop();
    await readStore.close();
  });
  afterEach(async () => {
    await store.close();
    process.env = env;
    rmSync(dir, { recursive: true, force: true });
    rmSync(auditor, { recursive: true, force: true });
  });

  async function file(ids: string[], seed = 3): Promise<void> {
    const random = seededRandom(seed);
    for (const [n, id] of ids.entries())
      for (const { actor, command } of proposalScript(id, '6-3', n, random)) await commandHandlers(processor).proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
  }

  const verify = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await verifyCommand(argv, (l) => lines.push(l));
    return { code, lines, text: lines.join('\n') };
  };
  /** `npm run anchor -- --out FILE`, the file kept where the data files are not. */
  const anchor = async (name = 'anchor.json') => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await anchorCommand(['--out', join(auditor, name)], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n'), file: join(auditor, name) };
  };
  const sql = <T>(run: (db: Database.Database) => T): T => {
    const db = new Database(join(dir, 'events.sqlite'));
    try {
      return run(db);
    } finally {
      db.close();
    }
  };
  /** What someone with the file and this repository can do: edit an event, then recompute the stream's chain. */
  const rewriteAndRechain = (stream: string, edit: (type: string, data: Record<string, unknown>) => Record<string, unknown>) =>
    sql((db) => {
      const rows = db.prepare('SELECT position, revision, type, data, metadata FROM events WHERE stream = ? ORDER BY revision').all(stream) as {
        position: number; revision: number; type: string; data: string; metadata: string;
      }[];
      let previous: string | null = null;
      let edited = 0;
      for (const row of rows) {
        const data = edit(row.type, JSON.parse(row.data));
        if (JSON.stringify(data) !== row.data) edited++;
        const metadata = withoutHash(JSON.parse(row.metadata));
        const hash = chainHash(previous, { stream, revision: row.revision, type: row.type, data, metadata });
        previous = hash;
        db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(JSON.stringify(data), JSON.stringify({ ...metadata, hash }), row.position);
      }
      expect(edited).toBe(1);
    });

  it('an untouched log verifies against its anchor', async () => {
    const made = await anchor();
    expect(made.code).toBe(0);
    expect(JSON.parse(made.out)).toEqual(JSON.parse(readFileSync(made.file, 'utf8')));
    expect(JSON.parse(made.out).statement).toMatchObject({ format: 'cppcc-trail-anchor/1', tenant: 'jinshan', streams: 6, root: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const { code, lines } = await verify('--anchor', made.file);
    expect(lines.at(-2)).toMatch(/^anchor .*anchor\.json: jinshan at position \d+ .*6 streams.*: unchanged$/);
    expect(lines.at(-1)).toMatch(/^intact: .* 0 problem\(s\); 1 of 1 anchor\(s\) matched/);
    expect(code).toBe(0);
  });

  it('catches a withheld answer rewritten with its chain recomputed, which the chain alone does not', async () => {
    const withheld = sql((db) =>
      db.prepare(`SELECT stream FROM events WHERE type = 'proposal.answered.v1' AND json_extract(data, '$.publish') = 0 LIMIT 1`).pluck().get(),
    ) as string;
    expect(withheld).toMatch(/^proposal-jinshan:p\d$/);
    const made = await anchor();
    rewriteAndRechain(withheld, (type, data) => (type === 'proposal.answered.v1' ? { ...data, text: '已全部解决。' } : data));

    const chainOnly = await verify();
    expect(chainOnly.code).toBe(0);
    expect(chainOnly.lines.at(-1)).toMatch(/^intact/);

    const { code, lines, text } = await verify('--anchor', made.file);
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith('TAMPERED'))).toEqual([expect.stringMatching(new RegExp(`^TAMPERED ${withheld} since the anchor .*: changed: .*an event was rewritten`))]);
    expect(text).not.toMatch(/: unchanged$/m);
    expect(lines.at(-1)).toMatch(/^NOT intact: .* 1 problem\(s\); 0 of 1 anchor\(s\) matched/);
  });

  it('catches a whole proposal stream deleted with its read-model rows', async () => {
    const made = await anchor();
    sql((db) => db.prepare(`DELETE FROM events WHERE stream = 'proposal-jinshan:p2'`).run());
    const rm = new Database(join(dir, 'read-models.sqlite'));
    const ids = ['jinshan:p2', ...(rm.prepare(`SELECT id FROM c_audit WHERE subject = 'p2'`).pluck().all() as string[])];
    const tables = rm.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'c_audit%' OR name LIKE 'c_proposals%')`).pluck().all() as string[];
    for (const table of tables) rm.prepare(`DELETE FROM "${table}" WHERE id IN (${ids.map(() => '?').join(',')})`).run(...ids);
    rm.close();

    const chainOnly = await verify();
    // p2 is gone: the session, p0, p1, p3 and the anchors' own stream remain.
    expect(chainOnly.lines.at(-1)).toMatch(/^intact: .* in 6 streams checked/);

    const { code, lines } = await verify('--anchor', made.file);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^TAMPERED proposal-jinshan:p2 since the anchor .*: missing: .*the stream was removed/));
    expect(lines).toContainEqual(expect.stringMatching(/^TAMPERED jinshan since the anchor .*: it counts \d+ events at or before position \d+, the log has \d+/));
  });

  it('catches a stream inserted before the anchored position', async () => {
    const made = await anchor();
    const anchored = JSON.parse(readFileSync(made.file, 'utf8')).statement.position as number;
    sql((db) => {
      const low = db.prepare('SELECT min(position) FROM events').pluck().get() as number;
      const row = db.prepare('SELECT * FROM events WHERE position = ?').get(low) as Record<string, unknown>;
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(anchored + 1000, low);
      db.prepare('INSERT INTO events (position, stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        low, 'proposal-jinshan:forged', 0, 'forged-id', row.type, row.data, row.metadata, row.created,
      );
    });
    const { code, lines } = await verify('--anchor', made.file);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^TAMPERED proposal-jinshan:forged since the anchor .*: new: /));
  });

  it('still verifies after events were appended past the anchor', async () => {
    const made = await anchor();
    await file(['p9'], 9); // a new stream, and the session's stream moves on (the registration number)
    const { code, lines } = await verify('--anchor', made.file);
    expect(lines.at(-1)).toMatch(/^intact: .* in 8 streams checked, 0 problem\(s\); 1 of 1 anchor\(s\) matched/);
    expect(code).toBe(0);
  });

  describe('refuses a forged anchor', () => {
    const edited = async (edit: (a: any) => void) => {
      const made = await anchor();
      const json = JSON.parse(readFileSync(made.file, 'utf8'));
      edit(json);
      writeFileSync(made.file, JSON.stringify(json));
      return made.file;
    };

    it('with an edited root', async () => {
      const forged = await edited((a) => (a.statement.root = a.statement.root.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))));
      const { code, lines } = await verify('--anchor', forged);
      expect(code).toBe(1);
      expect(lines).toContainEqual(expect.stringMatching(/^REFUSED anchor .*: its signature does not verify with the trusted key/));
      expect(lines.at(-1)).toMatch(/^NOT verified/);
    });

    it('with a leaf edited to match a rewritten log', async () => {
      const forged = await edited((a) => (a.leaves[0].head = 'f'.repeat(64)));
      const { code, lines } = await verify('--anchor', forged);
      expect(code).toBe(1);
      expect(lines).toContainEqual(expect.stringMatching(/^REFUSED anchor .*: its leaves do not give its signed root/));
    });

    it('signed with another key, the rewriter’s own', async () => {
      const made = await anchor();
      rewriteAndRechain('proposal-jinshan:p1', (type, data) => (type.startsWith('proposal.filed.') ? { ...data, title: '改过的标题' } : data));
      // The rewriter makes a key of their own and anchors the rewritten log with it.
      process.env.TRAIL_SIGNING_KEY = pem(generateKeyPairSync('ed25519').privateKey);
      sql((db) => db.prepare('DELETE FROM events WHERE stream = ?').run(anchorStream('jinshan')));
      const theirs = await anchor('theirs.json');
      expect(theirs.code).toBe(0);
      // The auditor checks with the public key they were given, not with whatever the data directory holds.
      const publicKey = join(auditor, 'trail-key.pub.pem');
      writeFileSync(publicKey, signing.publicKey.export({ type: 'spki', format: 'pem' }));
      const { code, lines } = await verify('--anchor', theirs.file, '--anchor', made.file, '--key', publicKey);
      expect(code).toBe(1);
      expect(lines).toContainEqual(expect.stringMatching(/^REFUSED anchor .*theirs\.json: it names the key ed25519:[0-9a-f]{64}, not the trusted key/));
      expect(lines).toContainEqual(expect.stringMatching(/^TAMPERED proposal-jinshan:p1 since the anchor .*anchor\.json: changed/));
    });

    it('checked with the wrong public key', async () => {
      const made = await anchor();
      const wrong = join(auditor, 'wrong.pub.pem');
      writeFileSync(wrong, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
      const { code, lines } = await verify('--anchor', made.file, '--key', wrong);
      expect(code).toBe(1);
      expect(lines).toContainEqual(expect.stringMatching(/^REFUSED anchor .*: it names the key .*, not the trusted key/));
    });
  });

  it('will not anchor a log that no longer matches the previous anchor', async () => {
    expect((await anchor()).code).toBe(0);
    rewriteAndRechain('proposal-jinshan:p3', (type, data) => (type.startsWith('proposal.filed.') ? { ...data, body: '改过的正文' } : data));
    const again = await anchor('again.json');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no anchor: the trail of jinshan no longer matches its anchor at position \d+ .*proposal-jinshan:p3: changed/);
  });

  it('says how to make a key when none is set', async () => {
    delete process.env.TRAIL_SIGNING_KEY;
    const made = await anchor();
    expect(made.code).toBe(2);
    expect(made.err).toMatch(/TRAIL_SIGNING_KEY is not set/);
    expect(made.err).toContain('npm run -s anchor -- --new-key');
  });

  it('npm run report ends by recording an anchor of the log it read', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await reportCommand(['--session', '6-3'])).toBe(0);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/^anchor of jinshan at position \d+: \d+ events in 6 streams/m);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
    const recorded = await store.readStream(anchorStream('jinshan'));
    expect(recorded.map((e) => e.metadata.recordedBy)).toEqual(['npm run report']);
    writeFileSync(join(auditor, 'from-report.json'), JSON.stringify(recorded[0].data));
    expect((await verify('--anchor', join(auditor, 'from-report.json'))).code).toBe(0);
  });

  it('reports read-model rows that lost their document instead of crashing', async () => {
    const rm = new Database(join(dir, 'read-models.sqlite'));
    expect(rm.prepare(`DELETE FROM c_audit__doc WHERE id IN (SELECT id FROM c_audit WHERE subject = 'p0')`).run().changes).toBeGreaterThan(0);
    expect(rm.prepare(`DELETE FROM c_proposals__doc WHERE id = 'jinshan:p1'`).run().changes).toBe(1);
    rm.close();
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^DAMAGED read model audit: \d+ entries have no document/));
    expect(lines).toContainEqual(expect.stringMatching(/^DAMAGED read model proposals: 1 entry has no document/));
    expect(lines.at(-1)).toMatch(/^NOT intact: .* 2 problem\(s\)/);
  });
});
