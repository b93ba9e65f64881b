import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { loadConfig, readStoreFile } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { mintToken, type Principal, type TokenClaims } from '@app/identity';
import { PROPOSALS, ProposalsQuery, type ProposalListQuery } from '@app/projections';
import { READ_STORE, SqliteReadStore, type DocWrite } from '@app/read-store';
import { allProjections, ReadModels } from '@app/runtime';
import { createApp } from '../apps/api/src/create-app.js';
import { loadInWorker, merged, type LoadRequest, type LoadResult } from './http-load.worker.js';
import { proposalDocs, sessionCopies } from './proposal-docs.js';
import { figure, runBench } from './result.js';
import { seededRandom, seedWorkloadDirectory, UNITS } from './workload.js';

/**
 * `GET /proposals` over HTTP: the real API (Nest + Fastify, bearer tokens, validation, the embedded SQLite stores, as
 * `npm start` runs it) over a read store of 200,000 proposals in 50 jurisdictions, driven by autocannon with 50
 * connections from a worker thread (bench/http-load.worker.ts). The requests mix what people list: the office paging
 * through a session by number, the office filtering by status, a unit listing what it handles, a member their own,
 * and the office jumping to a deep page of the whole jurisdiction. The reference, in the same run: the same requests
 * through the app's ProposalsQuery one at a time, no HTTP.
 *
 * The data (a DATA_DIR with the jurisdictions' directories in its event store and the proposal documents, made by
 * the real projection from the generated log, in its read store) is made once, in a process of its own, and kept
 * under BENCH_DATA (default /tmp/cppcc-bench) as list-http-<proposals>-v<version>.
 *
 *   BENCH_PROPOSALS       proposals (default 200,000)
 *   LIST_HTTP_SECONDS     autocannon duration, in all (default 10)
 *   LIST_HTTP_REF_SECONDS duration of the reference without HTTP, in all (default 5)
 *   LIST_HTTP_ROUNDS      HTTP and the reference take turns in this many rounds (default 5), so that the machine's
 *                         other load falls on both alike
 *   LIST_HTTP_CONNECTIONS connections (default 50)
 *   LIST_HTTP_ONLY        only these kinds of request, comma-separated (session,status,unit,member,deep), to profile one
 */
const COUNT = Number(process.env.BENCH_PROPOSALS ?? 200_000);
const SECONDS = Number(process.env.LIST_HTTP_SECONDS ?? 10);
const REF_SECONDS = Number(process.env.LIST_HTTP_REF_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.LIST_HTTP_CONNECTIONS ?? 50);
const ROUNDS = Math.max(1, Number(process.env.LIST_HTTP_ROUNDS ?? 5));
const ONLY = process.env.LIST_HTTP_ONLY?.split(',').map((s) => s.trim());
const WARMUP_SECONDS = 3;
const JURISDICTIONS = Array.from({ length: 50 }, (_, i) => `district-${i + 1}`);
const SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const dataRoot = process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench');
/** Part of the cached data's name: raise it when what the data holds, or how the read store lays it out, changes. */
const DATA_VERSION = 3;
const dataDir = join(dataRoot, `list-http-${COUNT}-v${DATA_VERSION}`);
const env = (dir: string, extra: Record<string, string> = {}) => ({ DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_LEVEL: 'error', ...extra });
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const round2 = (n: number) => Math.round(n * 100) / 100;
const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/**
 * Builds the data in `${dir}.tmp` and renames it when complete: the jurisdictions' directories through the command
 * path (units and members must be known to it for their tokens to be served), then the proposal documents.
 */
async function prepare(dir: string, log: (line: string) => void): Promise<void> {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const started = performance.now();
  const base = await proposalDocs(dataRoot);
  log(`list-http: ${fmt(base.length)} proposals projected from the generated log in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const config = loadConfig(env(tmp, { SQLITE_SYNCHRONOUS: 'normal' }));
  const app = await createApp({ config, logLevel: 'silent' });
  try {
    const handlers = commandHandlers(app.get(CommandProcessor));
    for (const tenant of JURISDICTIONS) await seedWorkloadDirectory(handlers.directory, tenant);
    await app.get(ReadModels).waitFor(await app.get<EventStore>(EVENT_STORE).headPosition(), 60_000);
  } finally {
    await app.close();
  }
  const readStore = new SqliteReadStore({ path: readStoreFile(config), synchronous: 'normal' });
  try {
    await readStore.ensure(allProjections(config).map((p) => p.collection));
    let writes: DocWrite[] = [];
    let written = 0;
    for (const doc of sessionCopies(base, COUNT, JURISDICTIONS)) {
      writes.push({ collection: PROPOSALS, id: doc.id, doc, previous: null });
      if (writes.length === 5_000) {
        await readStore.commit({ writes, checkpoints: {} });
        written += writes.length;
        writes = [];
      }
    }
    await readStore.commit({ writes, checkpoints: {} });
    written += writes.length;
    // As a rebuild leaves it (swapRebuild analyzes); a store the runner filled is analyzed by PRAGMA optimize.
    readStore.db.exec('ANALYZE');
    log(`list-http: ${fmt(written)} proposals in ${JURISDICTIONS.length} jurisdictions written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await readStore.close();
  }
  renameSync(tmp, dir);
}

type Kind = 'session' | 'status' | 'unit' | 'member' | 'deep';

interface Planned {
  readonly kind: Kind;
  readonly principal: Principal;
  readonly query: ProposalListQuery;
  readonly http: LoadRequest;
}

/**
 * Rounds of 20 requests, each in one jurisdiction picked at random: the office pages through one session by number
 * (10 pages of 20), filters by status across the jurisdiction (3: the first pages of the answered, most of them, and
 * the ones still being handled), a unit lists what it handles (3, newest first, pages 1–3), a member their own (2),
 * and the office opens a deep page of the whole jurisdiction by last change (2, pages 100–200 of 200).
 */
function plan(sessionsOf: ReadonlyMap<string, readonly string[]>, rounds: number): Planned[] {
  const random = seededRandom(15);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const tokens = new Map<string, Principal & { token: string }>();
  const who = (claims: TokenClaims & { tenant: string }) => {
    const key = JSON.stringify(claims);
    let p = tokens.get(key);
    if (!p) {
      p = { id: claims.sub, role: claims.role, tenant: claims.tenant, ...(claims.unit ? { unit: claims.unit } : {}), token: mintToken(SECRET, claims) };
      tokens.set(key, p);
    }
    return p;
  };
  const planned: Planned[] = [];
  const add = (kind: Kind, p: Principal & { token: string }, query: ProposalListQuery) => {
    if (ONLY && !ONLY.includes(kind)) return;
    const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const { token, ...principal } = p;
    planned.push({ kind, principal, query, http: { method: 'GET', path: `/proposals?${params}`, token } });
  };
  for (let r = 0; r < rounds; r++) {
    const tenant = pick(JURISDICTIONS);
    const office = who({ sub: 'o-1', role: 'office', tenant });
    const session = pick(sessionsOf.get(tenant) ?? []);
    const others: (() => void)[] = [
      () => add('status', office, { status: 'answered', sort: '-filedAt', page: 1, pageSize: 20 }),
      () => add('status', office, { status: 'answered', sort: '-filedAt', page: 2, pageSize: 20 }),
      () => add('status', office, { status: 'assigned', sort: 'dueDate', page: 1, pageSize: 20 }),
      ...[1, 2, 3].map((page) => {
        const unit = pick(UNITS);
        return () => add('unit', who({ sub: `u-${unit}`, role: 'unit', unit, tenant }), { sort: '-filedAt', page, pageSize: 20 });
      }),
      ...[1, 2].map(() => {
        const member = `m-${Math.floor(random() * 200)}`;
        return () => add('member', who({ sub: member, role: 'member', tenant }), { sort: '-filedAt', page: 1, pageSize: 20 });
      }),
      ...[1, 2].map(() => {
        const page = 100 + Math.floor(random() * 101);
        return () => add('deep', office, { sort: '-updatedAt', page, pageSize: 20 });
      }),
    ];
    for (let page = 1; page <= 10; page++) {
      add('session', office, { session, sort: 'number', page, pageSize: 20 });
      others[page - 1]?.();
    }
  }
  return planned;
}

/** The planned requests through the app's ProposalsQuery, one at a time, for `seconds`, from `offset` on. */
async function direct(query: ProposalsQuery, planned: readonly Planned[], offset: number, seconds: number) {
  const byKind = new Map<Kind, number[]>();
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  let i = offset;
  while (performance.now() < end) {
    const { kind, principal, query: q } = planned[i++ % planned.length];
    const t0 = performance.now();
    await query.list(principal.tenant, principal, q);
    const ms = performance.now() - t0;
    const list = byKind.get(kind);
    if (list) list.push(ms);
    else byKind.set(kind, [ms]);
  }
  return { seconds: (performance.now() - started) / 1000, byKind, next: i };
}

/** Runs of `direct`, as one: rate, p50, p99, and per kind. */
function summed(runs: readonly Awaited<ReturnType<typeof direct>>[]) {
  const byKind = new Map<Kind, number[]>();
  for (const run of runs) for (const [kind, ms] of run.byKind) byKind.set(kind, [...(byKind.get(kind) ?? []), ...ms]);
  const all = Float64Array.from([...byKind.values()].flat()).sort();
  return {
    rate: all.length / runs.reduce((a, r) => a + r.seconds, 0),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    byKind: [...byKind].map(([kind, ms]) => {
      const sorted = Float64Array.from(ms).sort();
      return { kind, n: ms.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    }),
  };
}

async function measure(log: (line: string) => void) {
  if (!existsSync(dataDir)) {
    log(`list-http: making the data once (kept in ${dataDir})`);
    const made = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'prepare'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (made.status !== 0) throw new Error('making the data failed');
  }
  const config = loadConfig(env(dataDir)); // SQLITE_SYNCHRONOUS and IN_PROCESS_PROJECTIONS as their defaults
  const app = await createApp({ config, logLevel: 'silent' });
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const readStore = app.get(READ_STORE) as SqliteReadStore;
    const rows = readStore.db.prepare('SELECT DISTINCT tenant, session FROM c_proposals').all() as { tenant: string; session: string }[];
    const sessionsOf = new Map<string, string[]>();
    for (const { tenant, session } of rows) sessionsOf.set(tenant, [...(sessionsOf.get(tenant) ?? []), session]);
    const total = readStore.db.prepare('SELECT count(*) FROM c_proposals').pluck().get() as number;
    const planned = plan(sessionsOf, 2_000);
    const requests = planned.map((p) => p.http);
    log(`list-http: ${fmt(total)} proposals in ${sessionsOf.size} jurisdictions (${fmt(rows.length)} sessions); ${fmt(planned.length)} planned requests${ONLY ? ` (only ${ONLY.join(', ')})` : ''}`);

    const warm = await loadInWorker({ url, connections: CONNECTIONS, seconds: WARMUP_SECONDS, requests, offset: 0 });
    if (warm.ok === 0) throw new Error(`the warm-up got no 2xx answer (status ${JSON.stringify(warm.status)}, errors ${warm.errors})`);

    // HTTP and the reference take turns, each round going on through the planned requests.
    const query = app.get(ProposalsQuery);
    const loads: LoadResult[] = [];
    const directs: Awaited<ReturnType<typeof direct>>[] = [];
    let offset = warm.sent;
    for (let round = 0; round < ROUNDS; round++) {
      const run = await loadInWorker({ url, connections: CONNECTIONS, seconds: SECONDS / ROUNDS, requests, offset });
      loads.push(run);
      const ref = await direct(query, planned, offset + run.sent, REF_SECONDS / ROUNDS);
      directs.push(ref);
      offset = ref.next;
      log(`list-http: round ${round + 1}: HTTP ${fmt(run.ok / run.seconds)} requests/s, p99 ${run.latencyMs.p99.toFixed(1)} ms; no HTTP ${fmt([...ref.byKind.values()].flat().length / ref.seconds)} lists/s; load average ${loadavg()[0].toFixed(2)}`);
    }
    const load = merged(loads);
    const reference = summed(directs);
    log(`list-http: no HTTP, one at a time: ${fmt(reference.rate)} lists/s, p50 ${reference.p50.toFixed(2)} ms, p99 ${reference.p99.toFixed(2)} ms`);
    for (const k of reference.byKind) log(`    ${k.kind.padEnd(8)} ${String(k.n).padStart(6)} lists   p50 ${k.p50.toFixed(2).padStart(6)} ms   p99 ${k.p99.toFixed(2).padStart(6)} ms`);
    const ids = readStore.db.prepare('SELECT id FROM c_proposals WHERE tenant = ? LIMIT 20').pluck().all(JURISDICTIONS[0]) as string[];
    const byKey: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const t0 = performance.now();
      await readStore.getMany(PROPOSALS, ids);
      byKey.push(performance.now() - t0);
    }
    byKey.sort((a, b) => a - b);
    log(`list-http: a page of 20 documents read whole by primary key: p50 ${percentile(byKey, 50).toFixed(2)} ms, p99 ${percentile(byKey, 99).toFixed(2)} ms`);

    const rate = load.ok / load.seconds;
    const fiveXX = Object.entries(load.status).filter(([code]) => code.startsWith('5')).reduce((sum, [, n]) => sum + n, 0);
    log(
      `list-http: HTTP, ${CONNECTIONS} connections, ${load.seconds.toFixed(1)} s in ${ROUNDS} rounds: ${fmt(load.ok)} 2xx = ${fmt(rate)} requests/s; ` +
        `p50 ${load.latencyMs.p50.toFixed(1)} ms, p99 ${load.latencyMs.p99.toFixed(1)} ms, max ${load.latencyMs.max.toFixed(1)} ms; ` +
        `status ${JSON.stringify(load.status)}, non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}`,
    );
    const healthy = load.non2xx === 0 && load.errors === 0;
    const where = `${CONNECTIONS} connections, ${SECONDS} s, ${fmt(total)} proposals in ${sessionsOf.size} jurisdictions; session pages, status filters, a unit's, a member's, deep pages`;
    const ref = `the same requests through the app's ProposalsQuery, one at a time, no HTTP, taking turns with HTTP in ${ROUNDS} rounds`;
    const counts = `non-2xx ${load.non2xx} (5xx ${fiveXX}), connection errors ${load.errors}`;
    return [
      figure({ name: `GET /proposals over HTTP, requests/s (${where})`, value: Math.round(rate), unit: 'requests/s', reference: `${ref}; ${counts}`, referenceValue: Math.round(reference.rate), target: 'p99 ≤ 25 ms with 50 connections (requests/s shown beside it)', met: load.latencyMs.p99 <= 25 && healthy }),
      figure({ name: `GET /proposals over HTTP, latency p50 (${where})`, value: round2(load.latencyMs.p50), unit: 'ms', reference: `${ref}, p50`, referenceValue: round2(reference.p50), target: 'p99 ≤ 25 ms (p50 shown beside it)', met: load.latencyMs.p99 <= 25 && healthy }),
      figure({ name: `GET /proposals over HTTP, latency p99 (${where})`, value: round2(load.latencyMs.p99), unit: 'ms', reference: `${ref}, p99`, referenceValue: round2(reference.p99), target: 'p99 ≤ 25 ms, no non-2xx', met: load.latencyMs.p99 <= 25 && healthy }),
    ];
  } finally {
    await app.close();
  }
}

if (process.argv[2] === 'prepare') {
  prepare(dataDir, (line) => process.stderr.write(`${line}\n`)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  runBench(async (log) => {
    const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
    log(`bench:list-http — Node ${process.version}, ${cpus().length} cores, load average ${load()}`);
    const figures = await measure(log);
    log(`bench:list-http — done, load average ${load()}`);
    return figures;
  });
}
