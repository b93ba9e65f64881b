import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore, type DocWrite } from '@app/read-store';
import { PROPOSALS, proposalsProjection, ProposalsQuery, type ProposalListQuery } from '@app/projections';
import type { Actor } from '@app/proposals';
import { proposalDocs } from './proposal-docs.js';
import { figure, runBench } from './result.js';
import { seededRandom, UNITS } from './workload.js';

/**
 * The proposal list query — filtered, sorted and paged, as the office, a unit and a member ask it — over a read
 * model of 200,000 proposals, timed one query at a time (p50, p99), beside the same page read by its primary key.
 */
const PROPOSALS_WANTED = Number(process.env.BENCH_PROPOSALS ?? 200_000);
const dataDir = process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench');
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2_000);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

type Shape = readonly [label: string, make: () => [tenant: string, reader: Actor, query: ProposalListQuery]];

/** Runs the query shapes in turn and gives the latencies, overall and per shape. */
async function timeQueries(query: ProposalsQuery, shapes: readonly Shape[], log: (line: string) => void): Promise<number[]> {
  const times: number[] = [];
  const byShape = new Map<string, number[]>();
  for (let i = 0; i < QUERIES; i++) {
    const [label, make] = shapes[i % shapes.length];
    const [tenant, reader, q] = make();
    const started = performance.now();
    await query.list(tenant, reader, q);
    const ms = performance.now() - started;
    times.push(ms);
    byShape.set(label, [...(byShape.get(label) ?? []), ms]);
  }
  for (const [label, ms] of byShape) {
    ms.sort((a, b) => a - b);
    log(`    ${label.padEnd(48)} p50 ${percentile(ms, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(ms, 99).toFixed(2).padStart(7)} ms`);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Two layouts of the same number of proposals: a province's installation (50 districts of 4,000 proposals each, as
 * 20 years of a district such as Jinshan would hold) — the target's case — and, as a stress figure, all of them in
 * one jurisdiction.
 */
runBench(async (log) => {
  const base = await proposalDocs(dataDir);
  const figures = [];
  const random = seededRandom(11);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const sessionNumbers = [...new Set(base.map((d) => d.session.split('-')[1]))];
  for (const layout of ['province', 'one jurisdiction'] as const) {
    const tenants = layout === 'province' ? Array.from({ length: 50 }, (_, i) => `district-${i + 1}`) : ['jinshan'];
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-list-'));
    const readStore = new SqliteReadStore({ path: join(dir, 'read.sqlite'), synchronous: 'normal' });
    const projection = proposalsProjection(480);
    await readStore.ensure([projection.collection]);
    try {
      // Copies of the generated proposals: each copy a committee's sessions, in each jurisdiction in turn.
      let written = 0;
      for (let copy = 1; written < PROPOSALS_WANTED; copy++) {
        const writes: DocWrite[] = [];
        for (const doc of base) {
          if (written + writes.length >= PROPOSALS_WANTED) break;
          const n = written + writes.length;
          const tenant = tenants[n % tenants.length];
          const proposalId = `c${copy}-${doc.proposalId}`;
          const session = `${copy}-${doc.session.split('-')[1]}`;
          writes.push({ collection: PROPOSALS, id: `${tenant}:${proposalId}`, doc: { ...doc, id: `${tenant}:${proposalId}`, tenant, proposalId, session }, previous: null });
        }
        for (let i = 0; i < writes.length; i += 5_000) await readStore.commit({ writes: writes.slice(i, i + 5_000), checkpoints: {} });
        written += writes.length;
      }
      readStore.db.exec('ANALYZE');
      log(`bench:list — ${written.toLocaleString('en-US')} proposals, ${layout === 'province' ? '50 jurisdictions' : 'one jurisdiction'}, ${QUERIES} queries`);
      const query = new ProposalsQuery(readStore, 480, () => new Date('2019-06-15T02:00:00Z'));
      const office: Actor = { id: 'o-1', role: 'office' };
      const shapes: Shape[] = [
        ['office: one session by number', () => [pick(tenants), office, { session: `${1 + Math.floor(random() * 3)}-${pick(sessionNumbers)}`, sort: 'number', page: 1 + Math.floor(random() * 5), pageSize: 20 }]],
        ['office: overdue, oldest due first', () => [pick(tenants), office, { overdue: true, sort: 'dueDate', page: 1, pageSize: 20 }]],
        ['office: category and key, latest change first', () => [pick(tenants), office, { category: 'environment', key: true, sort: '-updatedAt', page: 1 + Math.floor(random() * 3), pageSize: 20 }]],
        ['office: lead unit and status', () => [pick(tenants), office, { leadUnit: pick(UNITS), status: 'answered', sort: '-filedAt', page: 1, pageSize: 20 }]],
        ['office: words in the title, in a session', () => [pick(tenants), office, { session: `1-${pick(sessionNumbers)}`, q: pick(['垃圾', '充电桩', '养老', '食堂']), page: 1, pageSize: 20 }]],
        ['unit: what it handles, newest first', () => [pick(tenants), { id: 'u', role: 'unit', unit: pick(UNITS) }, { sort: '-filedAt', page: 1, pageSize: 20 }]],
        ['member: own proposals', () => [pick(tenants), { id: `m-${Math.floor(random() * 200)}`, role: 'member' }, { sort: '-filedAt', page: 1, pageSize: 20 }]],
      ];
      const times = await timeQueries(query, shapes, log);
      const ids = base.slice(0, 20).map((d) => `${tenants[0]}:c1-${d.proposalId}`);
      const keyTimes: number[] = [];
      for (let i = 0; i < 500; i++) {
        const started = performance.now();
        await readStore.getMany(PROPOSALS, ids);
        keyTimes.push(performance.now() - started);
      }
      keyTimes.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p99 = percentile(times, 99);
      log(`    all queries                                      p50 ${p50.toFixed(2).padStart(7)} ms   p99 ${p99.toFixed(2).padStart(7)} ms`);
      log(`    a page of 20 by primary key                      p50 ${percentile(keyTimes, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(keyTimes, 99).toFixed(2).padStart(7)} ms`);
      const round = (n: number) => Math.round(n * 100) / 100;
      const where = `${written.toLocaleString('en-US')} proposals in ${layout === 'province' ? '50 jurisdictions' : 'one jurisdiction (stress)'}`;
      figures.push(
        figure({ name: `proposal list query, ${where}, p50`, value: round(p50), unit: 'ms', reference: 'a page of 20 read by primary key, p50', referenceValue: round(percentile(keyTimes, 50)), target: 'p99 ≤ 10 ms', met: p99 <= 10 }),
        figure({ name: `proposal list query, ${where}, p99`, value: round(p99), unit: 'ms', reference: 'a page of 20 read by primary key, p99', referenceValue: round(percentile(keyTimes, 99)), target: 'p99 ≤ 10 ms', met: p99 <= 10 }),
      );
    } finally {
      await readStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
});
