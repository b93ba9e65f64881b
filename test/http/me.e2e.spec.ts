import jwt from 'jsonwebtoken';
import { mintToken } from '@app/identity';
import { ensureDirectory, startedApi, TEST_SECRET } from '../support/api.js';

/** GET /me: the caller as the service sees the token, after its checks and defaults. */
describe('GET /me', () => {
  const { api, people } = startedApi();
  beforeAll(() => ensureDirectory(api, people));

  const expiryOf = (token: string) => new Date((jwt.decode(token) as { exp: number }).exp * 1000).toISOString();

  it('answers who the token says the caller is, and until when the token is good', async () => {
    const office = await api.get('/me', people.office);
    expect(office.status).toBe(200);
    expect(office.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(office.body).toEqual({ sub: 'o-1', role: 'office', unit: null, name: '区政府办公室', tenant: 'jinshan', expiresAt: expiryOf(people.office) });
    const lead = await api.get('/me', people.lead);
    expect((await api.get('/me', people.lead)).body).toEqual(lead.body); // the same answer again, for the same token
    expect(lead.body).toEqual({ sub: 'u-1', role: 'unit', unit: 'fgw', name: null, tenant: 'jinshan', expiresAt: expiryOf(people.lead) });
    const member = await api.get('/me', people.member);
    expect(member.body).toMatchObject({ sub: 'm-1', role: 'member', unit: null, name: '张委员' });
  });

  it('names the jurisdiction the token gives, else the default one', async () => {
    const elsewhere = api.token({ sub: 'o-7', role: 'office', tenant: 'fengxian' });
    expect((await api.get('/me', elsewhere)).body).toMatchObject({ sub: 'o-7', tenant: 'fengxian' });
    expect((await api.get('/me', api.token({ sub: 'a-1', role: 'auditor' }))).body).toMatchObject({ tenant: 'jinshan' });
  });

  it('refuses no token, a bad one and an expired one with 401 naming Authorization', async () => {
    for (const [token, detail] of [
      [undefined, 'a bearer token is required'],
      ['not-a-token', 'the token is not valid'],
      [mintToken('another-secret-of-at-least-thirty-two-chars', { sub: 'o-1', role: 'office' }), 'the token is not valid'],
      [mintToken(TEST_SECRET, { sub: 'o-1', role: 'office' }, -60), 'the token has expired'],
    ] as const) {
      const r = await api.get('/me', token);
      expect([r.status, r.headers.get('content-type'), r.body.detail, r.body.errors]).toEqual([
        401,
        'application/problem+json; charset=utf-8',
        detail,
        [{ field: 'Authorization', reason: detail }],
      ]);
    }
  });

  it('refuses a unit or a member the directory does not know, and one it stops knowing', async () => {
    expect((await api.get('/me', api.token({ sub: 'u-8', role: 'unit', unit: 'nosuchunit' }))).status).toBe(403);
    expect((await api.get('/me', api.token({ sub: 'm-404', role: 'member' }))).status).toBe(403);
    // Known a moment ago, on the same token: a change to the directory is seen at once.
    expect((await api.get('/me', people.otherUnit)).status).toBe(200);
    expect((await api.post('/directory/units/jyj/deactivation', people.office, { activeUntil: '2019-03-01' })).status).toBe(200);
    const refused = await api.get('/me', people.otherUnit);
    expect([refused.status, refused.body.detail]).toEqual([403, 'you are signed in as someone the directory does not know: unit jyj is inactive since 2019-03-01']);
  });

  it('sees a member whose term ends on a later day refused from that day on', async () => {
    const member = api.token({ sub: 'm-7', role: 'member', name: '周委员' });
    expect((await api.get('/me', member)).status).toBe(200);
    expect((await api.post('/directory/members/m-7/deactivation', people.office, { activeUntil: '2019-03-05' })).status).toBe(200);
    expect((await api.get('/me', member)).status).toBe(200); // still a member on 1 March
    api.clock.advanceDays(4); // 5 March, business time
    expect((await api.get('/me', member)).status).toBe(403);
  });

  it('honours ?minPosition= as every query does: a bad one is a 400 naming it', async () => {
    expect((await api.get('/me?minPosition=0', people.auditor)).status).toBe(200);
    const bad = await api.get('/me?minPosition=soon', people.auditor);
    expect([bad.status, bad.body.errors]).toEqual([400, [{ field: 'minPosition', reason: 'must be a whole number, the position a command answered' }]]);
  });
});
