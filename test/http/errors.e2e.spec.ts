import { assignedProposal, cast, ensureSession, TestApi, type Cast, type Reply } from '../support/api.js';

/** Every refusal is problem+json naming what is wrong, and writes nothing. */
describe('refusals over HTTP', () => {
  const api = new TestApi();
  let people: Cast;
  let id: string;

  beforeAll(async () => {
    await api.start();
    people = cast(api);
    id = await assignedProposal(api, people);
    expect((await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意' })).status).toBe(200);
  });
  afterAll(() => api.stop());

  async function refused(status: number, send: () => Promise<Reply>, field?: string): Promise<Reply> {
    const before = await api.store.headPosition();
    const reply = await send();
    expect({ status: reply.status, body: reply.body }).toMatchObject({ status, body: { status } });
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.detail).toEqual(expect.any(String));
    if (field) expect(reply.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await api.store.headPosition()).toBe(before);
    return reply;
  }

  describe('400: the body or a header is not valid', () => {
    it('names a missing field', async () => {
      const r = await refused(400, () => api.post('/proposals', people.member, { session: '6-3', body: 'x', category: 'economy' }), 'title');
      expect(r.body.detail).toMatch(/title/);
    });
    it('names a field of the wrong type or outside its vocabulary', async () => {
      await refused(400, () => api.post(`/proposals/${id}/answers`, people.lead, { category: 'D', text: 'x', publish: true }), 'category');
      await refused(400, () => api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: 'x', publish: 'yes' }), 'publish');
      await refused(400, () => api.post(`/proposals/${id}/visits`, people.lead, { stage: 'before', visitorRank: 'mayor', form: 'phone' }), 'visitorRank');
      await refused(400, () => api.post(`/proposals/${id}/assign`, people.office, { leadUnit: '区财政局', dueDate: '31/05/2019' }), 'dueDate');
      await refused(400, () => api.post(`/proposals/${id}/feedback`, people.member, { attitude: 'satisfied' }), 'agreesWithResult');
    });
    it('refuses blank text and unknown fields', async () => {
      await refused(400, () => api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '   ' }), 'opinion');
      await refused(400, () => api.post(`/proposals/${id}/claim`, people.leader, { leader: 'l-2' }), 'leader');
    });
    it('refuses a body that is not a JSON object, or not JSON at all', async () => {
      await refused(400, () => api.post('/proposals', people.member, ['title']), 'body');
      await refused(400, () => api.request('POST', '/proposals', { token: people.member, rawBody: '{"title": ', headers: { 'content-type': 'application/json' } }));
    });
    it('refuses a rule-level invalid value, naming the field', async () => {
      await refused(400, () => api.post(`/proposals/${id}/answers`, people.lead, { category: 'C', text: '留作参考', publish: false }), 'withholdReason');
      await refused(400, () => api.post(`/proposals/${id}/reassign`, people.office, { leadUnit: '区财政局', coUnits: ['区财政局'] }), 'coUnits');
      await refused(400, () => api.post(`/proposals/${id}/reassign`, people.office, { leadUnit: '区教育局', dueDate: '2019-02-01' }), 'dueDate');
    });
    it('refuses a malformed If-Match or Idempotency-Key header', async () => {
      await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'if-match': 'abc' }), 'If-Match');
      await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'idempotency-key': 'with space' }), 'idempotency-key');
    });
    it('refuses a clerk occurredAt that is malformed or in the future', async () => {
      const onBehalfOf = { sub: 'u-1', role: 'unit', unit: '区发展改革委' };
      const visit = { stage: 'during', visitorRank: 'staff', form: 'phone', onBehalfOf };
      await refused(400, () => api.post(`/proposals/${id}/visits`, people.clerk, { ...visit, occurredAt: 'yesterday' }), 'occurredAt');
      await refused(400, () => api.post(`/proposals/${id}/visits`, people.clerk, { ...visit, occurredAt: '2030-01-01' }), 'occurredAt');
    });
  });

  describe('401: no token, or not a valid one', () => {
    it.each([
      ['no token', undefined],
      ['a token signed with another secret', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvLTEiLCJyb2xlIjoib2ZmaWNlIn0.c2lnbmF0dXJl'],
      ['garbage', 'not-a-jwt'],
    ])('%s', async (_, token) => {
      const r = await refused(401, () => api.post(`/proposals/${id}/supervision`, token, { key: true }), 'Authorization');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });
    it('a malformed Authorization header', async () => {
      await refused(401, () => api.request('GET', `/proposals/${id}`, { headers: { authorization: 'Basic abc' } }), 'Authorization');
    });
  });

  describe('403: the role or the actor may not take this step', () => {
    it('a role that does not take the step', async () => {
      await refused(403, () => api.post('/sessions', people.committee, { id: '6-4', name: '六届四次会议', year: 2020 }));
      await refused(403, () => api.post(`/proposals/${id}/assign`, people.committee, { leadUnit: '区财政局' }));
      await refused(403, () => api.post(`/proposals/${id}/publication`, people.committee));
      await refused(403, () => api.post(`/proposals/${id}/claim`, people.office));
      await refused(403, () => api.post('/proposals', people.office, { session: '6-3', title: 't', body: 'b', category: 'other' }));
      await refused(403, () => api.post('/sessions/6-3/supervision-visits', people.lead, { unit: '区财政局' }));
    });
    it('an answer from a co-unit, a visit by a unit that does not handle the proposal', async () => {
      await refused(403, () => api.post(`/proposals/${id}/answers`, people.coUnit, { category: 'A', text: 'x', publish: true }));
      await refused(403, () => api.post(`/proposals/${id}/visits`, people.otherUnit, { stage: 'before', visitorRank: 'staff', form: 'phone' }));
      await refused(403, () => api.post(`/proposals/${id}/reassignment-requests`, people.coUnit, { reason: 'x' }));
    });
    it('a non-clerk giving occurredAt or onBehalfOf; a clerk without onBehalfOf', async () => {
      await refused(403, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true, occurredAt: '2019-03-01' }), 'occurredAt');
      await refused(403, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true, onBehalfOf: { sub: 'c-1', role: 'committee' } }), 'onBehalfOf');
      await refused(403, () => api.post(`/proposals/${id}/supervision`, people.clerk, { key: true }), 'onBehalfOf');
    });
    it('a clerk recording an answer on behalf of a co-unit', async () => {
      await refused(403, () =>
        api.post(`/proposals/${id}/answers`, people.clerk, {
          category: 'A', text: 'x', publish: true, onBehalfOf: { sub: 'u-2', role: 'unit', unit: '区财政局' },
        }),
      );
    });
    it('reading a proposal one does not take part in', async () => {
      await refused(403, () => api.read(`/proposals/${id}`, people.otherMember));
      await refused(403, () => api.get(`/proposals/${id}/history`, people.otherUnit));
      await refused(403, () => api.get(`/proposals/${id}/history`, people.service));
    });
  });

  describe('404: unknown proposal, session or route', () => {
    it('unknown ids', async () => {
      await refused(404, () => api.post('/proposals/00000000-0000-4000-8000-000000000000/register', people.committee));
      await refused(404, () => api.get('/proposals/00000000-0000-4000-8000-000000000000', people.auditor));
      await refused(404, () => api.get('/proposals/../../etc/passwd', people.auditor));
      await refused(404, () => api.post('/sessions/9-9/supervision-visits', people.office, { unit: '区财政局' }));
      await refused(404, () => api.get('/sessions/not-a-session', people.office));
      await refused(404, () => api.post('/proposals', people.member, { session: '9-9', title: 't', body: 'b', category: 'other' }), 'session');
      await refused(404, () => api.get('/nowhere', people.office));
    });
  });

  describe('409: the step is not possible in the proposal state', () => {
    it('a second registration, an answer before assignment, feedback before an answer', async () => {
      await ensureSession(api, people);
      await refused(409, () => api.post(`/proposals/${id}/register`, people.committee));
      const filed = await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '…', category: 'environment' });
      await api.post(`/proposals/${filed.body.id}/register`, people.committee);
      await refused(409, () => api.post(`/proposals/${filed.body.id}/answers`, people.lead, { category: 'A', text: 'x', publish: true }));
      await refused(409, () => api.post(`/proposals/${id}/feedback`, people.member, { attitude: 'satisfied', agreesWithResult: true }));
      await refused(409, () => api.post('/sessions', people.office, { id: '6-3', name: '重复', year: 2019 }), 'id');
    });
  });

  describe('412: If-Match names a revision the proposal has moved past', () => {
    it('refuses a stale ETag and accepts the current one', async () => {
      const current = await api.read(`/proposals/${id}`, people.office);
      const etag = current.headers.get('etag') as string;
      await refused(412, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'if-match': '"0"' }), 'If-Match');
      const ok = await api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'if-match': etag });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe(`"${Number(JSON.parse(etag)) + 1}"`);
    });
  });

  describe('422: an Idempotency-Key reused for a different request', () => {
    it('answers the first request again but refuses a different one', async () => {
      const key = { 'idempotency-key': 'sup-1' };
      const first = await api.post(`/proposals/${id}/supervision`, people.office, { key: true, note: '一' }, key);
      expect(first.status).toBe(200);
      await refused(422, () => api.post(`/proposals/${id}/supervision`, people.office, { key: false }, key), 'Idempotency-Key');
    });
  });
});
