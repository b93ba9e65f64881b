import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EventStore } from '@app/event-store';
import { IdempotencyKeyReused, nameBasedUuid } from '@app/command-handling';
import { eventCodec, Forbidden, IllegalTransition, NotFound, RevisionMismatch, ValidationFailed, type Actor } from '@app/proposals';
import { checkTarget, TargetRefused } from './target.js';
import type { Delivery, DeliveryState, DeliveryStatus, Subscription, WebhookStore } from './webhook-store.js';

/** A pause, resume or retry: the revision the caller saw (If-Match), and why. */
export interface Change {
  readonly expectedRevision?: number;
  readonly reason?: string;
}

/** Who manages a subscription: the office of the jurisdiction, or the service that made it. */
export type Manager = Actor & { readonly tenant: string };

export interface NewSubscription {
  readonly url: string;
  readonly types?: readonly string[];
  readonly prefixes?: readonly string[];
  readonly secret?: string;
  readonly description?: string;
  /** Deliver the events after this position of the log (default: from now on). */
  readonly fromPosition?: number;
}

/** A subscription as its managers read it: never its secret. */
export interface SubscriptionView {
  readonly id: string;
  readonly url: string;
  readonly types: readonly string[];
  readonly prefixes: readonly string[];
  readonly description: string | null;
  readonly owner: { readonly id: string; readonly role: string };
  readonly createdAt: string;
  readonly revision: number;
  /** `active`, `paused`, or `dead-letter`: an event exhausted its attempts and waits for POST …/retry. */
  readonly status: 'active' | 'paused' | 'dead-letter';
  /** Every wanted event up to this position of the log was delivered. */
  readonly position: number;
  readonly delivered: number;
  readonly deadLetter: DeliveryState['deadLetter'];
  readonly retryRequestedAt: string | null;
  readonly lastChange: Subscription['lastChange'];
}

export interface DeliveryPage {
  readonly items: readonly Delivery[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

const PREFIX = /^[a-z][a-z0-9-]*(\.[a-z0-9-]*)*$/;
const SECRET = /^[\x21-\x7e]{16,256}$/;

/**
 * The rules of webhook subscriptions (docs/webhooks.md): who may make and manage them, what a target may be, which
 * events they may ask for; Idempotency-Key on creation and If-Match on every change, as on the handling's steps.
 * Errors are the domain's typed refusals, so they leave as the same problem+json.
 */
export class WebhookSubscriptions {
  private readonly queue = new Map<string, Promise<unknown>>();

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly store: EventStore,
    private readonly options: { readonly allowPrivateTargets: boolean; readonly clock: () => Date; readonly changed?: () => void },
  ) {}

  async create(by: Manager, input: NewSubscription, idempotencyKey?: string): Promise<{ view: SubscriptionView; secret: string; created: boolean }> {
    manages(by);
    const request = { url: input.url, types: input.types ?? [], prefixes: input.prefixes ?? [], secret: input.secret ?? null, description: input.description ?? null, fromPosition: input.fromPosition ?? null };
    const id = idempotencyKey === undefined ? randomUUID() : nameBasedUuid('webhook', by.tenant, by.role, by.id, idempotencyKey);
    const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    return this.serially(id, async () => {
      const earlier = await this.webhooks.get(id);
      if (earlier) {
        if (idempotencyKey === undefined || earlier.idempotency?.hash !== hash) throw new IdempotencyKeyReused('was already used for a different request', 'Idempotency-Key');
        return { view: await this.view(earlier), secret: earlier.secret, created: false };
      }
      const url = await this.target(input.url);
      const types = [...new Set(request.types)];
      const known = new Set(eventCodec.storedTypes);
      const unknown = types.find((t) => !known.has(t));
      if (unknown !== undefined) throw new ValidationFailed(`${unknown} is no stored event type (GET /events/schemas lists them)`, 'types');
      const prefixes = [...new Set(request.prefixes)];
      const aimless = prefixes.find((p) => !PREFIX.test(p) || ![...known].some((t) => t.startsWith(p)));
      if (aimless !== undefined) throw new ValidationFailed(`${aimless} is the prefix of no stored event type, such as proposal. or reminder.`, 'prefixes');
      if (request.secret !== null && !SECRET.test(request.secret)) throw new ValidationFailed('must be 16 to 256 visible ASCII characters', 'secret');
      const head = await this.store.headPosition();
      if (request.fromPosition !== null && request.fromPosition > head) throw new ValidationFailed(`must not be after the head of the log (${head})`, 'fromPosition');
      const subscription: Subscription = {
        id,
        tenant: by.tenant,
        url: url.href,
        types,
        prefixes,
        secret: request.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
        description: request.description,
        ownerId: by.id,
        ownerRole: by.role,
        createdAt: this.options.clock().toISOString(),
        startAfter: request.fromPosition ?? head,
        paused: false,
        retryRequestedAt: null,
        revision: 1,
        lastChange: null,
        idempotency: idempotencyKey === undefined ? null : { key: idempotencyKey, hash },
      };
      await this.webhooks.save(subscription);
      this.options.changed?.();
      return { view: await this.view(subscription), secret: subscription.secret, created: true };
    });
  }

  async list(by: Manager): Promise<SubscriptionView[]> {
    manages(by);
    const mine = await this.webhooks.list(by.tenant, by.role === 'office' ? undefined : by.id);
    return Promise.all(mine.filter((s) => mayManage(by, s)).map((s) => this.view(s)));
  }

  async get(by: Manager, id: string): Promise<SubscriptionView> {
    return this.view(await this.find(by, id));
  }

  pause(by: Manager, id: string, change: Change = {}): Promise<SubscriptionView> {
    return this.change(by, id, 'pause', change, (s) => ({ ...s, paused: true }));
  }

  resume(by: Manager, id: string, change: Change = {}): Promise<SubscriptionView> {
    return this.change(by, id, 'resume', change, (s) => ({ ...s, paused: false }));
  }

  /** An operator's retry of the dead letter: the dispatcher tries that event again, then goes on in order. */
  retry(by: Manager, id: string, change: Change = {}): Promise<SubscriptionView> {
    return this.change(by, id, 'retry', change, async (s, at) => {
      const state = await this.webhooks.state(s.id);
      if (state?.status !== 'dead' || state.retryHandled !== s.retryRequestedAt)
        throw new IllegalTransition(`webhook ${s.id} has no dead letter waiting for a retry`);
      return { ...s, retryRequestedAt: at };
    });
  }

  async remove(by: Manager, id: string, expectedRevision?: number): Promise<{ id: string; deleted: true }> {
    await this.serially(id, async () => {
      const s = await this.find(by, id);
      if (expectedRevision !== undefined && expectedRevision !== s.revision) throw new RevisionMismatch(expectedRevision, s.revision);
      await this.webhooks.remove(id);
    });
    this.options.changed?.();
    return { id, deleted: true };
  }

  async deliveries(by: Manager, id: string, page: number, pageSize: number, status?: DeliveryStatus): Promise<DeliveryPage> {
    await this.find(by, id);
    const { items, total } = await this.webhooks.deliveries(id, page, pageSize, status);
    return { items, total, page, pageSize };
  }

  private async change(
    by: Manager,
    id: string,
    action: 'pause' | 'resume' | 'retry',
    { expectedRevision, reason }: Change,
    next: (s: Subscription, at: string) => Subscription | Promise<Subscription>,
  ): Promise<SubscriptionView> {
    const view = await this.serially(id, async () => {
      const s = await this.find(by, id);
      if (expectedRevision !== undefined && expectedRevision !== s.revision) throw new RevisionMismatch(expectedRevision, s.revision);
      const at = this.options.clock().toISOString();
      const changed = await next(s, at);
      const lastChange = { action, by: { id: by.id, role: by.role }, at, ...(reason ? { reason } : {}) };
      const saved = { ...changed, revision: s.revision + 1, lastChange };
      await this.webhooks.save(saved);
      return this.view(saved);
    });
    this.options.changed?.();
    return view;
  }

  private async find(by: Manager, id: string): Promise<Subscription> {
    manages(by);
    const s = await this.webhooks.get(id);
    if (!s || s.tenant !== by.tenant) throw new NotFound(`no webhook ${id}`);
    if (!mayManage(by, s)) throw new Forbidden(`webhook ${id} belongs to another service`);
    return s;
  }

  private async target(raw: string): Promise<URL> {
    try {
      return await checkTarget(raw, this.options.allowPrivateTargets);
    } catch (error) {
      if (error instanceof TargetRefused) throw new ValidationFailed(error.message, 'url');
      throw error;
    }
  }

  private async view(s: Subscription): Promise<SubscriptionView> {
    const state = await this.webhooks.state(s.id);
    const dead = state?.status === 'dead';
    return {
      id: s.id,
      url: s.url,
      types: s.types,
      prefixes: s.prefixes,
      description: s.description,
      owner: { id: s.ownerId, role: s.ownerRole },
      createdAt: s.createdAt,
      revision: s.revision,
      status: s.paused ? 'paused' : dead ? 'dead-letter' : 'active',
      position: state?.position ?? s.startAfter,
      delivered: state?.delivered ?? 0,
      deadLetter: state?.deadLetter ?? null,
      retryRequestedAt: s.retryRequestedAt,
      lastChange: s.lastChange,
    };
  }

  /** One change at a time per subscription in this process. */
  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queue.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    this.queue.set(id, settled);
    void settled.then(() => {
      if (this.queue.get(id) === settled) this.queue.delete(id);
    });
    return next;
  }
}

function manages(by: Manager): void {
  if (by.role !== 'office' && by.role !== 'service') throw new Forbidden(`webhooks are for office or service, not ${by.role}`);
}

/** The office manages every subscription of its jurisdiction; a service, those it made. */
const mayManage = (by: Manager, s: Subscription): boolean => by.role === 'office' || (s.ownerRole === by.role && s.ownerId === by.id);
