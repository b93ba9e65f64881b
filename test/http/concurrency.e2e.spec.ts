import { assignedProposal, ensureSession, startedApi } from '../support/api.js';

describe('concurrency and retries over HTTP', () => {
  const { api, people } = startedApi();

  it('gives two writers with the same If-Match one success and one 412', async () => {
    const id = await assignedProposal(api, people, []);
    const etag = (await api.read(`/proposals/${id}`, people.office)).headers.get('etag') as string;
    const [a, b] = await Promise.all([
      api.post(`/proposals/${id}/supervision`, people.office, { key: true }, { 'if-match': etag }),
      api.post(`/proposals/${id}/visits`, people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' }, { 'if-match': etag }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const history = await api.get(`/proposals/${id}/history`, people.auditor);
    expect(history.body.events.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3, 4]);
  });

  it('without If-Match, concurrent compatible steps all land in one gapless stream', async () => {
    const id = await assignedProposal(api, people, []);
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.post(`/proposals/${id}/visits`, people.lead, { stage: 'during', visitorRank: 'staff', form: 'phone', note: `第${i + 1}次` }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    const history = await api.get(`/proposals/${id}/history`, people.auditor);
    expect(history.body.events.map((e: { revision: number }) => e.revision)).toEqual([...Array(12).keys()]);
  });

  it('of two concurrent conflicting steps, one lands and the other is refused by the rules', async () => {
    const id = await assignedProposal(api, people, []);
    const [a, b] = await Promise.all([
      api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已解决', publish: true }),
      api.post(`/proposals/${id}/answers`, people.lead, { category: 'C', text: '留作参考', publish: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });

  it('answers a repeated Idempotency-Key with the first response and appends nothing', async () => {
    await ensureSession(api, people);
    const body = { session: '6-3', title: '关于加强中小企业危废处置的建议', body: '……', category: 'environment' };
    const headers = { 'idempotency-key': 'file-2019-0042' };
    const first = await api.post('/proposals', people.member, body, headers);
    const head = await api.store.headPosition();
    const again = await api.post('/proposals', people.member, body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await api.store.headPosition()).toBe(head);

    const step = { key: true, note: '重点' };
    const stepHeaders = { 'idempotency-key': 'mark-key-1' };
    await api.post(`/proposals/${first.body.id}/register`, people.committee);
    const marked = await api.post(`/proposals/${first.body.id}/supervision`, people.office, step, stepHeaders);
    await api.post(`/proposals/${first.body.id}/supervision`, people.office, { key: false }, {});
    const remarked = await api.post(`/proposals/${first.body.id}/supervision`, people.office, step, stepHeaders);
    expect(remarked.status).toBe(200);
    expect(remarked.body).toEqual(marked.body);
    expect(remarked.headers.get('etag')).toBe(marked.headers.get('etag'));
    expect((await api.read(`/proposals/${first.body.id}`, people.office)).body.key).toBe(false);
  });

  it('scopes an Idempotency-Key to its caller: another member with the same key files their own proposal', async () => {
    await ensureSession(api, people);
    const body = { session: '6-3', title: '垃圾分类', body: '……', category: 'environment' };
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await api.post('/proposals', people.member, body, headers);
    const theirs = await api.post('/proposals', people.otherMember, body, headers);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('keeps registration numbers unique when registrations race', async () => {
    await ensureSession(api, people);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await api.post('/proposals', people.member, { session: '6-3', title: `提案${i}`, body: '…', category: 'other' })).body.id);
    }
    const replies = await Promise.all(ids.map((id) => api.post(`/proposals/${id}/register`, people.committee)));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    const numbers = await Promise.all(ids.map(async (id) => (await api.read(`/proposals/${id}`, people.committee)).body.number));
    expect(new Set(numbers).size).toBe(6);
  });
});
