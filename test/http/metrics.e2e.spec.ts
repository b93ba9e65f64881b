import type { Server } from 'node:http';
import { mintToken } from '@app/identity';
import type { Projection } from '@app/projections';
import { PROJECTIONS } from '@app/runtime';
import { ApiMetrics } from '../../apps/api/src/operations/metrics.js';
import { listenForMetrics } from '../../apps/api/src/operations/metrics-server.js';
import { TEST_DIRECTORY } from '../support/api.js';
import { OPERATIONS_SECRET, OperatedApi } from '../support/operated-api.js';

/** One sample's value from the Prometheus text: `name{labels}`, labels in any order; undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const token = (sub: string, role: string, unit?: string) => mintToken(OPERATIONS_SECRET, { sub, role: role as 'office', ...(unit ? { unit } : {}) });
const office = token('o-1', 'office');
const committee = token('c-1', 'committee');
const member = token('m-1', 'member');
const auditor = token('a-1', 'auditor');

describe('GET /metrics, on its own port', () => {
  const metrics = new ApiMetrics();
  const api = new OperatedApi();
  let server: Server;
  let metricsBase: string;

  beforeAll(async () => {
    await api.start({ metrics });
    server = await listenForMetrics(metrics, 0, '127.0.0.1');
    metricsBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await api.stop();
  });

  const scrape = async () => {
    const response = await fetch(`${metricsBase}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return response.text();
  };

  it('moves the counters of requests (by route template), commands (by type and outcome) and appends; shows lag, head, feeds and the process', async () => {
    const before = await scrape();
    expect(sample(before, 'cppcc_commands_total', { type: 'FileProposal' })).toBeUndefined();

    expect((await api.send('POST', '/directory/import', office, TEST_DIRECTORY)).status).toBe(200);
    expect((await api.send('POST', '/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 })).status).toBe(201);
    const ids: string[] = [];
    for (const title of ['关于加强老旧小区改造的建议', '关于完善公共交通的建议']) {
      const filed = await api.send('POST', '/proposals', member, { session: '6-3', title, body: '建议……', category: 'urban-rural' });
      expect(filed.status).toBe(201);
      ids.push(filed.body.id);
    }
    expect((await api.send('POST', `/proposals/${ids[0]}/register`, committee, {})).status).toBe(200);
    expect((await api.send('POST', `/proposals/${ids[0]}/register`, committee, {})).status).toBe(409);
    expect((await api.send('POST', `/proposals/${ids[1]}/register`, member, {})).status).toBe(403);
    expect((await api.send('GET', '/no/such/route')).status).toBe(404);
    const head = await api.store.headPosition();
    expect((await api.send('GET', `/projections?minPosition=${head}`, auditor)).status).toBe(200);
    const feed = await fetch(`${api.base}/feed`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(feed.status).toBe(200);

    const after = await scrape();
    expect(sample(after, 'cppcc_commands_total', { type: 'FileProposal', outcome: 'accepted', status: '200' })).toBe(2);
    expect(sample(after, 'cppcc_commands_total', { type: 'RegisterProposal', outcome: 'accepted', status: '200' })).toBe(1);
    expect(sample(after, 'cppcc_commands_total', { type: 'RegisterProposal', outcome: 'refused', status: '409' })).toBe(1);
    expect(sample(after, 'cppcc_commands_total', { type: 'RegisterProposal', outcome: 'refused', status: '403' })).toBe(1);
    // Route templates, never the URL: no proposal id in any label.
    expect(sample(after, 'cppcc_http_requests_total', { method: 'POST', route: '/proposals/:id/register', status: '409' })).toBe(1);
    expect(sample(after, 'cppcc_http_requests_total', { method: 'POST', route: '/proposals', status: '201' })).toBe(2);
    expect(sample(after, 'cppcc_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(after, 'cppcc_http_request_duration_seconds_count', { method: 'POST', route: '/proposals', status: '201' })).toBe(2);
    expect(after).not.toContain(ids[0]);
    // Appends: the directory, the session, two filings, one registration (with its number's reservation).
    expect(sample(after, 'cppcc_event_append_duration_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(sample(after, 'cppcc_event_store_head_position')).toBe(head);
    const projections = api.app.get<Projection[]>(PROJECTIONS).map((p) => p.name);
    expect(projections.length).toBeGreaterThanOrEqual(3);
    for (const projection of projections) {
      expect({ projection, position: sample(after, 'cppcc_projection_position', { projection }) }).toEqual({ projection, position: head });
      expect(sample(after, 'cppcc_projection_lag_events', { projection })).toBe(0);
      expect(sample(after, 'cppcc_projection_lag_seconds', { projection })).toBe(0);
    }
    expect(sample(after, 'cppcc_feed_clients')).toBe(1);
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    await feed.body?.cancel();
  });

  it('serves nothing else on that port, and nothing of it on the API’s', async () => {
    expect((await fetch(`${metricsBase}/`)).status).toBe(404);
    expect((await fetch(`${metricsBase}/metrics`, { method: 'POST' })).status).toBe(404);
    expect((await api.send('GET', '/metrics')).status).toBe(404);
  });
});
