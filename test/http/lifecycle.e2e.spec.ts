import { ensureSession, startedApi } from '../support/api.js';

describe('one proposal through every step of its handling, over HTTP', () => {
  const { api, people } = startedApi();

  it('files, registers, assigns, handles, answers, reopens, re-answers, follows up, supervises and publishes', async () => {
    await ensureSession(api, people);
    const session = await api.read('/sessions/6-3', people.member);
    expect(session.body).toMatchObject({ id: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 });

    const filed = await api.post('/proposals', people.member, {
      session: '6-3',
      title: '关于科学规范设立充电桩的建议',
      body: '建议统筹规划新能源汽车充电桩布局。',
      category: 'urban-rural',
      coProposers: ['m-2'],
    });
    expect(filed.status).toBe(201);
    expect(filed.body).toEqual({ id: expect.any(String), revision: 0, position: expect.any(Number) });
    expect(filed.headers.get('etag')).toBe('"0"');
    const id = filed.body.id;
    expect(filed.headers.get('location')).toBe(`/proposals/${id}`);
    const step = (path: string, token: string, body: unknown = {}) => api.post(`/proposals/${id}/${path}`, token, body);
    expect((await step('co-proposer-confirmations', people.coProposer)).status).toBe(200);

    expect((await step('register', people.committee)).status).toBe(200);
    const assigned = await step('assign', people.office, { leadUnit: 'jyj', coUnits: ['czj'] });
    expect(assigned.body.revision).toBe(3);
    expect((await step('reassignment-requests', people.otherUnit, { reason: '充电桩规划不属我局职责' })).status).toBe(200);
    expect((await step('reassign', people.office, { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-05-31' })).status).toBe(200);
    expect((await step('claim', people.leader)).status).toBe(200);

    api.clock.advanceDays(3);
    expect((await step('visits', people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);
    expect((await step('visits', people.coUnit, { stage: 'during', visitorRank: 'deputy', form: 'on-site', note: '现场踏勘' })).status).toBe(200);
    expect((await step('co-unit-opinions', people.coUnit, { opinion: '同意纳入年度财政预算。' })).status).toBe(200);
    expect((await step('supervision', people.office, { key: true, note: '列为重点提案' })).status).toBe(200);

    api.clock.advanceDays(30);
    const answer = await step('answers', people.lead, { category: 'B', text: '已列入明年建设计划。', publish: true });
    expect(answer.status).toBe(200);
    expect((await step('visits', people.lead, { stage: 'after', visitorRank: 'staff', form: 'phone' })).status).toBe(200);
    expect((await step('feedback', people.member, { attitude: 'dissatisfied', agreesWithResult: false, comment: '进度太慢' })).status).toBe(200);

    let state = await api.read(`/proposals/${id}`, people.member);
    expect(state.body).toMatchObject({ id, status: 'reopened', leadUnit: 'fgw', number: '6-3-001', claimedBy: { id: 'l-1' }, key: true });

    expect((await step('renegotiation', people.committee, { reason: '委员不满意，再协商', dueDate: '2019-07-31' })).status).toBe(200);
    expect((await step('follow-ups', people.lead, { note: '已完成选址', substantiveProgress: true })).status).toBe(200);
    expect((await step('co-unit-opinions', people.coUnit, { opinion: '资金已拨付。' })).status).toBe(200);
    api.clock.advanceDays(20);
    expect((await step('answers', people.lead, { category: 'A', text: '充电桩已建成投用。', publish: true })).status).toBe(200);
    expect((await step('feedback', people.coProposer, { attitude: 'satisfied', agreesWithResult: true })).status).toBe(200);
    const published = await step('publication', people.office);
    expect(published.status).toBe(200);

    state = await api.read(`/proposals/${id}`, people.auditor);
    expect(state.headers.get('etag')).toBe(`"${published.body.revision}"`);
    expect(state.body).toMatchObject({
      status: 'answered',
      dueDate: '2019-07-31',
      published: true,
      publications: [{ answerNumber: 2 }],
      latestCategory: 'A',
      answers: [
        { unit: 'fgw', category: 'B', publish: true, dueDate: '2019-05-31' },
        { unit: 'fgw', category: 'A', publish: true, dueDate: '2019-07-31' },
      ],
      feedback: [
        { member: 'm-1', attitude: 'dissatisfied', agreesWithResult: false },
        { member: 'm-2', attitude: 'satisfied', agreesWithResult: true },
      ],
    });

    const history = await api.get(`/proposals/${id}/history`, people.auditor);
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'proposal.filed.v2',
      'proposal.co-proposer-confirmed.v1',
      'proposal.registered.v1',
      'proposal.assigned.v1',
      'proposal.reassignment-requested.v1',
      'proposal.reassigned.v1',
      'proposal.claimed.v1',
      'proposal.visited.v1',
      'proposal.visited.v1',
      'proposal.co-unit-opinion-sent.v1',
      'proposal.supervised.v1',
      'proposal.answered.v1',
      'proposal.visited.v1',
      'proposal.feedback-given.v1',
      'proposal.renegotiated.v1',
      'proposal.followed-up.v1',
      'proposal.co-unit-opinion-sent.v1',
      'proposal.answered.v1',
      'proposal.feedback-given.v1',
      'proposal.answer-published.v1',
    ]);
    const first = history.body.events[0];
    expect(first).toMatchObject({
      revision: 0,
      data: { title: '关于科学规范设立充电桩的建议', proposers: [{ id: 'm-1', name: '张委员' }], invitedCoProposers: ['m-2'] },
      actor: { id: 'm-1', role: 'member', name: '张委员' },
      occurredAt: '2019-03-01T02:00:00.000Z',
      recordedAt: '2019-03-01T02:00:00.000Z',
    });
    for (const e of history.body.events) {
      expect(e.correlationId).toEqual(expect.any(String));
      expect(e.causationId).toEqual(expect.any(String));
    }
    expect(history.body.events[1]).toMatchObject({ actor: { id: 'm-2', role: 'member' }, data: { member: 'm-2', name: '李委员' } });
    expect(history.body.events[11]).toMatchObject({ actor: { role: 'unit', unit: 'fgw' }, data: { category: 'B' } });
  });

  it('defaults the due date from the session answer limit, counted in business days from the assignment', async () => {
    await ensureSession(api, people);
    api.clock.set('2019-03-10T18:00:00.000Z'); // 02:00 on 11 March in Beijing
    const { body } = await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '……', category: 'environment' });
    await api.post(`/proposals/${body.id}/register`, people.committee);
    await api.post(`/proposals/${body.id}/assign`, people.office, { leadUnit: 'lhsrj' });
    const state = await api.read(`/proposals/${body.id}`, people.office);
    expect(state.body.dueDate).toBe('2019-06-09');
  });

  it('lets a committee file a proposal for its members, and numbers registrations in order', async () => {
    await ensureSession(api, people);
    const ids: string[] = [];
    for (const title of ['关于加强中小学校食堂建设和管理的建议', '关于开展渣土运输道路污染治理的建议']) {
      const filed = await api.post('/proposals', people.committee, { session: '6-3', title, body: '……', category: 'livelihood', coProposers: ['m-5', 'm-6'] });
      ids.push(filed.body.id);
    }
    const numbers: string[] = [];
    for (const id of ids) {
      await api.post(`/proposals/${id}/register`, people.committee);
      numbers.push((await api.read(`/proposals/${id}`, people.committee)).body.number);
    }
    expect(numbers[1]).not.toBe(numbers[0]);
    expect(numbers.every((n) => /^6-3-\d{3}$/.test(n))).toBe(true);
    const declined = await api.post('/proposals', people.member, { session: '6-3', title: '养老实项目', body: '……', category: 'livelihood' });
    const merge = await api.post(`/proposals/${declined.body.id}/decline`, people.committee, { reason: 'merged', mergedInto: ids[0], note: '与食堂提案并案' });
    expect(merge.status).toBe(200);
    expect((await api.read(`/proposals/${declined.body.id}`, people.member)).body).toMatchObject({
      status: 'declined',
      decline: { reason: 'merged', mergedInto: ids[0], note: '与食堂提案并案' },
    });
  });

  it('records a supervision visit to a unit on the session stream', async () => {
    await ensureSession(api, people);
    const visit = await api.post('/sessions/6-3/supervision-visits', people.committee, { unit: 'sthjj', note: '重点督办' });
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ id: '6-3', revision: expect.any(Number) });
  });

  it('answers /health without a token', async () => {
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', eventStore: 'sqlite' });
  });
});
