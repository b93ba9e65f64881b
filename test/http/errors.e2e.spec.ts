import { connect } from 'node:net';
import jwt from 'jsonwebtoken';
import { assignedProposal, cast, ensureSession, TEST_SECRET, TestApi, type Cast, type Reply } from '../support/api.js';

/** A JSON value nested `depth` levels deep: arrays and objects in turn, around a string. */
const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 1; i < depth; i++) v = i % 2 ? [v] : { v };
  return [v];
};

/** Text with nothing to see: zero-width and ideographic spaces, the BOM, joiners, bidi marks, a Hangul filler. */
const INVISIBLE = ['\u200b', '\u200b\u200c\u200d', '\ufeff', '\u3000', '\u00a0 \u2060', '\u202e', '\u3164', '\u2800', '\u0301', '\u{E0020}'];

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
    // `errors` on every refusal, as README says: each field at fault, or none when no field is (a role, a state).
    expect(reply.body.errors).toEqual(expect.any(Array));
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
      await refused(400, () => api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'czj', dueDate: '31/05/2019' }), 'dueDate');
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
    it('refuses a body nested more than 32 levels deep, naming the body, before parsing it', async () => {
      // 150,000 levels (900 KB): was a 500 after 0.35 s of CPU.
      const deep = `${'[{"a":'.repeat(75_000)}1${'}]'.repeat(75_000)}`;
      const r = await refused(400, () => api.request('POST', '/proposals', { token: people.member, rawBody: deep, headers: { 'content-type': 'application/json' } }), 'body');
      expect(r.body.errors).toEqual([{ field: 'body', reason: 'is nested more than 32 levels deep' }]);
      // 33 levels inside an otherwise valid body: refused as too deep; 32 levels: parsed, and the field is named.
      const filing = { session: '6-3', body: '建议。', category: 'economy' };
      await refused(400, () => api.post('/proposals', people.member, { ...filing, title: nested(32) }), 'body');
      const parsed = await refused(400, () => api.post('/proposals', people.member, { ...filing, title: nested(31) }), 'title');
      expect(parsed.body.errors.map((e: { field: string }) => e.field)).not.toContain('body');
    });
    it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'prototype'])(
      'refuses a field named %s like any unknown field',
      async (name) => {
        const r = await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true, [name]: 'x' }), name);
        expect(r.body.errors).toEqual([{ field: name, reason: 'is not a parameter of this request' }]);
        await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true, [name]: { prototype: {} } }), name);
      },
    );
    it('refuses inherited names inside onBehalfOf, and a __proto__ key, naming them', async () => {
      const onBehalfOf = { sub: 'o-1', role: 'office', constructor: 'x' };
      await refused(400, () => api.post(`/proposals/${id}/supervision`, people.clerk, { key: true, onBehalfOf }), 'onBehalfOf.constructor');
      const raw = (body: string) => () => api.request('POST', `/proposals/${id}/supervision`, { token: people.office, rawBody: body, headers: { 'content-type': 'application/json' } });
      await refused(400, raw('{"key":true,"__proto__":{"note":"x"}}'), '__proto__');
      await refused(400, raw('{"key":true,"note":"x","constructor":{"prototype":{"note":"y"}}}'), 'constructor');
    });
    it.each([
      ['title', '/proposals', 'member', { session: '6-3', title: '', body: '建议。', category: 'economy' }],
      ['body', '/proposals', 'member', { session: '6-3', title: '建议', body: '', category: 'economy' }],
      ['name', '/sessions', 'office', { id: '6-4', name: '', year: 2020 }],
      ['note', '/sessions/6-3/supervision-visits', 'office', { unit: 'czj', note: '' }],
      ['unit', '/sessions/6-3/supervision-visits', 'office', { unit: '' }],
      ['leadUnit', '/proposals/:id/reassign', 'office', { leadUnit: '' }],
      ['coUnits', '/proposals/:id/reassign', 'office', { leadUnit: 'czj', coUnits: [''] }],
      ['reason', '/proposals/:id/reassignment-requests', 'lead', { reason: '' }],
      ['opinion', '/proposals/:id/co-unit-opinions', 'coUnit', { opinion: '' }],
      ['text', '/proposals/:id/answers', 'lead', { category: 'A', text: '', publish: true }],
      ['withholdReason', '/proposals/:id/answers', 'lead', { category: 'A', text: '已办理。', publish: false, withholdReason: '' }],
      ['note', '/proposals/:id/visits', 'lead', { stage: 'during', visitorRank: 'staff', form: 'phone', note: '' }],
      ['note', '/proposals/:id/supervision', 'office', { key: true, note: '' }],
      ['onBehalfOf.name', '/proposals/:id/supervision', 'clerk', { key: true, onBehalfOf: { sub: 'o-1', role: 'office', name: '' } }],
    ] as const)('refuses %s (%s) of invisible characters only: it must contain visible characters', async (field, path, who, body) => {
      const url = path.replace(':id', id);
      for (const invisible of INVISIBLE) {
        const sent = JSON.parse(JSON.stringify(body).replace('""', JSON.stringify(invisible)));
        const r = await refused(400, () => api.post(url, people[who], sent), field);
        expect(r.body.errors).toContainEqual({ field, reason: field === 'coUnits' ? 'each value in coUnits must contain visible characters' : 'must contain visible characters' });
      }
    });
    it('accepts visible text with invisible characters in it', async () => {
      const r = await api.post(`/proposals/${id}/supervision`, people.office, { key: true, note: '\u200b重点\u200d督办\u3000' });
      expect(r.status).toBe(200);
    });
    it('refuses a rule-level invalid value, naming the field', async () => {
      await refused(400, () => api.post(`/proposals/${id}/answers`, people.lead, { category: 'C', text: '留作参考', publish: false }), 'withholdReason');
      await refused(400, () => api.post(`/proposals/${id}/reassign`, people.office, { leadUnit: 'czj', coUnits: ['czj'] }), 'coUnits');
      await refused(400, () => api.post(`/proposals/${id}/reassign`, people.office, { leadUnit: 'jyj', dueDate: '2019-02-01' }), 'dueDate');
    });
    it('refuses a malformed If-Match or Idempotency-Key header', async () => {
      await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'if-match': 'abc' }), 'If-Match');
      await refused(400, () => api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'idempotency-key': 'with space' }), 'idempotency-key');
    });
    it('answers a body of thousands of wrong fields with a bounded refusal: the first 50 named, how many in all said', async () => {
      // A 540 KB body of 50,000 made-up fields was answered with all of them, in errors and again in the detail (5 MB).
      const made = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`made${i}`, 1]));
      const text = await api.request('POST', '/sessions', { token: people.office, rawBody: JSON.stringify({ id: '6-4', name: '六届四次会议', year: 2020, ...made }), headers: { 'content-type': 'application/json' } });
      const r = await refused(400, async () => text, 'made0');
      expect(JSON.stringify(r.body).length).toBeLessThan(16_000);
      expect(r.body.errors).toHaveLength(50);
      expect(r.body.errors[49]).toEqual({ field: 'made49', reason: 'is not a parameter of this request' });
      expect(r.body.detail).toMatch(/^50000 fields are not parameters of this request, such as "made0"/);
      // 5,000 import rows, each with three made-up fields: was 15,000 problems, a 2 MB answer (19 MB with 25 a row).
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ code: `u${i}`, fullName: '单位', shortName: '单位', kind: 'other', a: 1, b: 2, c: 3 }));
      const many = await refused(400, () => api.post('/directory/import', people.office, { units: rows }), 'units.0.a');
      expect(JSON.stringify(many.body).length).toBeLessThan(16_000);
      expect(many.body.errors).toHaveLength(50);
      expect(many.body.detail).toMatch(/; 15000 problems in all, the first 50 in errors$/);
    });
    it('answers a request line and headers over 16 KB (431), and bytes that are not HTTP (400), as problem+json', async () => {
      // Node's parser refuses these before any route: Fastify's default wrote {"error","message","statusCode"}.
      const long = await refused(431, () => api.get(`/proposals?q=${'a'.repeat(20_000)}`, people.office), 'headers');
      expect(long.body.detail).toBe('the request line and headers are larger than 16 KB');
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(api.baseUrl).port), '127.0.0.1', () => socket.write('HELLO /proposals\r\n\r\n'));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(raw).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual(expect.objectContaining({ status: 400, errors: [{ field: 'request', reason: 'not valid HTTP' }] }));
    });
    it('refuses a clerk occurredAt that is malformed or in the future', async () => {
      const onBehalfOf = { sub: 'u-1', role: 'unit', unit: 'fgw' };
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
    it.each([
      ['a token without exp', { sub: 'o-1', role: 'office' }, 'the token must expire: it has no exp claim'],
      ['a token that expires in 30 years', { sub: 'o-1', role: 'office', exp: Math.floor(Date.now() / 1000) + 30 * 365 * 86400 }, 'a token may live at most 12 hours: this one\'s exp is too far ahead'],
      ['a token whose exp is 13 hours after its iat', { sub: 'o-1', role: 'office', iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) + 12 * 3600 }, 'a token may live at most 12 hours: this one\'s exp is too far ahead'],
      ['a token issued in the future, living an hour from then', { sub: 'o-1', role: 'office', iat: Math.floor(Date.now() / 1000) + 365 * 86400, exp: Math.floor(Date.now() / 1000) + 365 * 86400 + 3600 }, 'a token may live at most 12 hours: this one\'s exp is too far ahead'],
    ])('%s (TOKEN_MAX_HOURS, 12 by default)', async (_, claims, reason) => {
      const token = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', noTimestamp: !('iat' in claims) });
      const r = await refused(401, () => api.post(`/proposals/${id}/supervision`, token, { key: true }), 'Authorization');
      expect(r.body.errors).toEqual([{ field: 'Authorization', reason }]);
    });
    it('accepts a token living the 12 hours allowed', async () => {
      const token = jwt.sign({ sub: 'o-1', role: 'office' }, TEST_SECRET, { algorithm: 'HS256', expiresIn: 12 * 3600 });
      expect((await api.read(`/proposals/${id}`, token)).status).toBe(200);
    });
    it('a malformed Authorization header', async () => {
      await refused(401, () => api.request('GET', `/proposals/${id}`, { headers: { authorization: 'Basic abc' } }), 'Authorization');
    });
  });

  describe('403: the role or the actor may not take this step', () => {
    it('a role that does not take the step', async () => {
      await refused(403, () => api.post('/sessions', people.committee, { id: '6-4', name: '六届四次会议', year: 2020 }));
      await refused(403, () => api.post(`/proposals/${id}/assign`, people.committee, { leadUnit: 'czj' }));
      await refused(403, () => api.post(`/proposals/${id}/publication`, people.committee));
      await refused(403, () => api.post(`/proposals/${id}/claim`, people.office));
      await refused(403, () => api.post('/proposals', people.office, { session: '6-3', title: 't', body: 'b', category: 'other' }));
      await refused(403, () => api.post('/sessions/6-3/supervision-visits', people.lead, { unit: 'czj' }));
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
          category: 'A', text: 'x', publish: true, onBehalfOf: { sub: 'u-2', role: 'unit', unit: 'czj' },
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
      await refused(404, () => api.post('/sessions/9-9/supervision-visits', people.office, { unit: 'czj' }));
      await refused(404, () => api.get('/sessions/not-a-session', people.office));
      await refused(404, () => api.post('/proposals', people.member, { session: '9-9', title: 't', body: 'b', category: 'other' }), 'session');
      await refused(404, () => api.get('/nowhere', people.office));
    });
  });

  describe('409: the step is not possible in the proposal state', () => {
    it('a second registration, a decline after registration, feedback before an answer', async () => {
      await ensureSession(api, people);
      await refused(409, () => api.post(`/proposals/${id}/register`, people.committee));
      const filed = await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '…', category: 'environment' });
      await api.post(`/proposals/${filed.body.id}/register`, people.committee);
      await refused(409, () => api.post(`/proposals/${filed.body.id}/decline`, people.committee, { reason: 'opinion' }));
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
