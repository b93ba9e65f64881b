import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandProcessor, commandHandlers } from '@app/command-handling';
import { loadConfig } from '@app/config';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@app/event-store';
import { mintToken } from '@app/identity';
import { tenantPrefixes, type Actor } from '@app/proposals';
import { ReadModels } from '@app/runtime';
import { deliveryBody } from '@app/webhooks';
import { createApp } from '../apps/api/src/create-app.js';
import { loadInWorker, type LoadRequest } from './http-load.worker.js';
import { figure, type BenchFigure } from './result.js';
import { seedWorkloadDirectory, TITLES, UNITS } from './workload.js';

/**
 * Webhook delivery to a local receiver (a process of its own on 127.0.0.1, answering 204 at once), from the real API
 * as `npm start` runs it (embedded SQLite, synchronous=full, in-process projections and dispatcher):
 * - throughput: a subscription made with `fromPosition: 0` over a log of proposals' events delivers the backlog;
 *   beside it, the same bodies POSTed one after another to the same receiver by a bare HTTP client (no log, no
 *   signature, no saved cursor);
 * - delay: while autocannon sends a steady 300 commands (visits) a second, the p99 from an event's append (its
 *   `created`) to its arrival at the receiver, beside the p50;
 * - cost: the commands/s of 50 connections sending as fast as they are answered, with the subscription delivering,
 *   beside the same load with none (and the delay then, in the log: the dispatcher shares the API's one thread).
 *
 *   WEBHOOK_BENCH_SECONDS    each load run (default 10)
 *   WEBHOOK_BENCH_PROPOSALS  assigned proposals prepared beforehand (default 1,000)
 */
const SECONDS = Number(process.env.WEBHOOK_BENCH_SECONDS ?? 10);
const PROPOSALS = Number(process.env.WEBHOOK_BENCH_PROPOSALS ?? 1_000);
const CONNECTIONS = 50;
const STEADY_RATE = Number(process.env.WEBHOOK_BENCH_RATE ?? 300);
const SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const TENANT = 'jinshan';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const round2 = (n: number) => Math.round(n * 100) / 100;
const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const now = () => performance.timeOrigin + performance.now();

class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(): Promise<ReceiverProcess> {
    const child = fork(fileURLToPath(new URL('./webhook-receiver.main.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(new ReceiverProcess(child, `http://127.0.0.1:${m.port}/hook`)));
      child.once('error', reject);
    });
  }

  arrivals(webhook: string): Promise<Map<string, number>> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { arrivals: [string, number][] }) => resolve(new Map(m.arrivals)));
      this.child.send({ report: webhook });
    });
  }

  /** The arrivals once every one of `ids` has come (checked every 100 ms), or after `timeoutMs`. */
  async all(webhook: string, ids: readonly string[], timeoutMs = 300_000): Promise<Map<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const arrivals = await this.arrivals(webhook);
      if (ids.every((id) => arrivals.has(id))) return arrivals;
      if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !arrivals.has(id)).length} of ${ids.length} events never arrived`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    this.child.send({ stop: true });
  }
}

/** The same bodies, one after another over one kept-alive connection, without the service: what the receiver takes. */
async function bare(url: string, bodies: readonly string[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = now();
  for (const body of bodies)
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-webhook-id': 'bare', 'x-event-id': String(Math.random()) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  agent.destroy();
  return bodies.length / ((now() - started) / 1000);
}

export async function webhookDelivery(log: (line: string) => void): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-webhooks-'));
  let app: NestFastifyApplication | undefined;
  const receiver = await ReceiverProcess.start();
  try {
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_LEVEL: 'error', REMINDER_SCHEDULE: 'off', METRICS_PORT: '0' });
    app = await createApp({ config, logLevel: 'silent' });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const store = app.get<EventStore>(EVENT_STORE);
    const readModels = app.get(ReadModels);
    const settle = async () => readModels.waitFor(await store.headPosition(), 120_000);

    // Proposals filed, registered and assigned, then visits by their lead units over HTTP as the load.
    const handlers = commandHandlers(app.get(CommandProcessor));
    await seedWorkloadDirectory(handlers.directory, TENANT);
    const office: Actor = { id: 'o-1', role: 'office', name: '区政府办公室' };
    await handlers.sessions.handle('6-3', { tenant: TENANT, caller: office, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 } } });
    let started = now();
    for (let n = 0; n < PROPOSALS; n++) {
      const id = `wb-${n}`;
      const member: Actor = { id: `m-${n % 200}`, role: 'member', name: `委员${n % 200}` };
      await handlers.proposals.handle(id, { tenant: TENANT, caller: member, command: { type: 'FileProposal', data: { proposalId: id, session: '6-3', title: TITLES[n % TITLES.length], body: '建议进一步完善相关政策措施，加强部门协同。', category: 'economy' } } });
      await handlers.proposals.handle(id, { tenant: TENANT, caller: { id: 'c-1', role: 'committee' }, command: { type: 'RegisterProposal', data: {} } });
      await handlers.proposals.handle(id, { tenant: TENANT, caller: office, command: { type: 'AssignProposal', data: { leadUnit: UNITS[n % UNITS.length] } } });
    }
    log(`webhooks: ${fmt(PROPOSALS)} proposals prepared in ${((now() - started) / 1000).toFixed(1)} s`);
    const visit = JSON.stringify({ stage: 'during', visitorRank: 'deputy', form: 'on-site', note: '实地察看办理进展' });
    const requests: LoadRequest[] = Array.from({ length: PROPOSALS }, (_, n) => {
      const unit = UNITS[n % UNITS.length];
      return { path: `/proposals/wb-${n}/visits`, token: mintToken(SECRET, { sub: `u-${unit}`, role: 'unit', unit }), body: visit };
    });
    const officeToken = mintToken(SECRET, { sub: 'o-1', role: 'office' });
    const subscribe = async (body: Record<string, unknown>): Promise<string> => {
      const response = await fetch(`${api}/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${officeToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: receiver.url, ...body }) });
      if (response.status !== 201) throw new Error(`POST /webhooks answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    };
    const proposalEvents = async (from: number, to = Number.MAX_SAFE_INTEGER): Promise<RecordedEvent[]> =>
      (await store.readAll({ fromPosition: from, filter: { streamPrefixes: [tenantPrefixes(TENANT)[0]] } })).filter((e) => e.position <= to);

    const warm = await loadInWorker({ url: api, connections: CONNECTIONS, seconds: 2, requests, offset: 0 });
    if (warm.ok === 0) throw new Error(`the warm-up got no 2xx answer (${JSON.stringify(warm.status)})`);
    await settle();

    // The load without any subscription.
    const without = await loadInWorker({ url: api, connections: CONNECTIONS, seconds: SECONDS, requests, offset: warm.sent });
    const withoutRate = without.ok / without.seconds;
    log(`webhooks: no subscription: ${fmt(withoutRate)} commands/s, p99 ${without.latencyMs.p99.toFixed(1)} ms`);
    await settle();

    // The same load with a subscription delivering every proposal event as it is appended.
    const live = await subscribe({ prefixes: ['proposal.'] });
    const from = await store.headPosition();
    started = now();
    const withHook = await loadInWorker({ url: api, connections: CONNECTIONS, seconds: SECONDS, requests, offset: warm.sent + without.sent });
    const withRate = withHook.ok / withHook.seconds;
    const appended = await proposalEvents(from);
    const arrivals = await receiver.all(live, appended.map((e) => e.id));
    const delaysOf = (events: readonly RecordedEvent[], at: Map<string, number>) =>
      Float64Array.from(events.map((e) => (at.get(e.id) as number) - Date.parse(e.created))).sort();
    const saturated = delaysOf(appended, arrivals);
    const lastArrival = Math.max(...arrivals.values());
    log(
      `webhooks: one subscription delivering: ${fmt(withRate)} commands/s, p99 ${withHook.latencyMs.p99.toFixed(1)} ms; ${fmt(appended.length)} events delivered ` +
        `${((lastArrival - started) / 1000).toFixed(1)} s after the load began; append → delivery p50 ${percentile(saturated, 50).toFixed(1)} ms, p99 ${percentile(saturated, 99).toFixed(1)} ms`,
    );
    await settle();

    // A steady load the dispatcher keeps up with: the delay of each event.
    const steadyFrom = await store.headPosition();
    const steady = await loadInWorker({ url: api, connections: 10, seconds: SECONDS, requests, offset: warm.sent + without.sent + withHook.sent, rate: STEADY_RATE });
    const steadyEvents = await proposalEvents(steadyFrom);
    const delays = delaysOf(steadyEvents, await receiver.all(live, steadyEvents.map((e) => e.id)));
    log(`webhooks: a steady ${fmt(steady.ok / steady.seconds)} commands/s: append → delivery p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${delays[delays.length - 1].toFixed(1)} ms`);
    await settle();

    // The backlog: every proposal event of the log, delivered to a new subscription from position 0.
    const backlog = await proposalEvents(0);
    started = now();
    const drain = await subscribe({ prefixes: ['proposal.'], fromPosition: 0 });
    const drained = await receiver.all(drain, backlog.map((e) => e.id));
    const drainRate = backlog.length / ((Math.max(...drained.values()) - started) / 1000);
    const bareRate = await bare(receiver.url, backlog.slice(0, 20_000).map(deliveryBody));
    log(`webhooks: backlog of ${fmt(backlog.length)} events delivered at ${fmt(drainRate)} events/s; the bare client posts the same bodies at ${fmt(bareRate)}/s`);

    const where = `1 subscription, a receiver process on 127.0.0.1 answering 204, SQLite synchronous=full`;
    return [
      figure({
        name: `webhook delivery throughput, a backlog of ${fmt(backlog.length)} proposal events (${where})`,
        value: Math.round(drainRate),
        unit: 'events/s',
        reference: 'the same bodies POSTed one after another to the same receiver over one kept-alive connection, no log, signature or saved cursor',
        referenceValue: Math.round(bareRate),
        target: '≥ 50% of the reference',
        met: drainRate >= bareRate / 2,
      }),
      figure({
        name: `webhook append → delivery delay p99 at a steady ${fmt(steady.ok / steady.seconds)} commands/s (${where})`,
        value: round2(percentile(delays, 99)),
        unit: 'ms',
        reference: 'the same delay, p50',
        referenceValue: round2(percentile(delays, 50)),
        target: 'p99 ≤ 1,000 ms',
        met: percentile(delays, 99) <= 1_000,
      }),
      figure({
        name: `HTTP commands/s with a webhook delivering every event (${CONNECTIONS} connections, ${SECONDS} s, ${where})`,
        value: Math.round(withRate),
        unit: 'commands/s',
        reference: 'the same load without a subscription, in the same run',
        referenceValue: Math.round(withoutRate),
        target: '≥ 80% of the reference',
        met: withRate >= 0.8 * withoutRate,
      }),
    ];
  } finally {
    receiver.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
