import { eventCodec } from '@app/proposals';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { sessionStatistics, statisticsSourcesFromEvents } from '@app/reporting';
import { ensureEventLog, scaleEventLog } from './generate.js';
import { figure, runBench } from './result.js';

/**
 * The reporting job (the statistics of one session, computed straight from the event log) over a log of about
 * 10 million generated events, beside a raw scan of the same file.
 */
const COPIES = Number(process.env.BENCH_COPIES ?? 10);
const dataDir = process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

runBench(async (log) => {
  const source = ensureEventLog(join(dataDir, 'events-1000000.sqlite'), 1_000_000);
  const file = await scaleEventLog(source, join(dataDir, `events-x${COPIES}.sqlite`), COPIES, log);
  const db = new Database(file, { readonly: true });
  const events = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
  // The reference: the same events picked out by plain SQL and parsed, without the store or the statistics.
  let started = performance.now();
  let scanned = 0;
  const types = [...eventCodec.storedTypesOf('ProposalFiled'), ...eventCodec.storedTypesOf('ProposalFollowedUp')];
  const scan = db.prepare(`SELECT stream, data, metadata FROM events WHERE type IN (${types.map(() => '?').join(', ')})`);
  for (const row of scan.iterate(...types) as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    scanned++;
  }
  const rawSeconds = (performance.now() - started) / 1000;
  db.close();
  log(`bench:report — ${fmt(events)} events (${(statSync(file).size / 1e9).toFixed(1)} GB), Node ${process.version}`);
  const store = new SqliteEventStore({ path: file, synchronous: 'normal' });
  try {
    started = performance.now();
    const session = `${Math.ceil(COPIES / 2)}-200`;
    const sources = await statisticsSourcesFromEvents(store, 'jinshan', [session], 480);
    const statistics = sessionStatistics({ ...(sources.get(session) as NonNullable<ReturnType<typeof sources.get>>), utcOffsetMinutes: 480 });
    const seconds = (performance.now() - started) / 1000;
    log(`  raw SQL scan picking the filings and follow-ups, parsed   ${rawSeconds.toFixed(1).padStart(6)} s  (${fmt(scanned)} of ${fmt(events)} events)`);
    log(`  report of session ${session} from the log        ${seconds.toFixed(1).padStart(6)} s  (filed ${statistics.filed}, registered ${statistics.registered}, solve rate ${statistics.solveRate}%)`);
    return [
      figure({
        name: `reporting job (one session's statistics from the event log) over ${fmt(events)} events`,
        value: Math.round(seconds * 10) / 10,
        unit: 's',
        reference: 'raw SQL scan of the same file picking the filings and follow-ups, with JSON.parse',
        referenceValue: Math.round(rawSeconds * 10) / 10,
        target: '< 60 s',
        met: seconds < 60,
      }),
    ];
  } finally {
    await store.close();
  }
});
