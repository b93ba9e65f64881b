import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import type { Actor } from '@app/proposals';
import { proposalScript, seededRandom, seedWorkloadDirectory } from './workload.js';

const office: Actor = { id: 'o-1', role: 'office' };

/**
 * The generated log at `path`, made first if it is not there yet — in a process of its own, so that the memory the
 * generation takes is not counted against the benchmark that reads the log.
 */
export function ensureEventLog(path: string, events: number): string {
  if (existsSync(path)) return path;
  const made = spawnSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'generate.main.js'), path, String(events)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (made.status !== 0 || !existsSync(path)) throw new Error(`generating ${path} failed`);
  return path;
}

/**
 * An event log of at least `events` events made through the real command path (decide, metadata, hash chain),
 * proposals handled concurrently so that their streams interleave in the log as they do in a district's year.
 * Built in memory, then written to `path` in one go; reused when the file is already there.
 */
export async function generateEventLog(path: string, events: number, log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const store = new SqliteEventStore({ path: ':memory:', synchronous: 'normal' });
  let now = Date.parse('2017-01-10T01:00:00Z');
  const processor = new CommandProcessor(store, { clock: () => new Date((now += 7_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
  const handlers = commandHandlers(processor);
  await seedWorkloadDirectory(handlers.directory, 'jinshan');
  const sessions = new Map<string, Promise<unknown>>();
  const sessionFor = (n: number) => {
    const k = Math.floor(n / 200);
    const id = `${1 + Math.floor(k / 999)}-${1 + (k % 999)}`;
    if (!sessions.has(id))
      sessions.set(id, handlers.sessions.handle(id, { tenant: 'jinshan', caller: office, command: { type: 'OpenSession', data: { id, name: `第${k + 1}次会议`, year: 2017 + Math.floor(k / 50) } } }));
    return (sessions.get(id) as Promise<unknown>).then(() => id);
  };
  const random = seededRandom(42);
  let next = 0;
  const started = performance.now();
  let lastLog = started;
  const worker = async () => {
    while ((await store.headPosition()) < events) {
      const n = next++;
      const id = `gen-${n}`;
      for (const { actor, command } of proposalScript(id, await sessionFor(n), n, random)) {
        await handlers.proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
      }
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        log(`generating: ${(await store.headPosition()).toLocaleString('en-US')} events`);
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  store.db.prepare('VACUUM INTO ?').run(tmp);
  await store.close();
  renameSync(tmp, path);
  log(`generated ${events.toLocaleString('en-US')}+ events in ${((performance.now() - started) / 1000).toFixed(0)} s → ${path}`);
  return path;
}

/**
 * A larger log made of copies of a generated one: copy k moves every session to committee k (sessions `k-1`,
 * `k-2`, …) and renames its proposals, so the log holds k times as many sessions and proposals of one district.
 * The directory (units, members) is the district's one directory: only the first copy holds it.
 * The copies' hash chains are not recomputed (the stream names changed): this log is for reading benchmarks only.
 */
export async function scaleEventLog(source: string, path: string, copies: number, log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(path)) return path;
  const Database = (await import('better-sqlite3')).default;
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const started = performance.now();
  const db = new Database(tmp);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
    type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (stream, revision));
    CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO store_info VALUES ('schema_version', '1');`);
  db.prepare('ATTACH ? AS src').run(source);
  const copy = db.prepare(`
    INSERT INTO events (stream, revision, id, type, data, metadata, created)
    SELECT replace(replace(stream, 'session-jinshan:1-', 'session-jinshan:' || :k || '-'), 'proposal-jinshan:gen-', 'proposal-jinshan:g' || :k || '-'),
           revision, lower(hex(randomblob(16))), type,
           replace(replace(replace(replace(data, '"session":"1-', '"session":"' || :k || '-'), '"sessionId":"1-', '"sessionId":"' || :k || '-'),
             '"number":"1-', '"number":"' || :k || '-'), '"proposalId":"gen-', '"proposalId":"g' || :k || '-'),
           metadata, created
    FROM src.events WHERE :k = '1' OR stream NOT LIKE 'directory-%' ORDER BY position`);
  for (let k = 1; k <= copies; k++) {
    copy.run({ k: String(k) });
    log(`scaling: copy ${k} of ${copies} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  db.exec('DETACH src');
  db.close();
  renameSync(tmp, path);
  return path;
}
