import Database from 'better-sqlite3';
import { eventStoreFile } from '@app/config';
import { assignedProposal, startedApi, type Cast, type TestApi } from '../support/api.js';

/** The lead unit visits the member, the co-unit sends its opinion, the lead unit answers (A, to be published). */
async function answer(api: TestApi, people: Cast, id: string): Promise<void> {
  expect((await api.post(`/proposals/${id}/visits`, people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);
  expect((await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意。' })).status).toBe(200);
  expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已纳入扶持政策。', publish: true })).status).toBe(200);
}

/** The two routes the dashboard added to the API: one stream's chain verification, and progress by week. */
describe('GET /proposals/:id/verification', () => {
  const { api, people } = startedApi();
  let id: string;

  beforeAll(async () => {
    id = await assignedProposal(api, people);
    await answer(api, people, id);
  });

  it('answers whether the proposal’s hash chain holds, for those who audit the trail', async () => {
    const history = await api.read(`/proposals/${id}/history`, people.auditor);
    for (const who of [people.auditor, people.office, people.committee]) {
      const reply = await api.read(`/proposals/${id}/verification`, who);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id, stream: `proposal-jinshan:${id}`, intact: true, events: history.body.events.length, problems: [] });
      expect(reply.body.revision).toBe(reply.body.readModelRevision);
      expect(reply.body.head).toBe(history.body.events.at(-1).hash);
    }
  });

  it('is refused to the other roles and not found for an unknown proposal', async () => {
    for (const who of [people.member, people.lead, people.leader, people.clerk]) expect((await api.read(`/proposals/${id}/verification`, who)).status).toBe(403);
    expect((await api.get(`/proposals/${id}/verification`)).status).toBe(401);
    const unknown = await api.read('/proposals/no-such-proposal/verification', people.auditor);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('names the event edited in the data file', async () => {
    const db = new Database(eventStoreFile(api.config));
    try {
      const changed = db
        .prepare(`UPDATE events SET data = json_set(data, '$.category', 'C') WHERE stream = ? AND type = 'proposal.answered.v1'`)
        .run(`proposal-jinshan:${id}`).changes;
      expect(changed).toBe(1);
      const answered = db.prepare(`SELECT revision FROM events WHERE stream = ? AND type = 'proposal.answered.v1'`).get(`proposal-jinshan:${id}`) as { revision: number };
      const reply = await api.read(`/proposals/${id}/verification`, people.auditor);
      expect(reply.body.intact).toBe(false);
      expect(reply.body.problems).toEqual([expect.objectContaining({ revision: answered.revision, problem: expect.stringMatching(/altered/) })]);
    } finally {
      db.close();
    }
  });
});

describe('GET /sessions/:id/progress', () => {
  const { api, people } = startedApi();

  it('counts filed, assigned, answered and published by week, with the report’s totals', async () => {
    const id = await assignedProposal(api, people);
    await assignedProposal(api, people); // a second proposal, assigned and not answered
    await answer(api, people, id);
    expect((await api.post(`/proposals/${id}/publication`, people.office)).status).toBe(200);

    const reply = await api.read('/sessions/6-3/progress', people.member);
    expect(reply.status).toBe(200);
    // The test clock stands at Friday 1 March 2019, 10:00 in Beijing: everything happened in the week of 25 February.
    expect(reply.body).toMatchObject({ session: '6-3', year: 2019, asOf: null });
    expect(reply.body.weeks).toEqual([
      { weekOf: '2019-02-25', added: { filed: 2, assigned: 2, answered: 1, published: 1 }, total: { filed: 2, assigned: 2, answered: 1, published: 1 } },
    ]);
    const figures = await api.read('/sessions/6-3/statistics', people.member);
    expect(reply.body.weeks[0].total.filed).toBe(figures.body.filed);
    expect(reply.body.weeks[0].total.published).toBe(figures.body.published.count);

    const before = await api.read('/sessions/6-3/progress?asOf=2019-02-28', people.office);
    expect(before.body.weeks).toEqual([]);
  });

  it('refuses what the figures refuse', async () => {
    expect((await api.get('/sessions/6-3/progress')).status).toBe(401);
    expect((await api.read('/sessions/9-9/progress', people.office)).status).toBe(404);
    const bad = await api.read('/sessions/6-3/progress?asOf=2019-02-30', people.office);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('asOf');
  });
});
