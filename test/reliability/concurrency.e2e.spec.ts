import { assignedProposal, startedApi } from '../support/api.js';

/** 64 concurrent writers on one proposal: no lost update, every loser told so, revisions without a gap. */
describe('64 concurrent writers on one proposal', () => {
  const { api, people } = startedApi();
  const WRITERS = 64;

  const revisions = async (id: string) =>
    (await api.get(`/proposals/${id}/history`, people.auditor)).body.events.map((e: { revision: number }) => e.revision);

  it('with the same If-Match: one wins, the 63 others get 412, and only the winner’s event is stored', async () => {
    const id = await assignedProposal(api, people, []);
    const etag = (await api.read(`/proposals/${id}`, people.office)).headers.get('etag') as string;
    const replies = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        api.post(`/proposals/${id}/visits`, people.lead, { stage: 'during', visitorRank: 'staff', form: 'phone', note: `写入者${i}` }, { 'if-match': etag }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(WRITERS - 1);
    const winner = replies.find((r) => r.status === 200);
    const trail = (await api.get(`/proposals/${id}/history`, people.auditor)).body.events;
    expect(trail.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(trail[4]).toMatchObject({ revision: winner?.body.revision, type: 'proposal.visited.v1' });
  });

  it('without If-Match: every compatible step lands, none is lost, and the stream stays gapless', async () => {
    const id = await assignedProposal(api, people, []);
    const replies = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        api.post(`/proposals/${id}/visits`, people.lead, { stage: 'during', visitorRank: 'staff', form: 'phone', note: `走访${i}` }),
      ),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const trail = (await api.get(`/proposals/${id}/history`, people.auditor)).body.events;
    expect(trail.map((e: { revision: number }) => e.revision)).toEqual([...Array(4 + WRITERS).keys()]);
    const notes = trail.slice(4).map((e: { data: { note: string } }) => e.data.note).sort();
    expect(notes).toEqual(Array.from({ length: WRITERS }, (_, i) => `走访${i}`).sort());
    expect(new Set(replies.map((r) => r.body.revision)).size).toBe(WRITERS);
  });

  it('of conflicting steps, exactly one lands and every other writer gets 409', async () => {
    const id = await assignedProposal(api, people, []);
    const replies = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        api.post(`/proposals/${id}/answers`, people.lead, { category: (['A', 'B', 'C'] as const)[i % 3], text: `答复${i}`, publish: true }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(WRITERS - 1);
    expect(await revisions(id)).toEqual([0, 1, 2, 3, 4]);
  });
});
