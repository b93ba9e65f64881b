import { verifySignature } from '@app/webhooks';
import { tenantPrefixes } from '@app/proposals';
import { ensureSession, startedApi } from '../support/api.js';
import { Receiver } from '../support/receiver.js';

/**
 * Webhooks, delivered to receivers the spec runs on 127.0.0.1: signed, in order, retried with backoff, dead-lettered
 * after WEBHOOK_MAX_ATTEMPTS and retried by an operator, a slow receiver holding up nobody else.
 */
describe('webhooks', () => {
  const { api, people } = startedApi({ REMINDER_SCHEDULE: 'off', WEBHOOK_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400' });
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    return r;
  };
  const subscribe = async (r: Receiver, body: Record<string, unknown> = {}, token = people.office) => {
    const reply = await api.post('/webhooks', token, { url: r.url, secret: 'a-secret-of-the-receiver-0123456789', ...body });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; secret: string; revision: number };
  };
  const file = async (title: string) => (await api.post('/proposals', people.member, { session: '6-3', title, body: '……', category: 'environment' })).body as { id: string; position: number };
  /** The events of the jurisdiction after `from`, as the store holds them, of the types wanted. */
  const logged = async (from: number, wanted: (type: string) => boolean = () => true) =>
    (await api.store.readAll({ fromPosition: from, filter: { streamPrefixes: tenantPrefixes('jinshan') } })).filter((e) => wanted(e.type));
  const deliveries = async (id: string) => (await api.get(`/webhooks/${id}/deliveries?pageSize=200`, people.office)).body;
  /** The dispatcher saves what it delivered within 100 ms of the receiver's answer: the deliveries once they say so. */
  const deliveriesOnce = async (id: string, saved: (items: { status: string }[]) => boolean) => {
    for (let n = 0; ; n++) {
      const page = await deliveries(id);
      if (saved(page.items) || n === 100) return page;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    await ensureSession(api, people);
  });
  afterAll(async () => {
    for (const r of receivers) await r.stop();
  });

  it('POSTs every wanted event, in order, signed with the subscription’s secret over the timestamp and the body', async () => {
    const r = await receiver();
    const head = await api.store.headPosition();
    const hook = await subscribe(r, { prefixes: ['proposal.'] });
    const filed = await file('关于治理河道污染的建议');
    expect((await api.post(`/proposals/${filed.id}/register`, people.committee)).status).toBe(200);
    const expected = await logged(head, (t) => t.startsWith('proposal.'));
    expect(expected.map((e) => e.type)).toEqual(['proposal.filed.v2', 'proposal.registered.v1']);
    await r.until(2);
    expect(r.received.map((d) => d.body.id)).toEqual(expected.map((e) => e.id));
    const [first] = r.received;
    expect(first.headers).toMatchObject({ 'x-event-id': expected[0].id, 'x-event-type': 'proposal.filed.v2', 'x-webhook-id': hook.id, 'x-delivery-attempt': '1', 'content-type': 'application/json' });
    expect(first.body).toMatchObject({ position: expected[0].position, stream: expected[0].stream, data: expected[0].data });
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature('a-secret-of-the-receiver-0123456789', first.headers['x-signature'] as string, first.raw, now)).toBe(true);
    expect(verifySignature('another-secret-0123456789', first.headers['x-signature'] as string, first.raw, now)).toBe(false);
    expect(verifySignature('a-secret-of-the-receiver-0123456789', first.headers['x-signature'] as string, first.raw.replace('河道', '湖泊'), now)).toBe(false);
    expect(verifySignature('a-secret-of-the-receiver-0123456789', first.headers['x-signature'] as string, first.raw, now + 600)).toBe(false);
    // The session's and the directory's events were not wanted.
    expect(new Set(r.received.map((d) => d.body.type.split('.')[0]))).toEqual(new Set(['proposal']));
  });

  it('retries a 500 with backoff, then records the 200: every attempt with its status and latency', async () => {
    const r = await receiver();
    let calls = 0;
    r.answer = () => (++calls === 1 ? 500 : 200);
    const hook = await subscribe(r, { types: ['proposal.filed.v2'] });
    const filed = await file('关于加强夜间施工管理的建议');
    await r.until(1);
    expect(calls).toBe(2);
    expect(r.received[0].headers['x-delivery-attempt']).toBe('2');
    expect(r.received[0].headers['x-event-id']).toBe((await logged(filed.position - 1))[0].id);
    const page = await deliveriesOnce(hook.id, (items) => items[0]?.status === 'delivered');
    expect(page.items).toEqual([expect.objectContaining({ status: 'delivered', attempts: [expect.objectContaining({ status: 500 }), expect.objectContaining({ status: 200 })] })]);
    const [failed, ok] = page.items[0].attempts as { at: string; latencyMs: number }[];
    // The retry waited at least half the base delay (100 ms, with jitter).
    expect(Date.parse(ok.at) - Date.parse(failed.at)).toBeGreaterThanOrEqual(50);
    expect(failed.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('gives a receiver that was down for a while everything, in order, when it returns', async () => {
    const r = await receiver();
    const head = await api.store.headPosition();
    await subscribe(r, { prefixes: ['proposal.'] });
    await r.down();
    for (let i = 0; i < 5; i++) await file(`关于完善公交线路的建议（${i + 1}）`);
    const expected = (await logged(head, (t) => t.startsWith('proposal.'))).map((e) => e.id);
    await new Promise((resolve) => setTimeout(resolve, 300)); // down while the first event is retried
    await r.up();
    await r.until(5);
    expect(r.received.map((d) => d.body.id)).toEqual(expected);
  });

  it('dead-letters an event after the last attempt, holds back the later ones, and delivers them in order after an operator’s retry', async () => {
    const r = await receiver();
    r.answer = () => 500;
    const head = await api.store.headPosition();
    const hook = await subscribe(r, { prefixes: ['proposal.'] });
    await file('关于规范共享单车停放的建议');
    await file('关于增设公共厕所的建议');
    const expected = (await logged(head, (t) => t.startsWith('proposal.'))).map((e) => e.id);
    let view = (await api.get(`/webhooks/${hook.id}`, people.office)).body;
    for (let n = 0; view.status !== 'dead-letter' && n < 100; n++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      view = (await api.get(`/webhooks/${hook.id}`, people.office)).body;
    }
    expect(view).toMatchObject({ status: 'dead-letter', deadLetter: { eventId: expected[0] }, delivered: 0 });
    const dead = (await deliveriesOnce(hook.id, (items) => items[0]?.status === 'dead')).items;
    expect(dead).toEqual([expect.objectContaining({ eventId: expected[0], status: 'dead' })]);
    expect(dead[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 500, 500, 500]);

    r.answer = () => 200;
    const retried = await api.post(`/webhooks/${hook.id}/retry`, people.office, { reason: '接收方已修复' }, { 'if-match': `"${view.revision}"` });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ lastChange: { action: 'retry', by: { id: 'o-1', role: 'office' }, reason: '接收方已修复' } });
    await r.until(2);
    expect(r.received.map((d) => d.body.id)).toEqual(expected);
    expect((await api.post(`/webhooks/${hook.id}/retry`, people.office, {})).status).toBe(409);
  });

  it('lets a slow receiver hold up neither another subscription nor the API', async () => {
    const slow = await receiver();
    let release!: () => void;
    const held = new Promise<number>((resolve) => (release = () => resolve(200)));
    slow.answer = () => held;
    const fast = await receiver();
    await subscribe(slow, { prefixes: ['proposal.'] });
    await subscribe(fast, { prefixes: ['proposal.'] });
    const started = performance.now();
    for (let i = 0; i < 3; i++) await file(`关于优化营商环境的建议（${i + 1}）`);
    expect(performance.now() - started).toBeLessThan(2_000);
    await fast.until(3);
    expect(slow.received).toHaveLength(0);
    release();
    await slow.until(3);
  });

  it('is for the office and services: a service manages its own; a paused one waits, then delivers on resume', async () => {
    const r = await receiver();
    expect((await api.post('/webhooks', people.member, { url: r.url })).status).toBe(403);
    const service = api.token({ sub: 's-2', role: 'service' });
    const mine = await subscribe(r, { types: ['proposal.registered.v1'] }, people.service);
    expect((await api.get('/webhooks', service)).body).toEqual([]);
    expect((await api.get('/webhooks', people.service)).body.map((w: { id: string }) => w.id)).toEqual([mine.id]);
    expect((await api.post(`/webhooks/${mine.id}/pause`, service, {})).status).toBe(403);
    expect((await api.get('/webhooks', people.office)).body.map((w: { id: string }) => w.id)).toContain(mine.id);
    expect((await api.get('/webhooks/00000000-0000-4000-8000-000000000000', people.office)).status).toBe(404);

    const paused = await api.post(`/webhooks/${mine.id}/pause`, people.service, {}, { 'if-match': '"1"' });
    expect(paused).toMatchObject({ status: 200, body: { status: 'paused', revision: 2 } });
    expect((await api.post(`/webhooks/${mine.id}/resume`, people.service, {}, { 'if-match': '"1"' })).status).toBe(412);
    const control = await receiver();
    await subscribe(control, { types: ['proposal.registered.v1'] });
    const filed = await file('关于建设口袋公园的建议');
    expect((await api.post(`/proposals/${filed.id}/register`, people.committee)).status).toBe(200);
    await control.until(1); // delivered to a subscription that is not paused, and not to the paused one
    expect(r.received).toHaveLength(0);
    expect((await api.post(`/webhooks/${mine.id}/resume`, people.service, {}, { 'if-match': '"2"' })).status).toBe(200);
    await r.until(1);
    expect(r.received[0].body.type).toBe('proposal.registered.v1');
    expect((await api.request('DELETE', `/webhooks/${mine.id}`, { token: people.service })).body).toEqual({ id: mine.id, deleted: true });
    expect((await api.get(`/webhooks/${mine.id}`, people.service)).status).toBe(404);
  });

  it('refuses a target that is not http or https, an unknown event type, and answers a repeated creation once', async () => {
    const bad = async (body: Record<string, unknown>) => (await api.post('/webhooks', people.office, body)).body.errors?.[0]?.field;
    expect(await bad({ url: 'ftp://example.org/hook' })).toBe('url');
    expect(await bad({ url: 'http://example.org/hook', types: ['proposal.answered'] })).toBe('types');
    expect(await bad({ url: 'http://example.org/hook', prefixes: ['propsal.'] })).toBe('prefixes');
    expect(await bad({ url: 'http://example.org/hook', secret: 'short' })).toBe('secret');
    const once = await api.post('/webhooks', people.office, { url: 'http://127.0.0.1:9/hook' }, { 'idempotency-key': 'hook-1' });
    const again = await api.post('/webhooks', people.office, { url: 'http://127.0.0.1:9/hook' }, { 'idempotency-key': 'hook-1' });
    expect(once.status).toBe(201);
    expect(again).toMatchObject({ status: 200, body: { id: once.body.id, secret: once.body.secret } });
    expect(once.body.secret).toMatch(/^whsec_/);
    expect((await api.post('/webhooks', people.office, { url: 'http://127.0.0.1:8/hook' }, { 'idempotency-key': 'hook-1' })).status).toBe(422);
    expect((await api.get(`/webhooks/${once.body.id}`, people.office)).body.secret).toBeUndefined();
  });
});

describe('webhook targets where private addresses are not allowed (the production default)', () => {
  const { api, people } = startedApi({ REMINDER_SCHEDULE: 'off', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });

  it.each(['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest/meta-data', 'http://192.168.1.10/hook'])('refuses %s', async (url) => {
    const reply = await api.post('/webhooks', people.office, { url });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ field: 'url', reason: expect.stringMatching(/private|loopback|this machine/) });
  });
});
