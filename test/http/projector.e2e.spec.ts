import type { AddressInfo } from 'node:net';
import { startProjector, statusServer, type Projector } from '../../apps/projector/src/projector.js';
import { assignedProposal, cast, TestApi, type Cast } from '../support/api.js';

/** The API without in-process projections, and apps/projector keeping the read models instead. */
describe('projections in their own process', () => {
  const api = new TestApi();
  let people: Cast;
  let projector: Projector | undefined;

  beforeAll(async () => {
    await api.start({ IN_PROCESS_PROJECTIONS: 'false', READ_YOUR_WRITES_TIMEOUT_MS: '1500', REMINDER_SCHEDULE: 'off' });
    people = cast(api);
  });
  afterAll(async () => {
    await projector?.close();
    await api.stop();
  });

  it('serves reads the projector made, waits for its checkpoint, and resumes after a restart', async () => {
    projector = await startProjector(api.config, 'silent');
    const id = await assignedProposal(api, people);
    const read = await api.read(`/proposals/${id}`, people.office);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'assigned', leadUnit: 'fgw' });

    await projector.close();
    projector = undefined;
    const step = await api.post(`/proposals/${id}/supervision`, people.office, { key: true });
    expect((await api.get(`/proposals/${id}?minPosition=${step.body.position}`, people.office)).status).toBe(503);

    projector = await startProjector(api.config, 'silent');
    const after = await api.get(`/proposals/${id}?minPosition=${step.body.position}`, people.office);
    expect(after.status).toBe(200);
    expect(after.body.key).toBe(true);
    const status = await api.read('/projections', people.auditor);
    for (const p of status.body.projections) expect(p).toMatchObject({ position: step.body.position, eventsBehind: 0 });
  });

  it('answers its status and lag over HTTP for health checks', async () => {
    projector ??= await startProjector(api.config, 'silent');
    const server = statusServer(projector, 0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ status: 'ok', projections: [{ name: 'proposals@3' }, { name: 'sessions@1' }, { name: 'audit@2' }, { name: 'todo@1' }, { name: 'reminders@1' }] });
    } finally {
      server.close();
    }
  });
});
