import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { fastify } from 'fastify';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { loadConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { mintToken, type TokenClaims } from '@app/identity';
import type { Actor, ProposalCommand } from '@app/proposals';
import { ReadModels } from '@app/runtime';
import pino from 'pino';
import { createApp } from '../apps/api/src/create-app.js';
import { createLogger } from '../apps/api/src/operations/logger.js';
import { loadInWorker, merged, type LoadRequest, type LoadResult } from './http-load.worker.js';
import { figure, type BenchFigure } from './result.js';
import { seededRandom, TITLES, UNITS, seedWorkloadDirectory } from './workload.js';

/**
 * The API over HTTP: the real app (Nest + Fastify, bearer tokens, validation, the embedded SQLite store and the
 * in-process projections, as `npm start` runs it) on 127.0.0.1, driven by autocannon with 50 connections from a
 * worker thread, beside a bare Fastify instance in the same process answering `GET /hello` — the machine's limit for
 * a request, measured by the same worker with the same connections and duration in the same run.
 *
 *  - GET /me (a trivial authenticated route: the token verified, the caller checked, a small JSON answer) and
 *    GET /health (public), each against the bare Fastify hello: what the app's own layers cost a request.
 *  - Commands: every request a valid command (visits, supervision, filings) spread over many proposals, as in a
 *    district; against the bare Fastify hello too, and beside the same commands through the same app's
 *    CommandProcessor with 50 concurrent callers, no HTTP (what HTTP costs a command).
 *
 *   HTTP_SYNC          SQLITE_SYNCHRONOUS values, comma-separated (default `full`, the embedded default)
 *   HTTP_SECONDS       autocannon duration of every measured run (default 10)
 *   HTTP_REF_SECONDS   duration of the reference without HTTP (default 5)
 *   HTTP_CONNECTIONS   connections, and concurrent callers of the reference (default 50)
 *   HTTP_PROPOSALS     assigned proposals prepared beforehand (default 2,000: ten sessions of 200)
 *   HTTP_ROUNDS        the GETs and their reference take turns in this many rounds (default 5)
 *   HTTP_LOG           `info`: the API logs a line per request as `npm start` does (into a file); default silent
 *   HTTP_PROFILE       a directory: the API's thread is CPU-profiled during each measured run (<run>.cpuprofile)
 *   HTTP_ONLY          `reads`: GET /me and GET /health against the bare hello, without the commands
 */
const MODES = (process.env.HTTP_SYNC ?? 'full').split(',').map((m) => m.trim()) as ('full' | 'normal')[];
const SECONDS = Number(process.env.HTTP_SECONDS ?? 10);
const REF_SECONDS = Number(process.env.HTTP_REF_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.HTTP_CONNECTIONS ?? 50);
const PROPOSALS = Number(process.env.HTTP_PROPOSALS ?? 2_000);
const PROFILE_DIR = process.env.HTTP_PROFILE;
const ROUNDS = Number(process.env.HTTP_ROUNDS ?? 5);
const LOG = process.env.HTTP_LOG ?? 'silent';
const ONLY_READS = process.env.HTTP_ONLY === 'reads';
const WARMUP_SECONDS = 2;
const SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const TENANT = 'jinshan';
const log = (line: string) => console.error(line);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(1)} ms`;
const round2 = (n: number) => Math.round(n * 100) / 100;
const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

interface Person {
  readonly actor: Actor;
  readonly token: string;
}

const person = (claims: TokenClaims): Person => ({
  actor: { id: claims.sub, role: claims.role, ...(claims.unit ? { unit: claims.unit } : {}), ...(claims.name ? { name: claims.name } : {}) },
  token: mintToken(SECRET, claims), // the default lifetime, within TOKEN_MAX_HOURS
});

/** One command, as HTTP sends it and as the command path takes it. `id` null: a new filing. */
interface PlannedCommand {
  readonly id: string | null;
  readonly by: Person;
  readonly command: ProposalCommand;
  readonly http: LoadRequest;
}

const BODY = '建议进一步完善相关政策措施，加强部门协同，明确责任分工，加大资金投入，建立长效机制，切实解决群众关心的实际问题。';
const sessionOf = (n: number) => `6-${1 + Math.floor(n / 200)}`;

/** Sessions of 200 proposals, each filed, registered and assigned to a lead unit and a co-unit. */
async function prepare(processor: CommandProcessor, proposals: number): Promise<void> {
  const handlers = commandHandlers(processor);
  await seedWorkloadDirectory(handlers.directory, TENANT);
  const office = person({ sub: 'o-1', role: 'office', name: '区政府办公室' }).actor;
  const committee = person({ sub: 'c-1', role: 'committee', name: '区政协提案委' }).actor;
  for (let k = 0; k * 200 < proposals; k++) {
    const id = sessionOf(k * 200);
    await handlers.sessions.handle(id, { tenant: TENANT, caller: office, command: { type: 'OpenSession', data: { id, name: `第${k + 1}次会议`, year: 2019, answerLimitDays: 90 } } });
  }
  let next = 0;
  const worker = async () => {
    while (next < proposals) {
      const n = next++;
      const proposalId = `hb-${n}`;
      const member: Actor = { id: `m-${n % 200}`, role: 'member', name: `委员${n % 200}` };
      const steps: [Actor, ProposalCommand][] = [
        [member, { type: 'FileProposal', data: { proposalId, session: sessionOf(n), title: TITLES[n % TITLES.length], body: BODY.repeat(3), category: 'economy' } }],
        [committee, { type: 'RegisterProposal', data: {} }],
        [office, { type: 'AssignProposal', data: { leadUnit: UNITS[n % UNITS.length], coUnits: [UNITS[(n + 7) % UNITS.length]] } }],
      ];
      for (const [caller, command] of steps) await handlers.proposals.handle(proposalId, { tenant: TENANT, caller, command });
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

/**
 * The commands, in a shuffled order over all proposals: the lead unit or the co-unit records a visit, the office
 * supervises, and one in ten is a member filing a new proposal. Each is valid any number of times.
 */
function plan(proposals: number): PlannedCommand[] {
  const office = person({ sub: 'o-1', role: 'office', name: '区政府办公室' });
  const units = new Map(UNITS.map((u) => [u, person({ sub: `u-${u}`, role: 'unit', unit: u })]));
  const members = Array.from({ length: 20 }, (_, i) => person({ sub: `m-${i}`, role: 'member', name: `委员${i}` }));
  const random = seededRandom(11);
  const order = Array.from({ length: proposals }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const commands: PlannedCommand[] = [];
  const add = (id: string | null, by: Person, path: string, command: ProposalCommand, body: unknown) =>
    commands.push({ id, by, command, http: { path, token: by.token, body: JSON.stringify(body) } });
  for (const [i, n] of order.entries()) {
    const id = `hb-${n}`;
    const unit = units.get(UNITS[(i % 2 === 0 ? n : n + 7) % UNITS.length]) as Person;
    const visit = { stage: 'during', visitorRank: 'deputy', form: 'on-site', note: '实地察看办理进展，听取委员意见' } as const;
    add(id, unit, `/proposals/${id}/visits`, { type: 'RecordVisit', data: visit }, visit);
    const supervision = { key: true, note: '列入重点督办，按期办结' };
    add(id, office, `/proposals/${id}/supervision`, { type: 'SuperviseProposal', data: supervision }, supervision);
    if (i % 5 === 4) {
      const filing = { session: sessionOf(n), title: TITLES[i % TITLES.length], body: BODY.repeat(3), category: 'livelihood' as const };
      const by = members[i % members.length];
      add(null, by, '/proposals', { type: 'FileProposal', data: { ...filing, proposalId: '' } }, filing);
    }
  }
  return commands;
}

/** The same commands through the app's CommandProcessor, `callers` at a time, for `seconds`. */
async function direct(processor: CommandProcessor, commands: readonly PlannedCommand[], offset: number, callers: number, seconds: number) {
  const handlers = commandHandlers(processor);
  let next = offset;
  let ok = 0;
  let failed = 0;
  let firstError: unknown;
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const caller = async () => {
    while (performance.now() < end) {
      const c = commands[next++ % commands.length];
      const id = c.id ?? randomUUID();
      const command = c.command.type === 'FileProposal' ? { ...c.command, data: { ...c.command.data, proposalId: id } } : c.command;
      const t0 = performance.now();
      try {
        await handlers.proposals.handle(id, { tenant: TENANT, caller: c.by.actor, command });
        latencies.push(performance.now() - t0);
        ok++;
      } catch (error) {
        failed++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return { rate: ok / elapsed, ok, failed, firstError, p50: percentile(sorted, 50), p99: percentile(sorted, 99), next };
}

/** `run`, with the API's thread (this one) CPU-profiled meanwhile when HTTP_PROFILE names a directory. */
async function profiled<T>(label: string, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${label}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    log(`http: profile of ${label} written to ${join(PROFILE_DIR, `${label}.cpuprofile`)}`);
  }
}

/** A GET the load generator repeats, `connections` at a time. */
interface Target {
  readonly label: string;
  readonly url: string;
  readonly request: LoadRequest;
}

/**
 * Each target warmed up, then measured in ROUNDS turns, one after the other within each round, for SECONDS in all:
 * the machine's other load falls on the reference and on the API alike rather than on whichever ran when it peaked.
 * (Profiled: one round, each target's profile of its own.)
 */
async function interleaved(targets: readonly Target[]): Promise<LoadResult[]> {
  const options = (t: Target, seconds: number) => ({ url: t.url, connections: CONNECTIONS, seconds, requests: [{ ...t.request, method: 'GET' as const }], offset: 0 });
  for (const t of targets) {
    const warm = await loadInWorker(options(t, WARMUP_SECONDS));
    if (warm.ok === 0) throw new Error(`${t.label}: the warm-up got no 2xx answer (status ${JSON.stringify(warm.status)}, errors ${warm.errors})`);
  }
  const rounds = PROFILE_DIR ? 1 : ROUNDS;
  const runs = targets.map(() => [] as LoadResult[]);
  for (let round = 0; round < rounds; round++)
    for (const [i, t] of targets.entries()) runs[i].push(await profiled(t.label, () => loadInWorker(options(t, SECONDS / rounds))));
  return targets.map((t, i) => {
    const load = merged(runs[i]);
    log(
      `http: ${t.label}, ${CONNECTIONS} connections, ${rounds} × ${(load.seconds / rounds).toFixed(1)} s: ${fmt(load.ok / load.seconds)} requests/s ` +
        `(rounds: ${runs[i].map((r) => fmt(r.ok / r.seconds)).join(', ')}); p50 ${ms(load.latencyMs.p50)}, p99 ${ms(load.latencyMs.p99)}, max ${ms(load.latencyMs.max)}; ` +
        `status ${JSON.stringify(load.status)}, errors ${load.errors}`,
    );
    return load;
  });
}

/** The machine's limit for a request: a bare Fastify instance in this process, one route, no plugins. */
async function bareFastify(): Promise<{ readonly target: Target; readonly close: () => Promise<void> }> {
  const bare = fastify({ logger: false });
  bare.get('/hello', async () => ({ hello: 'world' }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const address = bare.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { target: { label: 'bare-fastify-hello', url, request: { path: '/hello' } }, close: () => bare.close() };
}

const rateOf = (load: LoadResult) => load.ok / load.seconds;
const clean = (load: LoadResult) => load.non2xx === 0 && load.errors === 0;

/** GET /me and GET /health against the bare Fastify hello. */
function readFigures(bare: LoadResult, me: LoadResult, health: LoadResult): BenchFigure[] {
  const where = `${CONNECTIONS} connections, ${SECONDS} s`;
  const ref = `a bare Fastify instance in the same process answering GET /hello, same load generator, ${where}, taking turns with it in ${PROFILE_DIR ? 1 : ROUNDS} rounds`;
  const pair = (name: string, load: LoadResult): BenchFigure[] => {
    const met = rateOf(load) >= 0.7 * rateOf(bare) && load.latencyMs.p99 <= 10 && clean(load);
    const counts = `non-2xx ${load.non2xx}, connection errors ${load.errors}`;
    return [
      figure({ name: `${name} requests/s (${where})`, value: Math.round(rateOf(load)), unit: 'requests/s', reference: `${ref}; ${counts}`, referenceValue: Math.round(rateOf(bare)), target: '≥ 70% of the reference, p99 ≤ 10 ms', met }),
      figure({ name: `${name} latency p99 (${where})`, value: round2(load.latencyMs.p99), unit: 'ms', reference: `${ref}, p99`, referenceValue: round2(bare.latencyMs.p99), target: 'p99 ≤ 10 ms', met: load.latencyMs.p99 <= 10 && clean(load) }),
    ];
  };
  return [...pair('GET /me (authenticated: a unit’s bearer token checked against the directory)', me), ...pair('GET /health (public)', health)];
}

async function measure(synchronous: 'full' | 'normal', bare?: LoadResult): Promise<{ figures: BenchFigure[]; bare: LoadResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-http-'));
  let app: NestFastifyApplication | undefined;
  try {
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: SECRET, SQLITE_SYNCHRONOUS: synchronous, LOG_LEVEL: 'error', IN_PROCESS_PROJECTIONS: process.env.IN_PROCESS_PROJECTIONS ?? 'true' });
    // HTTP_LOG=info: a line per request, as `npm start` logs (JSON, written synchronously), into a file here.
    const logger = LOG === 'info' ? createLogger({ level: 'log', format: 'json', destination: pino.destination({ dest: join(dir, 'api.log'), sync: true }) }) : undefined;
    app = await createApp({ config, ...(logger ? { logger } : { logLevel: 'silent' }) });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const processor = app.get(CommandProcessor);
    const store = app.get<EventStore>(EVENT_STORE);
    const readModels = app.get(ReadModels);
    const settle = async (what: string) => {
      if (!readModels.running()) return; // IN_PROCESS_PROJECTIONS=false: a projector elsewhere keeps them
      const started = performance.now();
      const caughtUp = await readModels.waitFor(await store.headPosition(), 120_000);
      log(`http: read models ${caughtUp ? 'caught up' : 'still behind'} after ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    };

    let started = performance.now();
    await prepare(processor, PROPOSALS);
    log(`http[${synchronous}]: ${fmt(PROPOSALS)} proposals filed, registered and assigned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const commands = plan(PROPOSALS);
    const requests = commands.map((c) => c.http);
    await settle('preparing');

    // The reads, once: they do not depend on the store's synchronous mode. A unit's token: the guard checks its
    // unit against the directory, the most any caller costs it.
    const figures: BenchFigure[] = [];
    if (!bare) {
      const hello = await bareFastify();
      const unit = person({ sub: `u-${UNITS[0]}`, role: 'unit', unit: UNITS[0] });
      try {
        const [reference, me, health] = await interleaved([
          hello.target,
          { label: 'api-get-me', url, request: { path: '/me', token: unit.token } },
          { label: 'api-get-health', url, request: { path: '/health' } },
        ]);
        bare = reference;
        figures.push(...readFigures(bare, me, health));
      } finally {
        await hello.close();
      }
    }

    if (ONLY_READS) return { figures, bare: bare as LoadResult };

    // Warm-up over HTTP (JIT, connections), not counted.
    const warm = await loadInWorker({ url, connections: CONNECTIONS, seconds: WARMUP_SECONDS, requests, offset: 0 });
    if (warm.ok === 0) throw new Error(`the warm-up got no 2xx answer (status ${JSON.stringify(warm.status)}, errors ${warm.errors})`);
    await settle('the warm-up');

    const reference = await direct(processor, commands, warm.sent, CONNECTIONS, REF_SECONDS);
    log(`http[${synchronous}]: no HTTP, ${CONNECTIONS} concurrent callers: ${fmt(reference.rate)} commands/s, p50 ${ms(reference.p50)}, p99 ${ms(reference.p99)}, ${reference.failed} failed`);
    if (reference.failed > 0) throw new Error(`${reference.failed} commands failed without HTTP: ${String(reference.firstError)}`);
    await settle('the reference');

    const before = await store.headPosition();
    started = performance.now();
    const load = await profiled(`api-commands-${synchronous}`, () => loadInWorker({ url, connections: CONNECTIONS, seconds: SECONDS, requests, offset: reference.next }));
    const appended = (await store.headPosition()) - before;
    const rate = load.ok / load.seconds;
    const fiveXX = Object.entries(load.status).filter(([code]) => code.startsWith('5')).reduce((sum, [, n]) => sum + n, 0);
    log(
      `http[${synchronous}]: HTTP, ${CONNECTIONS} connections, ${load.seconds.toFixed(1)} s: ${fmt(load.ok)} 2xx = ${fmt(rate)} commands/s; ` +
        `p50 ${ms(load.latencyMs.p50)}, p99 ${ms(load.latencyMs.p99)}, max ${ms(load.latencyMs.max)}; ` +
        `status ${JSON.stringify(load.status)}, non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}; ${fmt(appended)} events appended`,
    );
    await settle('the HTTP run');

    const healthy = fiveXX === 0 && load.errors === 0;
    const counts = `non-2xx ${load.non2xx} (5xx ${fiveXX}), connection errors ${load.errors}`;
    const where = `${CONNECTIONS} connections, ${SECONDS} s, ${fmt(PROPOSALS)} assigned proposals (visits, supervision, 1 in 11 a filing), synchronous=${synchronous}`;
    const ref = `the same commands through the app's CommandProcessor, ${CONNECTIONS} concurrent callers, no HTTP`;
    figures.push(
      figure({
        name: `HTTP commands/s (${where})`,
        value: Math.round(rate),
        unit: 'commands/s',
        reference: `a bare Fastify instance in the same process answering GET /hello, same load generator; without HTTP (${ref}) ${fmt(reference.rate)} commands/s; ${counts}`,
        referenceValue: Math.round(rateOf(bare)),
        target: '≥ 3,000 commands/s and ≥ 25% of the reference, p99 ≤ 25 ms, no 5xx',
        met: rate >= 3_000 && rate >= 0.25 * rateOf(bare) && load.latencyMs.p99 <= 25 && healthy,
      }),
      figure({
        name: `HTTP command latency p50 (${where})`,
        value: round2(load.latencyMs.p50),
        unit: 'ms',
        reference: `${ref}, p50`,
        referenceValue: round2(reference.p50),
        target: 'p99 ≤ 25 ms (p50 shown beside it)',
        met: load.latencyMs.p99 <= 25 && healthy,
      }),
      figure({
        name: `HTTP command latency p99 (${where})`,
        value: round2(load.latencyMs.p99),
        unit: 'ms',
        reference: `${ref}, p99`,
        referenceValue: round2(reference.p99),
        target: 'p99 ≤ 25 ms',
        met: load.latencyMs.p99 <= 25 && healthy,
      }),
    );
    return { figures, bare };
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function httpCommands(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  let bare: LoadResult | undefined;
  for (const synchronous of MODES) {
    const measured = await measure(synchronous, bare);
    figures.push(...measured.figures);
    bare = measured.bare;
  }
  return figures;
}
