import { assignedProposal, startedApi } from '../support/api.js';

/** docs/domain.md, "Paper records": a clerk records a step on behalf of whoever did it, with the day it happened. */
describe('paper records by a clerk', () => {
  const { api, people } = startedApi();
  const lead = { sub: 'u-1', role: 'unit', unit: 'fgw', name: '区发展改革委 王科长' };

  it('keeps who did the step and who recorded it, when it happened and when it was recorded', async () => {
    const id = await assignedProposal(api, people, []);
    api.clock.advanceDays(10);
    const visit = await api.post(`/proposals/${id}/visits`, people.clerk, {
      stage: 'before', visitorRank: 'principal', form: 'in-person', onBehalfOf: lead, occurredAt: '2019-03-05',
    });
    expect(visit.status).toBe(200);
    const answered = await api.post(`/proposals/${id}/answers`, people.clerk, {
      category: 'A', text: '已采纳', publish: true, onBehalfOf: lead, occurredAt: '2019-03-08T10:30:00+08:00',
    });
    expect(answered.status).toBe(200);
    const trail = (await api.get(`/proposals/${id}/history`, people.auditor)).body.events;
    expect(trail[4]).toMatchObject({
      type: 'proposal.visited.v1',
      actor: { id: 'u-1', role: 'unit', unit: 'fgw' },
      recorder: { id: 'k-1', role: 'clerk' },
      occurredAt: '2019-03-05T15:59:59.999Z',
      recordedAt: '2019-03-11T02:00:00.000Z',
    });
    expect(trail[5]).toMatchObject({ occurredAt: '2019-03-08T02:30:00.000Z', recorder: { id: 'k-1' } });
    expect(trail[3].recorder).toBeUndefined();
  });

  it('refuses a paper step dated before the proposal previous step', async () => {
    const id = await assignedProposal(api, people, []);
    const r = await api.post(`/proposals/${id}/visits`, people.clerk, {
      stage: 'before', visitorRank: 'staff', form: 'phone', onBehalfOf: lead, occurredAt: '2019-01-05',
    });
    expect(r.status).toBe(409);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
  });

  it('applies the rules to the person on whose behalf the clerk records', async () => {
    const id = await assignedProposal(api, people, []);
    const asMember = await api.post(`/proposals/${id}/answers`, people.clerk, {
      category: 'A', text: 'x', publish: true, onBehalfOf: { sub: 'm-1', role: 'member' },
    });
    expect(asMember.status).toBe(403);
    const asAuditor = await api.post(`/proposals/${id}/supervision`, people.clerk, { key: true, onBehalfOf: { sub: 'a-1', role: 'auditor' } });
    expect(asAuditor.status).toBe(400);
    expect(asAuditor.body.errors[0].field).toBe('onBehalfOf.role');
  });
});

describe('jurisdictions', () => {
  const { api, people } = startedApi();

  it('never lets a request touch another jurisdiction’s streams', async () => {
    const id = await assignedProposal(api, people, []);
    const elsewhere = api.token({ sub: 'a-2', role: 'auditor', tenant: 'fengxian' });
    expect((await api.read(`/proposals/${id}`, elsewhere)).status).toBe(404);
    expect((await api.get('/sessions/6-3', elsewhere)).status).toBe(404);
    const officeElsewhere = api.token({ sub: 'o-2', role: 'office', tenant: 'fengxian' });
    expect((await api.post(`/proposals/${id}/supervision`, officeElsewhere, { key: true })).status).toBe(404);
    const opened = await api.post('/sessions', officeElsewhere, { id: '6-3', name: '六届三次会议', year: 2019 });
    expect(opened.status).toBe(201);
    const streams = new Set((await api.store.readAll()).map((e) => e.stream.split(':')[0]));
    expect(streams).toEqual(new Set(['directory-jinshan', 'session-jinshan', 'proposal-jinshan', 'session-fengxian']));
  });
});
