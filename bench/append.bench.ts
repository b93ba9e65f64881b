import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import type { Actor } from '@app/proposals';
import { figure, runBench, type BenchFigure } from './result.js';
import { proposalScript, seededRandom, type Step, seedWorkloadDirectory } from './workload.js';

/**
 * Commands per second through the domain and the embedded store (no HTTP), beside raw better-sqlite3
 * single-row transactions on the same machine, same file settings, same run: a minimal row, and the event row.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const modes = (process.env.BENCH_SYNC ?? 'normal,full').split(',') as ('normal' | 'full')[];
const TENANT = 'jinshan';
const office: Actor = { id: 'o-1', role: 'office' };

/** Single-row transactions: a minimal row, and an event row of the embedded store's own table and index. */
function rawTransactions(dir: string, synchronous: string, bytes: number, eventRow: boolean): number {
  const db = new Database(join(dir, `raw-${eventRow}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const payload = 'x'.repeat(bytes);
  let tx: () => void;
  if (eventRow) {
    db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (stream, revision))`);
    const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const revisions = new Map<string, number>();
    let n = 0;
    tx = db.transaction(() => {
      const stream = `proposal-jinshan:bench-${n++ % 3000}`;
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      insert.run(stream, revision, randomUUID(), 'proposal.visited.v1', payload.slice(0, bytes / 2), payload.slice(bytes / 2), new Date().toISOString());
    });
  } else {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (data) VALUES (?)');
    tx = db.transaction(() => insert.run(payload));
  }
  let count = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) tx();
    count += 100;
  }
  db.close();
  return count / SECONDS;
}

async function commands(dir: string, synchronous: 'normal' | 'full', concurrency: number): Promise<{ rate: number; bytesPerEvent: number }> {
  const store = new SqliteEventStore({ path: join(dir, `events-${concurrency}.sqlite`), synchronous });
  let now = Date.parse('2019-03-01T01:00:00Z');
  const processor = new CommandProcessor(store, { clock: () => new Date((now += 1000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
  const handlers = commandHandlers(processor);
  await seedWorkloadDirectory(handlers.directory, TENANT);
  // Sessions of 200 proposals, as in a district (184 filed in 2019).
  const sessions = new Map<string, Promise<unknown>>();
  const sessionFor = (n: number): Promise<string> => {
    const k = Math.floor(n / 200);
    const id = `${1 + Math.floor(k / 999)}-${1 + (k % 999)}`;
    if (!sessions.has(id))
      sessions.set(id, handlers.sessions.handle(id, { tenant: TENANT, caller: office, command: { type: 'OpenSession', data: { id, name: `第${k + 1}次会议`, year: 2019 } } }));
    return (sessions.get(id) as Promise<unknown>).then(() => id);
  };
  const random = seededRandom();
  let next = 0;
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const n = next++;
      const id = `bench-${n}`;
      const script: Step[] = proposalScript(id, await sessionFor(n), n, random);
      for (const { actor, command } of script) {
        await handlers.proposals.handle(id, { tenant: TENANT, caller: actor, command });
        done++;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const bytes = store.db.prepare('SELECT avg(length(data) + length(metadata)) FROM events').pluck().get() as number;
  await store.close();
  return { rate: done / elapsed, bytesPerEvent: Math.round(bytes) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

/**
 * Figures for `npm run bench`: commands through the domain and the store, against raw single-row transactions at
 * the same durability, measured in the same run. One caller is measured against raw transactions of the event row
 * (the events table and its (stream, revision) index: what a command must commit at the least); 32 concurrent
 * callers against raw transactions of a minimal row, which group commit lets them pass. Both references are printed.
 */
export async function appendFigures(synchronous: 'normal' | 'full', log: (line: string) => void = console.log): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-bench-'));
  try {
    const sequential = await commands(dir, synchronous, 1);
    const concurrent = await commands(dir, synchronous, 32);
    const raw = rawTransactions(dir, synchronous, sequential.bytesPerEvent, false);
    const rawEvent = rawTransactions(dir, synchronous, sequential.bytesPerEvent, true);
    const references = {
      minimal: { label: `raw better-sqlite3 single-row transactions, a minimal row (synchronous=${synchronous})`, value: raw },
      event: { label: `raw better-sqlite3 single-row transactions, the event row and its index (synchronous=${synchronous})`, value: rawEvent },
    };
    log(`SQLITE_SYNCHRONOUS=${synchronous} (events average ${sequential.bytesPerEvent} bytes of data + metadata)`);
    log(`  raw single-row transactions, minimal row      ${fmt(raw).padStart(8)} /s   (the reference of 32 callers)`);
    log(`  raw single-row transactions, the event row    ${fmt(rawEvent).padStart(8)} /s   (the reference of 1 caller; ${pct(rawEvent / raw)} of the minimal row)`);
    const figures: BenchFigure[] = [];
    const measured = [
      ['1 caller', sequential, references.event],
      ['32 concurrent callers', concurrent, references.minimal],
    ] as const;
    for (const [label, r, reference] of measured) {
      log(`  commands, ${label.padEnd(34)} ${fmt(r.rate).padStart(8)} /s   ${pct(r.rate / reference.value)} of its reference, ${pct(r.rate / raw)} of the minimal row`);
      figures.push(
        figure({
          name: `commands through domain + store (no HTTP), ${label}, synchronous=${synchronous}`,
          value: Math.round(r.rate),
          unit: 'commands/s',
          reference: reference.label,
          referenceValue: Math.round(reference.value),
          target: '≥ 60% of the reference',
          met: r.rate >= 0.6 * reference.value,
        }),
      );
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('append.bench.js')) {
  runBench(async (log) => {
    log(`bench:append — ${SECONDS}s per figure, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
    const figures: BenchFigure[] = [];
    for (const synchronous of modes) figures.push(...(await appendFigures(synchronous, log)));
    return figures;
  });
}
