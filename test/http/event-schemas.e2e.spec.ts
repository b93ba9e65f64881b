import { Ajv2020 } from 'ajv/dist/2020.js';
import { assignedProposal, startedApi } from '../support/api.js';

/** GET /events/schemas: the stored events' contract, as a subscriber fetches it and validates what it reads. */
describe('GET /events/schemas', () => {
  const { api, people } = startedApi();

  it('answers one JSON Schema document without a token, which validates the events the service stored', async () => {
    const id = await assignedProposal(api, people, []);
    expect((await api.post(`/proposals/${id}/visits`, people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已纳入扶持政策。', publish: true })).status).toBe(200);

    const reply = await api.get('/events/schemas');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/schema+json; charset=utf-8');
    const document = reply.body as { $id: string; $defs: Record<string, unknown> };
    expect(Object.keys(document.$defs)).toEqual(expect.arrayContaining(['metadata', 'proposal.filed.v2', 'proposal.filed.v1', 'proposal.answered.v1', 'trail.anchored.v1']));

    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addSchema(document);
    const stored = await api.store.readAll();
    expect(stored.map((e) => e.type)).toEqual(expect.arrayContaining(['directory.unit-registered.v1', 'session.opened.v1', 'proposal.filed.v2', 'proposal.answered.v1']));
    const invalid = stored.flatMap((e) => {
      const validate = ajv.getSchema(`${document.$id}#/$defs/${e.type}`);
      if (!validate) return [`${e.type}: no schema`];
      return validate(e) ? [] : [`${e.type}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(invalid).toEqual([]);

    // The whole document accepts an event of any stored type, and no made-up one.
    const any = ajv.getSchema(document.$id);
    expect(stored.every((e) => any?.(e))).toBe(true);
    expect(any?.({ ...stored[0], type: 'proposal.teleported.v1' })).toBe(false);
  });
});
