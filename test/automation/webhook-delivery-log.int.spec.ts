import { SqliteEventStore } from '@app/event-store';
import { SqliteReadStore } from '@app/read-store';
import { WebhookDispatcher, WebhookStore, type Subscription } from '@app/webhooks';
import { Receiver } from '../support/receiver.js';

/**
 * The delivery log is bounded: a subscription keeps its newest WEBHOOK_DELIVERY_LOG_SIZE successful deliveries,
 * and every failure (retrying, dead) for as long as it exists. Without it the log grew by one entry per event
 * delivered, for ever.
 */
describe('the webhook delivery log', () => {
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  let events: SqliteEventStore;
  let webhooks: WebhookStore;
  let receiver: Receiver;

  beforeEach(async () => {
    events = new SqliteEventStore({ path: ':memory:', pollIntervalMs: 10 });
    webhooks = new WebhookStore(new SqliteReadStore({ path: ':memory:' }));
    await webhooks.ensure();
    receiver = await new Receiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    await webhooks.close();
    await events.close();
  });

  const subscription = (id: string): Subscription => ({
    id,
    tenant: 'jinshan',
    url: receiver.url,
    types: [],
    prefixes: [],
    secret: 'a-secret-of-the-receiver-0123456789',
    description: null,
    ownerId: 'o-1',
    ownerRole: 'office',
    createdAt: '2026-11-29T00:00:00.000Z',
    startAfter: 0,
    paused: false,
    retryRequestedAt: null,
    revision: 1,
    lastChange: null,
    idempotency: null,
  });
  const append = async (count: number) => {
    for (let i = 0; i < count; i++)
      await events.append(`proposal-jinshan:p-${i}`, [{ id: crypto.randomUUID(), type: 'proposal.filed.v2', data: { n: i }, metadata: {} }]);
  };
  const dispatcher = (deliveryLogSize: number) =>
    new WebhookDispatcher({
      store: events,
      webhooks,
      logger: quiet,
      refreshMs: 60_000,
      settings: { maxAttempts: 3, retryBaseMs: 1, retryMaxMs: 1, timeoutMs: 5_000, allowPrivateTargets: true, deliveryLogSize },
    });
  /** Until the dispatcher has saved `count` deliveries, or its worker is dead (it saves within 100 ms of an answer). */
  const saved = async (id: string, count: number) => {
    for (let n = 0; n < 1_000; n++) {
      const state = await webhooks.state(id);
      if (state && (state.delivered >= count || state.status === 'dead')) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** Every delivery the API would list, newest first. */
  const listed = async (id: string) => (await webhooks.deliveries(id, 1, 10_000)).items;

  it('keeps only the newest successful deliveries once the log is over its size, failures included in none of it', async () => {
    await append(450);
    await webhooks.save(subscription('w-1'));
    const running = dispatcher(100);
    await running.start();
    await saved('w-1', 450);
    await running.stop();
    const kept = await listed('w-1');
    // Pruned once per tenth of the size (at least 100 deliveries): between 100 and 199 entries remain.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(200);
    expect(kept[0].position).toBe(450);
    expect(kept.map((d) => d.position)).toEqual(kept.map((_, i) => 450 - i));
    expect((await webhooks.state('w-1'))?.delivered).toBe(450);
  });

  it('prunes an old, oversized log when its worker starts, in batches, and never a failure', async () => {
    await append(1_200);
    await webhooks.save(subscription('w-2'));
    const first = dispatcher(10_000);
    await first.start();
    await saved('w-2', 1_200);
    await first.stop();
    expect(await listed('w-2')).toHaveLength(1_200);

    // One more event the receiver refuses until the attempts run out: a dead delivery.
    receiver.answer = () => 503;
    await append(1);
    const second = dispatcher(100);
    await second.start();
    await saved('w-2', Number.POSITIVE_INFINITY);
    await second.stop();
    const kept = await listed('w-2');
    expect(kept.filter((d) => d.status === 'delivered')).toHaveLength(100);
    expect(kept.filter((d) => d.status === 'dead').map((d) => d.position)).toEqual([1_201]);
    expect(Math.min(...kept.filter((d) => d.status === 'delivered').map((d) => d.position))).toBe(1_101);
  });
});
