import { assignedProposal, ensureSession, startedApi } from '../support/api.js';

/** The directory of units and members: kept by the office, checked on every reference, names kept at the time. */
describe('the directory over HTTP', () => {
  const { api, people } = startedApi();

  it('registers, reads and renames a unit, guarded by the entry’s ETag', async () => {
    await ensureSession(api, people);
    const unit = { code: 'sww', fullName: '区商务委员会', shortName: '区商务委', kind: 'government-department' };
    const created = await api.post('/directory/units', people.office, unit);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/directory/units/sww');
    const read = await api.get('/directory/units/sww', people.member);
    expect(read.body).toMatchObject({ ...unit, active: true });
    const etag = read.headers.get('etag') as string;
    expect(etag).toBe(created.headers.get('etag'));

    const renamed = await api.request('PATCH', '/directory/units/sww', { token: people.office, body: { shortName: '区商务委（新）' }, headers: { 'if-match': etag } });
    expect(renamed.status).toBe(200);
    const stale = await api.request('PATCH', '/directory/units/sww', { token: people.office, body: { shortName: '又一个名字' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((await api.get('/directory/units/sww', people.member)).body.shortName).toBe('区商务委（新）');
    expect((await api.post('/directory/units', people.committee, { ...unit, code: 'xx' })).status).toBe(403);
  });

  it('refuses a reference to a unit it does not know, naming the field and the value, and writes nothing', async () => {
    await ensureSession(api, people);
    const filed = await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '……', category: 'environment' });
    await api.post(`/proposals/${filed.body.id}/register`, people.committee);
    const before = await api.store.headPosition();
    const typo = await api.post(`/proposals/${filed.body.id}/assign`, people.office, { leadUnit: '区发改委 ' });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([{ field: 'leadUnit', reason: 'no unit 区发改委 in the directory' }]);
    const co = await api.post(`/proposals/${filed.body.id}/assign`, people.office, { leadUnit: 'fgw', coUnits: ['nope'] });
    expect(co.body.errors).toEqual([{ field: 'coUnits', reason: 'no unit nope in the directory' }]);
    const visit = await api.post('/sessions/6-3/supervision-visits', people.office, { unit: 'nope' });
    expect(visit.body.errors).toEqual([{ field: 'unit', reason: 'no unit nope in the directory' }]);
    const stranger = await api.post('/proposals', people.member, { session: '6-3', title: '联名', body: '……', category: 'other', coProposers: ['m-404'] });
    expect(stranger.body.errors).toEqual([{ field: 'coProposers', reason: 'no member m-404 in the directory' }]);
    expect(await api.store.headPosition()).toBe(before);
    // Codes are trimmed and compared exactly.
    expect((await api.post(`/proposals/${filed.body.id}/assign`, people.office, { leadUnit: ' fgw ' })).status).toBe(200);
  });

  it('refuses a unit token whose unit it does not know, and a member it does not know', async () => {
    const id = await assignedProposal(api, people, []);
    const ghost = api.token({ sub: 'u-7', role: 'unit', unit: 'ghost' });
    expect((await api.post(`/proposals/${id}/visits`, ghost, { stage: 'before', visitorRank: 'staff', form: 'phone' })).status).toBe(403);
    const stranger = api.token({ sub: 'm-404', role: 'member', name: '陌生人' });
    expect((await api.post('/proposals', stranger, { session: '6-3', title: '标题', body: '……', category: 'other' })).status).toBe(403);
  });

  it('keeps a unit’s name at the time on past steps after a rename, and groups statistics by code', async () => {
    const id = await assignedProposal(api, people, []);
    const before = (await api.get(`/proposals/${id}/history`, people.auditor)).body.events;
    const assigned = before.find((e: { type: string }) => e.type === 'proposal.assigned.v1');
    expect(assigned.data.leadUnit).toBe('fgw');
    const etag = (await api.get('/directory/units/fgw', people.office)).headers.get('etag') as string;
    expect((await api.request('PATCH', '/directory/units/fgw', { token: people.office, body: { shortName: '区发改委' }, headers: { 'if-match': etag } })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/visits`, people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);

    const { events } = (await api.get(`/proposals/${id}/history`, people.auditor)).body;
    const store = await api.store.readStream(`proposal-jinshan:${id}`);
    const names = (type: string) => (store.find((e) => e.type === type)?.metadata as { names?: { units: Record<string, string> } }).names?.units.fgw;
    expect(names('proposal.assigned.v1')).toBe('区发展改革委');
    expect(names('proposal.visited.v1')).toBe('区发改委');
    expect(events.length).toBe(store.length);
    const units = await api.read('/units?session=6-3', people.office);
    expect(units.body.find((u: { unit: string }) => u.unit === 'fgw')).toMatchObject({ unitName: '区发改委', currentName: '区发改委' });
    // Rename it back for the other specs of this file.
    const now = (await api.get('/directory/units/fgw', people.office)).headers.get('etag') as string;
    await api.request('PATCH', '/directory/units/fgw', { token: people.office, body: { shortName: '区发展改革委' }, headers: { 'if-match': now } });
  });

  it('lets the lead proposer withdraw a proposal before review; it counts as filed, not registered, and withdrawn', async () => {
    await ensureSession(api, people);
    const before = (await api.read('/sessions/6-3/statistics', people.office)).body;
    const filed = await api.post('/proposals', people.member, { session: '6-3', title: '养老实项目', body: '……', category: 'livelihood', coProposers: ['m-2'] });
    const id = filed.body.id as string;
    await api.post(`/proposals/${id}/co-proposer-confirmations`, people.coProposer);
    expect((await api.post(`/proposals/${id}/withdrawal`, people.coProposer, { reason: '撤回' })).status).toBe(403);
    expect((await api.post(`/proposals/${id}/withdrawal`, people.member, { reason: '情况已变化' })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(409);
    expect((await api.read(`/proposals/${id}`, people.member)).body).toMatchObject({ status: 'withdrawn', withdrawal: { reason: '情况已变化' } });
    const after = (await api.read('/sessions/6-3/statistics', people.office)).body;
    expect({ filed: after.filed - before.filed, registered: after.registered - before.registered, withdrawn: after.withdrawn - before.withdrawn }).toEqual({
      filed: 1,
      registered: 0,
      withdrawn: 1,
    });
  });
});
