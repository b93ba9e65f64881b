import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { auditProjection, proposalsProjection, rebuildReadModels, sessionsProjection, type Projection } from '@app/projections';
import { generateEventLog } from './generate.js';

/**
 * Rebuilds every read model from a generated log of EVENTS events (default 1,000,000) and prints events/s and peak
 * resident memory, beside the raw rate of reading and parsing the same file sequentially.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const file = join(process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench'), `events-${EVENTS}.sqlite`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function rawReadAndParse(path: string): { events: number; rate: number } {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  let events = 0;
  for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    events++;
  }
  db.close();
  return { events, rate: events / ((performance.now() - started) / 1000) };
}

async function main(): Promise<void> {
  await generateEventLog(file, EVENTS, (line) => console.error(line));
  console.log(`bench:rebuild — ${fmt(EVENTS)}+ generated events (${(statSync(file).size / 1e6).toFixed(0)} MB), Node ${process.version}`);
  const raw = rawReadAndParse(file);
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-rebuild-'));
  const store = new SqliteEventStore({ path: file, synchronous: 'normal' });
  const readStore = new SqliteReadStore({ path: join(dir, 'read.sqlite'), synchronous: 'normal' });
  const projections = [proposalsProjection(480), sessionsProjection, auditProjection] as Projection[];
  await readStore.ensure(projections.map((p) => p.collection));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await rebuildReadModels(store, readStore, projections);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    const rate = result.events / result.seconds;
    console.log(`  raw sequential read + JSON.parse      ${fmt(raw.rate).padStart(9)} events/s  (${fmt(raw.events)} events)`);
    console.log(`  rebuild of ${projections.length} read models              ${fmt(rate).padStart(9)} events/s  ${((rate / raw.rate) * 100).toFixed(0)}% of raw; ${result.seconds.toFixed(1)} s`);
    console.log(`  peak RSS                              ${(peak / 1024 / 1024).toFixed(0).padStart(9)} MB`);
    console.log(`  targets: ≥ 150,000 events/s ${rate >= 150_000 ? 'met' : 'NOT met'}; peak RSS < 300 MB ${peak < 300 * 1024 * 1024 ? 'met' : 'NOT met'}`);
  } finally {
    clearInterval(sampler);
    await readStore.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
