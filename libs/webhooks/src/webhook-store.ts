import type { CollectionDef, Doc, DocWrite, ReadStore } from '@app/read-store';

/**
 * Webhook subscriptions and their delivery state, kept in a read-store of their own (`webhooks.sqlite` beside the
 * event store in the embedded default, the `webhook_*` collections of the MongoDB database in production). They are
 * not read models: nothing in the event log rebuilds them, `npm run rebuild` leaves them alone, and they are backed
 * up with the read store. Three collections: the subscriptions (written by the API), each one's delivery state (its
 * cursor in the log, written only by the dispatcher), and one entry per event delivered (its attempts).
 */
export const SUBSCRIPTIONS = 'webhook_subscriptions';
export const STATES = 'webhook_states';
export const DELIVERIES = 'webhook_deliveries';

export const WEBHOOK_COLLECTIONS: readonly CollectionDef[] = [
  { name: SUBSCRIPTIONS, fields: { tenant: 'string', ownerId: 'string', createdAt: 'string' }, indexes: [['tenant', 'createdAt'], ['tenant', 'ownerId', 'createdAt']] },
  { name: STATES, fields: { tenant: 'string' }, indexes: [] },
  {
    name: DELIVERIES,
    fields: { subscription: 'string', position: 'number', status: 'string' },
    indexes: [['subscription', 'position'], ['subscription', 'status', 'position']],
  },
];

export interface Subscription extends Doc {
  readonly tenant: string;
  readonly url: string;
  /** Stored event types delivered (`proposal.answered.v1`); with `prefixes`, either matches; both empty: every event. */
  readonly types: readonly string[];
  /** Prefixes of stored event types (`proposal.`, `reminder.`). */
  readonly prefixes: readonly string[];
  readonly secret: string;
  readonly description: string | null;
  /** Who made it: an office account or a service; a service manages its own. */
  readonly ownerId: string;
  readonly ownerRole: string;
  readonly createdAt: string;
  /** Deliveries begin after this position of the log. */
  readonly startAfter: number;
  readonly paused: boolean;
  /** When an operator last asked for a dead letter to be tried again. */
  readonly retryRequestedAt: string | null;
  /** Bumped by every change: the ETag, for If-Match. */
  readonly revision: number;
  /** The latest pause, resume or retry: who, when, why. */
  readonly lastChange: { readonly action: 'pause' | 'resume' | 'retry'; readonly by: { readonly id: string; readonly role: string }; readonly at: string; readonly reason?: string } | null;
  /** The Idempotency-Key it was made with, and a fingerprint of the request, to answer a retry. */
  readonly idempotency: { readonly key: string; readonly hash: string } | null;
}

export type DeliveryStatus = 'delivered' | 'retrying' | 'dead';

export interface Attempt {
  readonly at: string;
  /** The receiver's HTTP status; null when there was none (refused, timed out, reset). */
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Delivery extends Doc {
  readonly subscription: string;
  readonly tenant: string;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly status: DeliveryStatus;
  readonly attempts: readonly Attempt[];
  /** When the event was appended, and when it was delivered: the delay between them. */
  readonly appendedAt: string;
  readonly deliveredAt: string | null;
}

/** The dispatcher's progress through the log for one subscription. */
export interface DeliveryState extends Doc {
  readonly tenant: string;
  /** Every matching event up to here was delivered (or is the dead letter). */
  readonly position: number;
  readonly status: 'active' | 'dead';
  /** The event that exhausted its attempts, waiting for an operator's retry. */
  readonly deadLetter: { readonly position: number; readonly eventId: string; readonly type: string; readonly at: string } | null;
  /** The retry request last acted on (Subscription.retryRequestedAt). */
  readonly retryHandled: string | null;
  readonly delivered: number;
  readonly updatedAt: string;
}

/** One delivery per subscription and event, ordered by the event's position. */
export const deliveryId = (subscription: string, position: number) => `${subscription}:${String(position).padStart(15, '0')}`;

export class WebhookStore {
  constructor(private readonly store: ReadStore) {}

  ensure(): Promise<void> {
    return this.store.ensure(WEBHOOK_COLLECTIONS);
  }

  async save(subscription: Subscription): Promise<void> {
    await this.store.commit({ writes: [{ collection: SUBSCRIPTIONS, id: subscription.id, doc: subscription }], checkpoints: {} });
  }

  get(id: string): Promise<Subscription | null> {
    return this.store.get<Subscription>(SUBSCRIPTIONS, id);
  }

  /** A jurisdiction's subscriptions, oldest first; those of one owner when `ownerId` is given. */
  async list(tenant: string, ownerId?: string): Promise<Subscription[]> {
    return (await this.store.find<Subscription>(SUBSCRIPTIONS, { filter: { tenant, ...(ownerId ? { ownerId } : {}) }, sort: [['createdAt', 1]] })).items;
  }

  /** Every subscription of every jurisdiction: what the dispatcher serves. */
  async all(): Promise<Subscription[]> {
    return (await this.store.find<Subscription>(SUBSCRIPTIONS, { sort: [['createdAt', 1]] })).items;
  }

  state(id: string): Promise<DeliveryState | null> {
    return this.store.get<DeliveryState>(STATES, id);
  }

  /** The dispatcher's progress and the deliveries it made or tried since it last saved, in one transaction. */
  async progress(state: DeliveryState, deliveries: readonly Delivery[]): Promise<void> {
    const writes: DocWrite[] = [
      ...deliveries.map((d) => ({ collection: DELIVERIES, id: d.id, doc: d })),
      { collection: STATES, id: state.id, doc: state },
    ];
    await this.store.commit({ writes, checkpoints: {} });
  }

  /** One subscription's deliveries, newest first; of one status when given. */
  async deliveries(subscription: string, page: number, pageSize: number, status?: DeliveryStatus): Promise<{ items: Delivery[]; total: number }> {
    return this.store.find<Delivery>(DELIVERIES, {
      filter: { subscription, ...(status ? { status } : {}) },
      sort: [['position', -1]],
      skip: (page - 1) * pageSize,
      limit: pageSize,
    });
  }

  /**
   * Forgets up to `batch` of a subscription's successful deliveries older than its newest `keep` ones, and says how
   * many went. Retrying and dead deliveries stay as long as the subscription: they are what an operator acts on.
   */
  async prune(subscription: string, keep: number, batch = 500): Promise<number> {
    const { items } = await this.store.find<Delivery>(DELIVERIES, {
      filter: { subscription, status: 'delivered' },
      sort: [['position', -1]],
      skip: keep,
      limit: batch,
    });
    if (items.length > 0) await this.store.commit({ writes: items.map((d) => ({ collection: DELIVERIES, id: d.id, doc: null })), checkpoints: {} });
    return items.length;
  }

  /** The subscription, its state and every delivery of it, gone. */
  async remove(id: string): Promise<void> {
    for (;;) {
      const { items } = await this.store.find<Delivery>(DELIVERIES, { filter: { subscription: id }, limit: 500 });
      if (items.length === 0) break;
      await this.store.commit({ writes: items.map((d) => ({ collection: DELIVERIES, id: d.id, doc: null })), checkpoints: {} });
    }
    await this.store.commit({
      writes: [
        { collection: STATES, id, doc: null },
        { collection: SUBSCRIPTIONS, id, doc: null },
      ],
      checkpoints: {},
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
