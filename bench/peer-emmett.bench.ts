import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import type { Actor } from '@app/proposals';
import { figure, type BenchFigure } from './result.js';
import { proposalScript, seededRandom, seedWorkloadDirectory } from './workload.js';

/**
 * Our embedded store beside Emmett's SQLite event store (@event-driven-io/emmett-sqlite, the closest TypeScript
 * peer), same run, same machine, same events: one event per append with its expected revision, each awaited before
 * the next as a command handler does, then every stream read back. Emmett lives in bench/peers/emmett with its own
 * package.json and node_modules, installed on first run, so the project's dependencies stay as they are.
 *
 *   PEER_EVENTS  events to append (default 20,000, whole proposal streams of 11 to 15 events)
 *   PEER_SYNC    SQLITE_SYNCHRONOUS values to compare, comma-separated (default `full`, both stores' default)
 */
const EVENTS = Number(process.env.PEER_EVENTS ?? 20_000);
const MODES = (process.env.PEER_SYNC ?? 'full').split(',').map((m) => m.trim()) as ('full' | 'normal')[];
/** Emmett's default setup opens a connection per operation: it is timed on a bounded share of the work. */
const DEFAULT_SETUP_SECONDS = Number(process.env.PEER_DEFAULT_SETUP_SECONDS ?? 3);
const TENANT = 'jinshan';
const log = (line: string) => console.error(line);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// The few parts of Emmett's API used here, as its dist/index.d.ts (0.42.4) declares them.
interface EmmettEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown>;
}
interface EmmettConnection {
  close(): void;
  command(sql: string, values?: unknown[]): Promise<unknown>;
  querySingle<T>(sql: string, values?: unknown[]): Promise<T | null>;
}
interface EmmettEventStore {
  appendToStream(
    streamName: string,
    events: EmmettEvent[],
    options?: { expectedStreamVersion?: bigint },
  ): Promise<{ nextExpectedStreamVersion: bigint; lastEventGlobalPosition: bigint; createdNewStream: boolean }>;
  readStream(streamName: string): Promise<{ currentStreamVersion: bigint; events: EmmettEvent[]; streamExists: boolean }>;
  schema: { migrate(): Promise<void> };
}
interface EmmettSqlite {
  getSQLiteEventStore(options: {
    fileName: string;
    connectionOptions?: { singleton: true; connection: EmmettConnection };
  }): EmmettEventStore;
  sqliteConnection(options: { fileName: string }): EmmettConnection;
}

interface Peer {
  readonly lib: EmmettSqlite;
  readonly version: string;
  readonly sqlite3: string;
}

interface WorkEvent {
  readonly stream: string;
  /** 0-based, as in our store; Emmett counts from 1, so its expected version before this event is `revision`. */
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
}

interface Workload {
  readonly events: readonly WorkEvent[];
  readonly streams: readonly string[];
  readonly bytesPerEvent: number;
}

/** bench/peers/emmett beside this file (run from sources) or beside dist/bench (run from the build). */
function peerDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'peers', 'emmett'), resolve(here, '..', '..', 'bench', 'peers', 'emmett')].find((d) =>
    existsSync(join(d, 'package.json')),
  );
}

const installed = (dir: string) =>
  existsSync(join(dir, 'node_modules', '@event-driven-io', 'emmett-sqlite', 'package.json')) &&
  existsSync(join(dir, 'node_modules', 'sqlite3', 'package.json'));

const versionOf = (dir: string, pkg: string): string =>
  (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** Installs Emmett into its own folder on first run, then loads it from there. */
function loadEmmett(): Peer | { failed: string } {
  const dir = peerDir();
  if (!dir) return { failed: 'bench/peers/emmett/package.json not found' };
  if (!installed(dir)) {
    log(`peer: installing Emmett into ${dir} (first run; sqlite3 compiles from source when no prebuilt binary can be fetched: minutes)`);
    const env = { ...process.env };
    // node-gyp would download Node's headers; use the ones installed beside this Node when there are any.
    const nodeDir = resolve(dirname(process.execPath), '..');
    if (!env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodeDir;
    const npm = spawnSync('npm', ['install', '--legacy-peer-deps', '--no-audit', '--no-fund'], {
      cwd: dir,
      env,
      stdio: ['ignore', 2, 2],
      timeout: 20 * 60_000,
    });
    if (npm.error || npm.status !== 0 || !installed(dir))
      return { failed: `npm install in bench/peers/emmett failed (${npm.error?.message ?? `exit ${npm.status}`})` };
  }
  try {
    const require = createRequire(join(dir, 'package.json'));
    const lib = require('@event-driven-io/emmett-sqlite') as EmmettSqlite;
    if (typeof lib.getSQLiteEventStore !== 'function' || typeof lib.sqliteConnection !== 'function')
      return { failed: 'the installed @event-driven-io/emmett-sqlite has no getSQLiteEventStore/sqliteConnection' };
    return { lib, version: versionOf(dir, '@event-driven-io/emmett-sqlite'), sqlite3: versionOf(dir, 'sqlite3') };
  } catch (error) {
    return { failed: `Emmett does not load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/**
 * Whole proposal streams made by the real command path (decide, metadata, hash chain), handled concurrently so that
 * their events interleave as in a district's log, until there are at least `total` events.
 */
async function makeWorkload(total: number): Promise<Workload> {
  const store = new SqliteEventStore({ path: ':memory:', synchronous: 'normal' });
  let now = Date.parse('2019-03-01T01:00:00Z');
  const processor = new CommandProcessor(store, { clock: () => new Date((now += 7_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
  const handlers = commandHandlers(processor);
  await seedWorkloadDirectory(handlers.directory, TENANT);
  const office: Actor = { id: 'o-1', role: 'office' };
  const sessions = new Map<string, Promise<unknown>>();
  const sessionFor = (n: number): Promise<string> => {
    const id = `6-${1 + Math.floor(n / 200)}`;
    if (!sessions.has(id))
      sessions.set(id, handlers.sessions.handle(id, { tenant: TENANT, caller: office, command: { type: 'OpenSession', data: { id, name: '六届三次会议', year: 2019 } } }));
    return (sessions.get(id) as Promise<unknown>).then(() => id);
  };
  const random = seededRandom(7);
  // Proposal streams hold 10 to 15 events (the registration's number reservation goes to the session stream).
  const proposals = Math.ceil(total / 9);
  let next = 0;
  const worker = async () => {
    while (next < proposals) {
      const n = next++;
      const id = `peer-${n}`;
      for (const { actor, command } of proposalScript(id, await sessionFor(n), n, random))
        await handlers.proposals.handle(id, { tenant: TENANT, caller: actor, command });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const all = (await store.readAll()).filter((e) => e.stream.startsWith(`proposal-${TENANT}:`));
  await store.close();
  const sizes = new Map<string, number>();
  for (const e of all) sizes.set(e.stream, (sizes.get(e.stream) ?? 0) + 1);
  const chosen = new Set<string>();
  let count = 0;
  for (const e of all) {
    if (count >= total) break;
    if (!chosen.has(e.stream)) {
      chosen.add(e.stream);
      count += sizes.get(e.stream) as number;
    }
  }
  const events = all
    .filter((e) => chosen.has(e.stream))
    .map((e): WorkEvent => ({ stream: e.stream, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
  const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)), 0);
  return { events, streams: [...chosen], bytesPerEvent: Math.round(bytes / events.length) };
}

/** One store under test: each operation awaited before the next, as a command handler does. */
interface Contender {
  readonly settings: string;
  append(e: WorkEvent): Promise<unknown>;
  /** Reads one whole stream; answers how many events it held. */
  read(stream: string): Promise<number>;
  close(): Promise<void>;
}

async function ours(path: string, synchronous: 'full' | 'normal'): Promise<Contender> {
  const store = new SqliteEventStore({ path, synchronous });
  return {
    settings: `journal_mode=${String(store.db.pragma('journal_mode', { simple: true }))}, synchronous=${String(store.db.pragma('synchronous', { simple: true }))}`,
    append: (e) =>
      store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], e.revision === 0 ? 'no_stream' : e.revision - 1),
    read: async (stream) => (await store.readStream(stream)).length,
    close: () => store.close(),
  };
}

/** Emmett on one connection that it shares for every operation: its fastest setup for a file. */
async function emmett(peer: Peer, path: string, synchronous: 'full' | 'normal'): Promise<Contender> {
  const connection = peer.lib.sqliteConnection({ fileName: path });
  // Emmett sets only journal_mode = WAL; synchronous stays SQLite's default (FULL) unless set on the connection.
  if (synchronous === 'normal') await connection.command('PRAGMA synchronous = NORMAL');
  const store = peer.lib.getSQLiteEventStore({ fileName: path, connectionOptions: { singleton: true, connection } });
  await store.schema.migrate();
  const journal = await connection.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
  const sync = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
  return {
    settings: `journal_mode=${journal?.journal_mode}, synchronous=${sync?.synchronous}`,
    // Emmett's stream versions count from 1: the version before an event of revision r (0-based) is r.
    append: (e) => store.appendToStream(e.stream, [{ type: e.type, data: e.data, metadata: e.metadata }], { expectedStreamVersion: BigInt(e.revision) }),
    read: async (stream) => (await store.readStream(stream)).events.length,
    close: async () => connection.close(),
  };
}

interface Timing {
  appendSeconds: number;
  readSeconds: number;
  eventsRead: number;
}

/**
 * Times both stores over the same work in alternating slices (ours then Emmett, Emmett then ours, ...), so that a
 * change in the machine's load during the run (other processes on these 2 cores) falls on both alike.
 */
async function timeInterleaved(contenders: readonly Contender[], work: Workload, slices = 10): Promise<Timing[]> {
  const timings = contenders.map((): Timing => ({ appendSeconds: 0, readSeconds: 0, eventsRead: 0 }));
  const order = (k: number) => (k % 2 === 0 ? contenders.map((_, i) => i) : contenders.map((_, i) => i).reverse());
  const slice = <T>(items: readonly T[], k: number) => items.slice(Math.floor((items.length * k) / slices), Math.floor((items.length * (k + 1)) / slices));
  for (let k = 0; k < slices; k++) {
    const events = slice(work.events, k);
    for (const i of order(k)) {
      const started = performance.now();
      for (const e of events) await contenders[i].append(e);
      timings[i].appendSeconds += (performance.now() - started) / 1000;
    }
  }
  for (let k = 0; k < slices; k++) {
    const streams = slice(work.streams, k);
    for (const i of order(k)) {
      const started = performance.now();
      for (const stream of streams) timings[i].eventsRead += await contenders[i].read(stream);
      timings[i].readSeconds += (performance.now() - started) / 1000;
    }
  }
  return timings;
}

/**
 * Emmett as `getSQLiteEventStore({ fileName })` sets it up by default: a new connection for every operation, closed
 * after it. Information only, bounded in time: appends to a fresh file, reads of the streams in `filled` (a complete
 * Emmett file). Answers each rate in words, or how that setup failed (it can: SQLITE_BUSY at COMMIT has been seen).
 */
async function runEmmettDefault(peer: Peer, dir: string, filled: string, work: Workload): Promise<{ appends: string; reads: string }> {
  const timed = async <T>(items: readonly T[], op: (item: T) => Promise<unknown>, unit: string): Promise<string> => {
    let count = 0;
    const started = performance.now();
    const end = started + DEFAULT_SETUP_SECONDS * 1000;
    try {
      for (const item of items) {
        await op(item);
        count++;
        if (performance.now() > end) break;
      }
    } catch (error) {
      return `failed after ${count} ${unit} (${String((error as Error).message ?? error).split('\n')[0]})`;
    }
    return `${fmt(count / ((performance.now() - started) / 1000))}/s`;
  };
  const fresh = peer.lib.getSQLiteEventStore({ fileName: join(dir, 'emmett-default.sqlite') });
  const appends = await timed(
    work.events,
    (e) => fresh.appendToStream(e.stream, [{ type: e.type, data: e.data, metadata: e.metadata }], { expectedStreamVersion: BigInt(e.revision) }),
    'appends',
  );
  const reader = peer.lib.getSQLiteEventStore({ fileName: filled });
  const reads = await timed(work.streams, (stream) => reader.readStream(stream), 'reads');
  return { appends, reads };
}

const APPEND_NAME = (sync: string) => `appends/s vs Emmett (1 event per append with expected revision, sequential; synchronous=${sync})`;
const READ_NAME = (sync: string) => `stream reads/s vs Emmett (every stream read back, sequential; synchronous=${sync})`;

export async function emmettComparison(): Promise<BenchFigure[]> {
  log(`peer: generating ${fmt(EVENTS)} events of proposal streams through the command path`);
  const work = await makeWorkload(EVENTS);
  const shape = `${fmt(work.events.length)} events (~${work.bytesPerEvent} B data+metadata) in ${fmt(work.streams.length)} streams`;
  log(`peer: ${shape}, files in ${tmpdir()}`);
  const peer = loadEmmett();
  const failed = 'failed' in peer ? peer.failed : undefined;
  if (failed) log(`peer: Emmett NOT measured: ${failed}`);
  const figures: BenchFigure[] = [];
  for (const synchronous of MODES) {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-peer-'));
    const open: Contender[] = [];
    try {
      const contenders = async (tag: string) => {
        const list = [await ours(join(dir, `ours-${tag}.sqlite`), synchronous)];
        if (!failed) list.push(await emmett(peer as Peer, join(dir, `emmett-${tag}.sqlite`), synchronous));
        open.push(...list);
        return list;
      };
      // Warm both up (JIT, native modules, file creation) on throwaway files before timing.
      const warmStreams = new Set(work.streams.slice(0, 40));
      const warm: Workload = { ...work, events: work.events.filter((e) => warmStreams.has(e.stream)), streams: [...warmStreams] };
      await timeInterleaved(await contenders('warm'), warm, 2);
      for (const c of open.splice(0)) await c.close();

      const measured = await contenders('run');
      const [mine, theirs] = await timeInterleaved(measured, work);
      const rates = (t: Timing) => ({ appends: work.events.length / t.appendSeconds, reads: work.streams.length / t.readSeconds });
      const our = rates(mine);
      log(`peer: ours   ${fmt(our.appends)} appends/s, ${fmt(our.reads)} stream reads/s (${measured[0].settings})`);
      if (mine.eventsRead !== work.events.length) throw new Error(`our store read back ${mine.eventsRead} of ${work.events.length} events`);
      if (failed) {
        const reference = `Emmett not measured: ${failed}`;
        figures.push(
          figure({ name: APPEND_NAME(synchronous), value: Math.round(our.appends), unit: 'appends/s', reference, referenceValue: 0, target: '≥ 5× Emmett', met: false }),
          figure({ name: READ_NAME(synchronous), value: Math.round(our.reads), unit: 'reads/s', reference, referenceValue: 0, target: '≥ 5× Emmett', met: false }),
        );
        continue;
      }
      const their = rates(theirs);
      log(`peer: Emmett ${fmt(their.appends)} appends/s, ${fmt(their.reads)} stream reads/s (one shared connection; ${measured[1].settings})`);
      if (theirs.eventsRead !== work.events.length) throw new Error(`Emmett read back ${theirs.eventsRead} of ${work.events.length} events`);
      for (const c of open.splice(0)) await c.close();
      const p = peer as Peer;
      const byDefault = await runEmmettDefault(p, dir, join(dir, 'emmett-run.sqlite'), work);
      log(`peer: Emmett default setup (a connection per operation, journal_mode=WAL, SQLite's default synchronous): appends ${byDefault.appends}, stream reads ${byDefault.reads}`);
      const who = `Emmett ${p.version} (emmett-sqlite on sqlite3 ${p.sqlite3}), one shared connection, its fastest setup (${measured[1].settings})`;
      figures.push(
        figure({
          name: APPEND_NAME(synchronous),
          value: Math.round(our.appends),
          unit: 'appends/s',
          reference: `${who}; ${shape}; Emmett's default setup, a connection per operation: ${byDefault.appends}`,
          referenceValue: Math.round(their.appends),
          target: '≥ 5× Emmett',
          met: our.appends >= 5 * their.appends,
        }),
        figure({
          name: READ_NAME(synchronous),
          value: Math.round(our.reads),
          unit: 'reads/s',
          reference: `${who}; ${shape}; Emmett's default setup, a connection per operation: ${byDefault.reads}`,
          referenceValue: Math.round(their.reads),
          target: '≥ 5× Emmett',
          met: our.reads >= 5 * their.reads,
        }),
      );
    } finally {
      for (const c of open) await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}
