import { mintToken } from '@app/identity';
import { loadConfig } from '@app/config';
import { createLogger } from '../../apps/api/src/operations/logger.js';
import { TEST_DIRECTORY } from '../support/api.js';
import { CapturedLog, OPERATIONS_SECRET, OperatedApi } from '../support/operated-api.js';

const token = (sub: string, role: string, unit?: string) => mintToken(OPERATIONS_SECRET, { sub, role: role as 'office', ...(unit ? { unit } : {}) });
const office = token('o-1', 'office');
const committee = token('c-1', 'committee');
const member = token('m-1', 'member');
const unit = token('u-1', 'unit', 'fgw');
const forged = mintToken('another-secret-that-is-at-least-32-chars', { sub: 'o-1', role: 'office' });
const ANSWER = '答复正文：已列入明年预算，专项资金三百万元（不公开）';

/** The service's log as an operator reads it in production: JSON lines, one per request, nothing secret. */
describe('the log', () => {
  const log = new CapturedLog();
  const api = new OperatedApi();
  const requestLines = (requestId: string) => log.entries.filter((e) => e.context === 'HTTP' && e.requestId === requestId);

  beforeAll(() => api.start({ logger: createLogger({ level: 'debug', format: 'json', destination: log }) }));
  afterAll(() => api.stop());

  it('has each request once, as JSON: method, route, path, status, duration and the request id it answers with', async () => {
    const given = await api.send('GET', '/health', undefined, undefined, { 'x-request-id': 'trace-7.abc:1' });
    expect(given.headers.get('x-request-id')).toBe('trace-7.abc:1');
    expect(requestLines('trace-7.abc:1')).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        pid: process.pid,
        context: 'HTTP',
        requestId: 'trace-7.abc:1',
        method: 'GET',
        route: '/health',
        path: '/health',
        status: 200,
        durationMs: expect.any(Number),
        msg: expect.stringMatching(/^GET \/health 200 [\d.]+ ms$/),
      },
    ]);

    // One that could break or forge a log line is replaced by a generated id.
    for (const bad of ['two words', 'x'.repeat(129), 'semi;colon', '<b>', '{"level":"fatal"}']) {
      const replaced = await api.send('GET', '/proposals?q=private-search', office, undefined, { 'x-request-id': bad });
      const id = replaced.headers.get('x-request-id') as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(requestLines(id)).toEqual([expect.objectContaining({ route: '/proposals', path: '/proposals', status: 200 })]);
    }
    expect(log.text).not.toContain('private-search');
  });

  it('answers every route with its request id: a refusal, an unknown path, and the event feed, which writes its own headers', async () => {
    expect((await api.send('GET', '/sessions', forged, undefined, { 'x-request-id': 'refused-1' })).headers.get('x-request-id')).toBe('refused-1');
    expect((await api.send('GET', '/no-such-route', office, undefined, { 'x-request-id': 'nowhere-1' })).headers.get('x-request-id')).toBe('nowhere-1');
    const auditor = token('a-1', 'auditor');
    const aborted = new AbortController();
    const feed = await fetch(`${api.base}/feed`, { headers: { authorization: `Bearer ${auditor}`, 'x-request-id': 'feed-1' }, signal: aborted.signal });
    try {
      expect(feed.status).toBe(200);
      expect(feed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(feed.headers.get('x-request-id')).toBe('feed-1');
    } finally {
      aborted.abort();
    }
  });

  it('makes the request id the correlation id of the events a command records, unless the caller gave one', async () => {
    expect((await api.send('POST', '/directory/import', office, TEST_DIRECTORY, { 'x-request-id': 'import-1' })).status).toBe(200);
    const opened = await api.send('POST', '/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 }, { 'x-request-id': 'open-6-3' });
    expect(opened.status).toBe(201);
    const filed = await api.send('POST', '/proposals', member, { session: '6-3', title: '关于加强老旧小区改造的建议', body: '建议……', category: 'urban-rural' }, {
      'x-request-id': 'file-1',
      'x-correlation-id': 'campaign-2019',
    });
    expect(filed.status).toBe(201);
    const events = await api.store.readAll();
    expect(events.find((e) => e.type === 'session.opened.v1')?.metadata.correlationId).toBe('open-6-3');
    expect(events.find((e) => e.type === 'proposal.filed.v2')?.metadata.correlationId).toBe('campaign-2019');
  });

  it('gives a refused request’s reason code on its line', async () => {
    const id = (await api.send('POST', '/proposals', member, { session: '6-3', title: '关于完善公共交通的建议', body: '建议……', category: 'urban-rural' })).body.id as string;
    expect((await api.send('POST', `/proposals/${id}/register`, committee, {})).status).toBe(200);
    expect((await api.send('POST', `/proposals/${id}/register`, committee, {}, { 'x-request-id': 'again' })).status).toBe(409);
    expect((await api.send('POST', `/proposals/${id}/assign`, member, { leadUnit: 'fgw' }, { 'x-request-id': 'not-yours' })).status).toBe(403);
    expect((await api.send('POST', `/proposals/${id}/assign`, office, { leadUnit: 'fgw', colour: 'red' }, { 'x-request-id': 'bad-body' })).status).toBe(400);
    expect((await api.send('GET', '/sessions', forged, undefined, { 'x-request-id': 'forged' })).status).toBe(401);
    expect(requestLines('again')).toEqual([
      expect.objectContaining({ status: 409, refusal: expect.objectContaining({ reason: 'illegal-transition', error: 'IllegalTransition' }), msg: expect.stringMatching(/ 409 [\d.]+ ms \(illegal-transition\)$/) }),
    ]);
    expect(requestLines('not-yours')).toEqual([expect.objectContaining({ status: 403, refusal: expect.objectContaining({ reason: 'forbidden', error: 'Forbidden' }) })]);
    expect(requestLines('bad-body')).toEqual([expect.objectContaining({ status: 400, refusal: { reason: 'invalid-request', error: 'HttpProblem', field: 'colour' } })]);
    expect(requestLines('forged')).toEqual([expect.objectContaining({ status: 401, refusal: { reason: 'unauthenticated', error: 'HttpProblem', field: 'Authorization' } })]);
  });

  it('never has a token, the secret or an answer’s text', async () => {
    const id = (await api.send('POST', '/proposals', member, { session: '6-3', title: '关于加强社区养老服务的建议', body: '建议……', category: 'livelihood' })).body.id as string;
    expect((await api.send('POST', `/proposals/${id}/register`, committee, {})).status).toBe(200);
    expect((await api.send('POST', `/proposals/${id}/assign`, office, { leadUnit: 'fgw' })).status).toBe(200);
    expect((await api.send('POST', `/proposals/${id}/visits`, unit, { stage: 'before', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);
    // Refused first: a body that is not JSON (whose parser's message quotes it), then a wrong category.
    expect((await api.send('POST', `/proposals/${id}/answers`, unit, `{"category":"A","text":"${ANSWER}`)).status).toBe(400);
    expect((await api.send('POST', `/proposals/${id}/answers`, unit, { category: 'D', text: ANSWER, publish: false, withholdReason: '涉及预算' })).status).toBe(400);
    expect((await api.send('POST', `/proposals/${id}/answers`, unit, { category: 'A', text: ANSWER, publish: false, withholdReason: '涉及预算' })).status).toBe(200);
    expect((await api.store.readStream(`proposal-jinshan:${id}`)).find((e) => e.type === 'proposal.answered.v1')?.data).toMatchObject({ text: ANSWER });

    expect(log.lines.length).toBeGreaterThan(20);
    for (const secret of [office, committee, member, unit, forged, OPERATIONS_SECRET, ANSWER, ANSWER.slice(0, 8)]) expect(log.text).not.toContain(secret);
    expect(log.text).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // no JWT of any kind
  });

  it('is JSON in production and readable lines in development; silent writes nothing', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: OPERATIONS_SECRET }).logFormat).toBe('json');
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT must be one of json, pretty');

    const readable = new CapturedLog();
    createLogger({ level: 'log', format: 'pretty', destination: readable }).info(
      { context: 'HTTP', requestId: 'r-1', method: 'GET', route: '/health', path: '/health', status: 200, durationMs: 1.5, authorization: 'Bearer x' },
      'GET /health 200 1.5 ms',
    );
    expect(readable.lines).toEqual([expect.stringMatching(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \[HTTP\] GET \/health 200 1\.5 ms \{"requestId":"r-1","route":"\/health","authorization":"\[redacted\]"\}$/)]);

    const silent = new CapturedLog();
    const logger = createLogger({ level: 'silent', format: 'json', destination: silent });
    logger.error('an error');
    logger.fatal('a fatal one');
    expect(silent.lines).toEqual([]);
  });
});
