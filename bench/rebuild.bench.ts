import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { eventCodec } from '@app/proposals';
import {
  auditProjection,
  BatchApplier,
  PROJECTED_STREAMS,
  proposalsProjection,
  rebuildReadModels,
  remindersProjection,
  sessionsProjection,
  todoProjection,
  type Projection,
} from '@app/projections';
import { ensureEventLog } from './generate.js';
import { figure, runBench } from './result.js';

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

/**
 * What the live projections (as `npm start` runs them) pay per event: the first LIVE_EVENTS events of the log applied
 * to empty read models in batches of LIVE_BATCH, as the runner applies what the subscription has ready, each batch
 * reading the documents it changes and committing them with the checkpoints. Same projections and settings as the
 * service's read store (synchronous=normal).
 */
async function liveApply(store: SqliteEventStore, projections: readonly Projection[], dir: string): Promise<{ events: number; microseconds: number }> {
  const LIVE_EVENTS = 20_000;
  const LIVE_BATCH = 10;
  const readStore = new SqliteReadStore({ path: join(dir, 'live.sqlite'), synchronous: 'normal' });
  try {
    await readStore.ensure(projections.map((p) => p.collection));
    const events = await store.readAll({ maxCount: LIVE_EVENTS, filter: PROJECTED_STREAMS });
    const applier = new BatchApplier(store, readStore, projections, 'live', eventCodec);
    const started = performance.now();
    for (let i = 0; i < events.length; i += LIVE_BATCH) await applier.apply(events.slice(i, i + LIVE_BATCH));
    return { events: events.length, microseconds: ((performance.now() - started) * 1000) / events.length };
  } finally {
    await readStore.close();
  }
}

runBench(async (log) => {
  ensureEventLog(file, EVENTS);
  log(`bench:rebuild — ${fmt(EVENTS)}+ generated events (${(statSync(file).size / 1e6).toFixed(0)} MB), Node ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-rebuild-'));
  const store = new SqliteEventStore({ path: file, synchronous: 'normal' });
  const readStore = new SqliteReadStore({ path: join(dir, 'read.sqlite'), synchronous: 'normal' });
  // Every read model `npm run rebuild` rebuilds (libs/runtime allProjections), in the same order.
  const projections = [proposalsProjection(480), sessionsProjection, auditProjection, todoProjection, remindersProjection] as Projection[];
  await readStore.ensure(projections.map((p) => p.collection));
  try {
    const result = await rebuildReadModels(store, readStore, projections);
    // The process's peak resident set so far (getrusage), read before anything else runs: a timer sampling RSS
    // seldom fires while the rebuild keeps the event loop busy, so it missed the peak.
    const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const raw = rawReadAndParse(file);
    const rate = result.events / result.seconds;
    const live = await liveApply(store, projections, dir);
    log(`  raw sequential read + JSON.parse      ${fmt(raw.rate).padStart(9)} events/s  (${fmt(raw.events)} events)`);
    log(`  rebuild of ${projections.length} read models              ${fmt(rate).padStart(9)} events/s  ${((rate / raw.rate) * 100).toFixed(0)}% of raw; ${result.seconds.toFixed(1)} s`);
    log(`  peak RSS                              ${String(peakMb).padStart(9)} MB`);
    log(`  live apply (batches of 10 events)     ${live.microseconds.toFixed(1).padStart(9)} µs/event  (${fmt(live.events)} events)`);
    return [
      figure({
        name: `rebuild of every read model from ${fmt(result.events)} events`,
        value: Math.round(rate),
        unit: 'events/s',
        reference: 'raw sequential read + JSON.parse of the same file',
        referenceValue: Math.round(raw.rate),
        target: '≥ 50% of raw read + parse',
        met: rate >= 0.5 * raw.rate,
      }),
      figure({
        name: 'peak resident memory during the rebuild (heap bound --max-old-space-size=192, as npm run rebuild)',
        value: peakMb,
        unit: 'MB',
        reference: 'the 300 MB budget',
        referenceValue: 300,
        target: '< 300 MB',
        met: peakMb < 300,
      }),
    ];
  } finally {
    await readStore.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
