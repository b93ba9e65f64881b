import { assignedProposal, ensureDirectory, ensureSession, startedApi } from '../support/api.js';

/**
 * What a signed-in caller outside a proposal, a clerk with made-up subs, and a caller replaying someone else's
 * Idempotency-Key could do before, and may not do now. Each refusal writes nothing.
 */
describe('a unit outside a proposal learns nothing about it from a refusal', () => {
  const { api, people } = startedApi();
  let id: string;

  beforeAll(async () => {
    id = await assignedProposal(api, people);
    expect((await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意。' })).status).toBe(200);
    const answer = { category: 'A', text: '内部答复全文', publish: false, withholdReason: '涉及内部工作安排' };
    expect((await api.post(`/proposals/${id}/answers`, people.lead, answer)).status).toBe(200);
  });

  it.each([
    ['answers', { category: 'B', text: '抢答', publish: true }],
    ['visits', { stage: 'during', visitorRank: 'staff', form: 'phone' }],
    ['co-unit-opinions', { opinion: '同意。' }],
    ['follow-ups', { note: '跟踪' }],
    ['reassignment-requests', { reason: '不属于本单位职责' }],
  ])('POST %s by a unit that does not handle it → 403 that names nothing of the proposal', async (path, body) => {
    const before = await api.store.headPosition();
    const r = await api.post(`/proposals/${id}/${path}`, people.otherUnit, body);
    expect(r.status).toBe(403);
    expect(r.body.detail).toBe(`proposal ${id} is not one you take part in`);
    expect(JSON.stringify(r.body)).not.toMatch(/answered|fgw|czj|区发展改革委|区财政局|\bA\b|withheld|内部/);
    expect(await api.store.headPosition()).toBe(before);
  });

  it('GET with ?minPosition= refuses a reader outside the proposal at once, instead of waiting', async () => {
    const started = performance.now();
    const r = await api.get(`/proposals/${id}?minPosition=999999999`, people.otherUnit);
    expect(r.status).toBe(403);
    expect(performance.now() - started).toBeLessThan(api.config.readYourWritesTimeoutMs);
    expect((await api.get(`/proposals/${id}/history?minPosition=999999999`, people.otherMember)).status).toBe(403);
  });
});

describe('a clerk records only what the deployment lets clerks record, inside the session’s time', () => {
  const { api, people } = startedApi();
  const office = { sub: 'o-7', role: 'office' };
  const committee = { sub: 'c-7', role: 'committee' };
  const member = { sub: 'm-7', role: 'member', name: '周委员' };

  it('records a member’s paper filing, but not the committee’s or the office’s decisions, by default', async () => {
    await ensureSession(api, people);
    api.clock.advanceDays(5);
    const filed = await api.post('/proposals', people.clerk, {
      session: '6-3', title: '垃圾分类', body: '……', category: 'environment', onBehalfOf: member, occurredAt: '2019-03-03',
    });
    expect(filed.status).toBe(201);
    const before = await api.store.headPosition();
    const register = await api.post(`/proposals/${filed.body.id}/register`, people.clerk, { onBehalfOf: committee });
    expect(register.status).toBe(403);
    expect(register.body.errors).toEqual([expect.objectContaining({ field: 'onBehalfOf.role' })]);
    expect(register.body.detail).toContain('CLERK_MAY_RECORD_FOR');
    expect((await api.post('/sessions', people.clerk, { id: '6-4', name: '六届四次会议', year: 2020, onBehalfOf: office })).status).toBe(403);
    expect(await api.store.headPosition()).toBe(before);
  });

  it('refuses a paper filing dated before the session opened', async () => {
    await ensureSession(api, people);
    const before = await api.store.headPosition();
    const r = await api.post('/proposals', people.clerk, {
      session: '6-3', title: '养老实项目', body: '……', category: 'livelihood', onBehalfOf: member, occurredAt: '1900-01-01',
    });
    expect(r.status).toBe(409);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    expect(await api.store.headPosition()).toBe(before);
  });
});

describe('where the deployment lets clerks record the office’s steps', () => {
  const { api, people } = startedApi({ CLERK_MAY_RECORD_FOR: 'member,unit,office,committee' });
  const office = { sub: 'o-7', role: 'office' };

  it('a session’s opening stays in its year and its visits after it', async () => {
    await ensureDirectory(api, people);
    api.clock.set('2026-03-01T02:00:00.000Z');
    const before = await api.store.headPosition();
    const in1950 = await api.post('/sessions', people.clerk, { id: '8-1', name: '八届一次会议', year: 2026, onBehalfOf: office, occurredAt: '1950-01-05' });
    expect(in1950.status).toBe(400);
    expect(in1950.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    expect(await api.store.headPosition()).toBe(before);

    const opened = await api.post('/sessions', people.clerk, { id: '8-1', name: '八届一次会议', year: 2026, onBehalfOf: office, occurredAt: '2026-01-10' });
    expect(opened.status).toBe(201);
    const visit1950 = await api.post('/sessions/8-1/supervision-visits', people.clerk, { unit: 'czj', onBehalfOf: office, occurredAt: '1950-06-01' });
    expect(visit1950.status).toBe(409);
    expect(visit1950.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    expect((await api.post('/sessions/8-1/supervision-visits', people.clerk, { unit: 'czj', onBehalfOf: office, occurredAt: '2026-02-01' })).status).toBe(201);
  });
});

describe('names in the public record are the members’ own', () => {
  const { api, people } = startedApi();

  it('refuses names typed by the filer; a co-proposer joins by confirming, under the name of their sign-in', async () => {
    await ensureSession(api, people);
    const forged = await api.post('/proposals', people.member, {
      session: '6-3', title: '关于发展碳纤维复合材料产业的建议', body: '……', category: 'economy',
      coProposers: [{ id: 'm-2', name: '假冒的名字' }],
    });
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([expect.objectContaining({ field: 'coProposers' })]);

    const filed = await api.post('/proposals', people.member, {
      session: '6-3', title: '关于发展碳纤维复合材料产业的建议', body: '……', category: 'economy', coProposers: ['m-2', 'm-9'],
    });
    const id = filed.body.id as string;
    expect((await api.post(`/proposals/${id}/co-proposer-confirmations`, people.coProposer)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'fgw' })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已采纳。', publish: true })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/publication`, people.office)).status).toBe(200);

    // m-9 never confirmed: no feedback rights, and not named in public.
    const before = await api.store.headPosition();
    const feedback = await api.post(`/proposals/${id}/feedback`, people.otherMember, { attitude: 'satisfied', agreesWithResult: true });
    expect(feedback.status).toBe(403);
    expect(await api.store.headPosition()).toBe(before);
    expect((await api.post(`/proposals/${id}/feedback`, people.coProposer, { attitude: 'satisfied', agreesWithResult: true })).status).toBe(200);

    const published = await api.read('/public/answers?session=6-3');
    expect(published.body.items.find((a: { id: string }) => a.id === id).proposers).toEqual(['张委员', '李委员']);
  });
});

describe('an Idempotency-Key is the caller’s own', () => {
  const { api, people } = startedApi();

  it('a member whose sub equals the committee’s cannot replay the committee’s registration', async () => {
    await ensureSession(api, people);
    const filed = await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '……', category: 'environment' });
    const path = `/proposals/${filed.body.id}/register`;
    const headers = { 'idempotency-key': 'register-once' };
    expect((await api.post(path, people.committee, {}, headers)).status).toBe(200);
    const sameSub = api.token({ sub: 'c-1', role: 'member', name: '冒名者' });
    const before = await api.store.headPosition();
    const replay = await api.post(path, sameSub, {}, headers);
    expect(replay.status).toBe(403);
    expect(await api.store.headPosition()).toBe(before);
    expect((await api.post(path, people.committee, {}, headers)).status).toBe(200);
  });
});

describe('the public sees a proposal’s current published answer only', () => {
  const { api, people } = startedApi();

  it('marks a published answer superseded when a withheld answer replaces it after re-negotiation', async () => {
    const id = await assignedProposal(api, people, []);
    api.clock.advanceDays(10);
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'B', text: '第一次答复：列入计划。', publish: true })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/publication`, people.office)).status).toBe(200);
    let listed = (await api.read('/public/answers?session=6-3')).body.items;
    expect(listed).toEqual([expect.objectContaining({ id, answer: '第一次答复：列入计划。', supersededAt: null })]);

    api.clock.advanceDays(10);
    expect((await api.post(`/proposals/${id}/renegotiation`, people.office, { reason: '再协商' })).status).toBe(200);
    api.clock.advanceDays(10);
    const second = { category: 'A', text: '第二次答复：不公开的内容。', publish: false, withholdReason: '涉及内部工作安排' };
    expect((await api.post(`/proposals/${id}/answers`, people.lead, second)).status).toBe(200);

    listed = (await api.read('/public/answers?session=6-3')).body.items;
    expect(listed).toEqual([expect.objectContaining({ id, answer: '第一次答复：列入计划。', result: 'B', supersededAt: api.clock.read().toISOString() })]);
    expect(JSON.stringify(listed)).not.toContain('不公开的内容');
  });
});

describe('year over year', () => {
  const { api, people } = startedApi();

  it('refuses a session named twice, and more sessions than it compares at once', async () => {
    await ensureSession(api, people);
    const twice = await api.get('/statistics/year-over-year?sessions=6-3,6-3', people.auditor);
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'sessions', reason: 'names session 6-3 twice' }]);
    const many = Array.from({ length: 21 }, (_, i) => `6-${i + 1}`).join(',');
    const tooMany = await api.get(`/statistics/year-over-year?sessions=${many}`, people.auditor);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ field: 'sessions', reason: 'must name at most 20 sessions' }]);
    expect((await api.read('/statistics/year-over-year?sessions=6-3', people.auditor)).status).toBe(200);
  });
});
