import { ensureSession, startedApi } from '../support/api.js';

/**
 * 待办: for whoever asks, what waits on them now, counted by kind, from the to-do read model — and gone as soon as
 * it is done.
 */
describe('GET /todo', () => {
  const { api, people } = startedApi({ REMINDER_SCHEDULE: 'off' });
  const ids: Record<string, string> = {};
  const todo = async (token: string) => {
    const reply = await api.read('/todo', token);
    expect(reply.status).toBe(200);
    return reply.body as { total: number; counts: Record<string, number>; items: { proposalId: string; number: string | null; title: string; kind: string; kindLabel: string; dueDate: string | null; overdue: boolean }[] };
  };
  const listed = async (token: string) => (await todo(token)).items.map((i) => `${i.kind} ${Object.keys(ids).find((k) => ids[k] === i.proposalId)}${i.dueDate ? ` ${i.dueDate}` : ''}`);
  const file = async (title: string, coProposers?: string[]) =>
    (await api.post('/proposals', people.member, { session: '6-3', title, body: '……', category: 'livelihood', ...(coProposers ? { coProposers } : {}) })).body.id as string;
  const step = async (id: string, path: string, token: string, body: unknown = {}) => expect((await api.post(`/proposals/${id}/${path}`, token, body)).status).toBe(200);

  beforeAll(async () => {
    await ensureSession(api, people);
    ids.filed = await file('关于增设社区食堂的建议', ['m-2']);
    ids.registered = await file('关于改善农村公路的建议');
    await step(ids.registered, 'register', people.committee);
    ids.assigned = await file('关于加快充电桩建设的建议');
    await step(ids.assigned, 'register', people.committee);
    await step(ids.assigned, 'assign', people.office, { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-05-31' });
    await step(ids.assigned, 'claim', people.leader);
    await step(ids.assigned, 'reassignment-requests', people.lead, { reason: '部分事项不属我委职责' });
    ids.answered = await file('关于扶持小微企业的建议');
    await step(ids.answered, 'register', people.committee);
    await step(ids.answered, 'assign', people.office, { leadUnit: 'fgw', dueDate: '2019-04-30' });
    await step(ids.answered, 'visits', people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' });
    await step(ids.answered, 'answers', people.lead, { category: 'B', text: '列入明年计划。', publish: true });
  });

  it('lists for each role what waits on it, with counts by kind', async () => {
    expect(await todo(people.committee)).toMatchObject({ total: 1, counts: { review: 1 } });
    expect(await listed(people.committee)).toEqual(['review filed']);
    expect(await todo(people.coProposer)).toMatchObject({ total: 1, counts: { feedback: 0, 'co-proposal': 1 } });
    expect(await listed(people.office)).toEqual(['assign registered', 'reassignment-request assigned']);
    expect((await todo(people.office)).counts).toEqual({ assign: 1, 'reassignment-request': 1 });
    expect(await listed(people.lead)).toEqual(['visit assigned 2019-05-31', 'answer assigned 2019-05-31', 'follow-up answered']);
    expect((await todo(people.lead)).counts).toEqual({ visit: 1, 'co-unit-opinion': 0, answer: 1, 'follow-up': 1 });
    expect(await listed(people.coUnit)).toEqual(['co-unit-opinion assigned 2019-05-31']);
    expect(await listed(people.member)).toEqual(['feedback answered']);
    expect(await listed(people.leader)).toEqual(['claimed assigned 2019-05-31']);
    expect(await todo(people.auditor)).toEqual({ total: 0, counts: {}, items: [] });
    expect(await todo(people.otherUnit)).toMatchObject({ total: 0, items: [] });
    const [item] = (await todo(people.committee)).items;
    expect(item).toMatchObject({ title: '关于增设社区食堂的建议', kindLabel: '审查立案', number: null, overdue: false });
  });

  it('drops what is done and marks what is overdue', async () => {
    await step(ids.filed, 'co-proposer-confirmations', people.coProposer);
    await step(ids.answered, 'feedback', people.member, { attitude: 'satisfied', agreesWithResult: true });
    await step(ids.answered, 'follow-ups', people.lead, { note: '已完成前期调研。' });
    await step(ids.assigned, 'co-unit-opinions', people.coUnit, { opinion: '同意。' });
    await step(ids.assigned, 'visits', people.lead, { stage: 'during', visitorRank: 'deputy', form: 'phone' });
    expect(await listed(people.coProposer)).toEqual([]);
    expect(await listed(people.member)).toEqual([]);
    expect(await listed(people.coUnit)).toEqual([]);
    expect(await listed(people.lead)).toEqual(['answer assigned 2019-05-31']);
    api.clock.set('2019-06-03T02:00:00.000Z');
    expect((await todo(people.lead)).items).toEqual([expect.objectContaining({ kind: 'answer', overdue: true })]);
  });
});
