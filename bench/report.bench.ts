import { eventCodec } from '@app/proposals';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore, type ReadAllOptions, type ReadStreamOptions, type RecordedEvent } from '@app/event-store';
import { REPORTING_FIELD_INDEXES, sessionStatistics, statisticsSourcesFromEvents } from '@app/reporting';
import { ensureEventLog, scaleEventLog } from './generate.js';
import { figure, runBench } from './result.js';

/**
 * The reporting job (the statistics of one session, computed straight from the event log) over a log of about
 * 10 million generated events, beside a raw scan of the same file; with the events the job read, against the log,
 * and the time the store takes to build the reporting indexes when a store of this size is first opened with them.
 */
const COPIES = Number(process.env.BENCH_COPIES ?? 10);
const dataDir = process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The store, keeping every event its reads hand out. */
function counting(store: EventStore): { store: EventStore; read: RecordedEvent[] } {
  const read: RecordedEvent[] = [];
  const counted: EventStore = Object.assign(Object.create(store) as EventStore, {
    readAll: async (options?: ReadAllOptions) => {
      const events = await store.readAll(options);
      read.push(...events);
      return events;
    },
    readStream: async (stream: string, options?: ReadStreamOptions) => {
      const events = await store.readStream(stream, options);
      read.push(...events);
      return events;
    },
  });
  return { store: counted, read };
}

runBench(async (log) => {
  const source = ensureEventLog(join(dataDir, 'events-1000000.sqlite'), 1_000_000);
  const file = await scaleEventLog(source, join(dataDir, `events-x${COPIES}.sqlite`), COPIES, log);
  const db = new Database(file);
  const events = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
  // The reference: the events the job used to pick out (every filing and follow-up), by plain SQL, parsed; a scan
  // whatever indexes the file has.
  let started = performance.now();
  let scanned = 0;
  const types = [...eventCodec.storedTypesOf('ProposalFiled'), ...eventCodec.storedTypesOf('ProposalFollowedUp')];
  const scan = db.prepare(`SELECT stream, data, metadata FROM events NOT INDEXED WHERE type IN (${types.map(() => '?').join(', ')})`);
  for (const row of scan.iterate(...types) as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    scanned++;
  }
  const rawSeconds = (performance.now() - started) / 1000;
  // Each run measures the migration: the indexes a previous run built are dropped first.
  const built = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_by_field_%'`).pluck().all() as string[];
  for (const name of built) db.exec(`DROP INDEX ${name}`);
  db.close();
  log(`bench:report — ${fmt(events)} events (${(statSync(file).size / 1e9).toFixed(1)} GB), Node ${process.version}`);
  log(`  raw SQL scan picking the filings and follow-ups, parsed   ${rawSeconds.toFixed(1).padStart(6)} s  (${fmt(scanned)} of ${fmt(events)} events)`);

  started = performance.now();
  const store = new SqliteEventStore({ path: file, synchronous: 'normal', fieldIndexes: REPORTING_FIELD_INDEXES, log: (line) => log(`  ${line}`) });
  const indexSeconds = (performance.now() - started) / 1000;
  log(`  opening the store, building the reporting indexes      ${indexSeconds.toFixed(1).padStart(6)} s  (first start of a store this size after the upgrade)`);
  try {
    const session = `${Math.ceil(COPIES / 2)}-200`;
    const { store: counted, read } = counting(store);
    started = performance.now();
    const sources = (await statisticsSourcesFromEvents(counted, 'jinshan', [session], 480)).get(session);
    if (!sources) throw new Error(`no statistics for ${session}`);
    const statistics = sessionStatistics({ ...sources, utcOffsetMinutes: 480 });
    const seconds = (performance.now() - started) / 1000;
    // What "only that session's events" means: the session's stream, its proposals' streams, the follow-ups of
    // its year and the streams of the proposals followed up then. Anything else read is counted against it.
    const followUpTypes = new Set(eventCodec.storedTypesOf('ProposalFollowedUp'));
    const own = new Set([`session-jinshan:${session}`, ...[...sources.proposals, ...sources.followedUp].map((p) => `proposal-jinshan:${p.proposalId}`)]);
    const outside = read.filter((e) => !own.has(e.stream) && !followUpTypes.has(e.type)).length;
    log(
      `  report of session ${session} from the log        ${seconds.toFixed(1).padStart(6)} s  ` +
        `(read ${fmt(read.length)} of ${fmt(events)} events, ${fmt(outside)} of other sessions; ` +
        `filed ${statistics.filed}, registered ${statistics.registered}, solve rate ${statistics.solveRate}%)`,
    );
    return [
      figure({
        name: `reporting job (one session's statistics from the event log) over ${fmt(events)} events; it read ${fmt(read.length)} events, ${fmt(outside)} of other sessions`,
        value: Math.round(seconds * 100) / 100,
        unit: 's',
        reference: 'raw SQL scan of the same file picking the filings and follow-ups, with JSON.parse',
        referenceValue: Math.round(rawSeconds * 10) / 10,
        target: "< 5 s, reading only that session's events",
        met: seconds < 5 && outside === 0,
      }),
      figure({
        name: `building the reporting indexes when a store of ${fmt(events)} events is first opened with them (the migration)`,
        value: Math.round(indexSeconds * 10) / 10,
        unit: 's',
        reference: 'raw SQL scan of the same file picking the filings and follow-ups, with JSON.parse',
        referenceValue: Math.round(rawSeconds * 10) / 10,
        target: 'measured (once per store)',
        met: true,
      }),
    ];
  } finally {
    await store.close();
  }
});
