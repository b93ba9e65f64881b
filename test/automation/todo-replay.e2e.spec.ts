import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { PROPOSALS, type ProposalDoc } from '@app/projections';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { UNITS } from '../../apps/cli/src/replay/catalogue.js';
import { replayCommand } from '../../apps/cli/src/replay/replay.command.js';
import { TEST_SECRET, TestApi } from '../support/api.js';

type Expected = Map<string, string[]>;

/**
 * Every role's to-do list after the demo replay (2017–2019), checked against what the proposals read model says of
 * each proposal, derived here on its own from its dated facts: the to-do read model and this derivation must agree
 * for every unit of the directory, every member something waits on, the committee, the office and each leader.
 */
describe('to-do lists after the demo replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-todo-replay-'));
  const api = new TestApi();
  let docs: ProposalDoc[];

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal' });
    const err: string[] = [];
    expect(await replayCommand(['all'], { out: () => undefined, err: (t) => err.push(t), config })).toBe(0);
    api.clock.set('2020-01-06T02:00:00.000Z');
    await api.start({ DATA_DIR: dir, REMINDER_SCHEDULE: 'off', READ_YOUR_WRITES_TIMEOUT_MS: '60000', HTTP_IDLE_TIMEOUT_MS: '120000' });
    const office = api.token({ sub: 'o-1', role: 'office' });
    for (let attempt = 0; attempt < 5; attempt++) if ((await api.get(`/projections?minPosition=${await api.store.headPosition()}`, office)).status === 200) break;
    docs = (await api.service<ReadStore>(READ_STORE).find<ProposalDoc>(PROPOSALS, { filter: { tenant: 'jinshan' } })).items;
  }, 300_000);
  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What waits on whom, from the proposals read model's facts, as `kind proposalId` per party. */
  function expected(): Expected {
    const waits: Expected = new Map();
    const add = (party: string, kind: string, id: string) => waits.set(party, [...(waits.get(party) ?? []), `${kind} ${id}`]);
    for (const d of docs) {
      const id = d.proposalId;
      const round = d.assignments.at(-1)?.at ?? '';
      const answer = d.answers.at(-1);
      const renegotiatedAfterAnswer = answer !== undefined && d.assignments.some((a) => a.kind === 'renegotiated' && a.at >= answer.at);
      if (d.status === 'filed') {
        add('committee', 'review', id);
        for (const m of d.invitedCoProposers) add(`member:${m}`, 'co-proposal', id);
      }
      if (d.status === 'registered') add('office', 'assign', id);
      if (d.open && d.leadUnit) {
        if (!d.visits.some((v) => v.unit === d.leadUnit && v.stage !== 'after' && v.at >= round)) add(`unit:${d.leadUnit}`, 'visit', id);
        for (const c of d.coUnits) if (!d.coUnitOpinions.some((o) => o.unit === c && o.at >= round)) add(`unit:${c}`, 'co-unit-opinion', id);
        add(`unit:${d.leadUnit}`, 'answer', id);
      }
      if (d.status === 'assigned' && d.reassignmentRequest) add('office', 'reassignment-request', id);
      if (d.claimedBy && (d.status === 'registered' || d.open)) add(`leader:${d.claimedBy.id}`, 'claimed', id);
      if (answer && !renegotiatedAfterAnswer)
        for (const p of d.proposers) if (!d.feedback.some((f) => f.member === p.id && f.at >= answer.at)) add(`member:${p.id}`, 'feedback', id);
      if (answer?.category === 'B' && d.leadUnit && !d.followUps.some((f) => f.at >= answer.at)) add(`unit:${d.leadUnit}`, 'follow-up', id);
    }
    return waits;
  }

  const tokenOf = (party: string): string => {
    const [role, id] = party.split(':');
    if (role === 'unit') return api.token({ sub: `todo-${id}`, role: 'unit', unit: id });
    if (role === 'member' || role === 'leader') return api.token({ sub: id, role });
    return api.token({ sub: `${role}-1`, role: role as 'office' });
  };
  const listOf = async (party: string): Promise<string[]> => {
    const reply = await api.get('/todo', tokenOf(party));
    expect(reply.status).toBe(200);
    const items = reply.body.items as { kind: string; proposalId: string }[];
    expect(reply.body.total).toBe(items.length);
    expect(Object.values(reply.body.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(items.length);
    return items.map((i) => `${i.kind} ${i.proposalId}`).sort();
  };

  it('agrees with the proposals read model for every unit, the committee, the office, each leader and each member waited on', async () => {
    expect(docs.length).toBeGreaterThan(500);
    const want = expected();
    const parties = new Set([...want.keys(), 'committee', 'office', ...Object.values(UNITS).map((u) => `unit:${u.code}`)]);
    const got = new Map<string, string[]>();
    for (const party of parties) got.set(party, await listOf(party));
    const nonEmpty = (m: Map<string, string[]>) => new Map([...m].filter(([, items]) => items.length > 0).map(([p, items]) => [p, [...items].sort()]));
    expect(nonEmpty(got)).toEqual(nonEmpty(want));
    // The demo's sessions are handled to the end, every planned (B) answer followed up: what still waits is the
    // feedback of co-proposers (联名) on answers their lead proposer already gave feedback on.
    const items = [...got].flatMap(([party, list]) => list.map((i) => ({ party, kind: i.split(' ')[0], id: i.split(' ')[1] })));
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(['feedback']));
    const byId = new Map(docs.map((d) => [d.proposalId, d]));
    for (const { party, id } of items) {
      const d = byId.get(id) as ProposalDoc;
      expect({ party, lead: d.proposers[0].id === party.slice('member:'.length), leadGaveFeedback: d.feedback.some((f) => f.member === d.proposers[0].id) }).toEqual({ party, lead: false, leadGaveFeedback: true });
    }
    expect(items.length).toBeGreaterThan(50);
  }, 120_000);
});
