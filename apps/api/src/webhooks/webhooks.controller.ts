import { Body, Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Webhooks } from '@app/runtime';
import type { DeliveryPage, SubscriptionView } from '@app/webhooks';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { Envelope, expectedRevisionOf, type CommandEnvelope } from '../http/command-request.js';
import { badRequest } from '../http/problem.js';
import { Answers } from '../openapi/decorators.js';
import { ReadQuery } from '../read/query-dto.js';
import { WebhookChange } from './webhook-docs.js';
import { CreateWebhookDto, DeliveriesQuery, WebhookStepDto } from './webhook.dto.js';

const WebhookId = () => Param('id');
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const checked = (id: string): string => {
  if (!ID.test(id)) throw badRequest('id', 'must be a webhook id as answered by POST /webhooks');
  return id;
};

/**
 * Webhooks for other services (docs/webhooks.md): the office or a service subscribes a URL to the events it wants;
 * the dispatcher POSTs each one, signed, in order, at least once. The office manages every subscription of its
 * jurisdiction, a service those it made.
 */
@Controller('webhooks')
export class WebhooksController {
  constructor(@Inject(Webhooks) private readonly webhooks: Webhooks) {}

  @WebhookChange('', 'WebhookCreated', { creates: true })
  async create(@Body() b: CreateWebhookDto, @Envelope() e: CommandEnvelope, @Res({ passthrough: true }) r: FastifyReply): Promise<SubscriptionView & { secret: string }> {
    const { view, secret, created } = await this.webhooks.subscriptions.create(e.principal, b, e.idempotencyKey);
    void r.status(created ? 201 : 200).header('etag', `"${view.revision}"`).header('location', `/webhooks/${view.id}`);
    return { ...view, secret };
  }

  @Get()
  @Answers('WebhookList')
  list(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery): Promise<SubscriptionView[]> {
    return this.webhooks.subscriptions.list(p);
  }

  @Get(':id')
  @Answers('Webhook', { etag: true })
  async get(@CurrentPrincipal() p: Principal, @WebhookId() id: string, @Query() _: ReadQuery, @Res({ passthrough: true }) r: FastifyReply): Promise<SubscriptionView> {
    return this.tagged(r, await this.webhooks.subscriptions.get(p, checked(id)));
  }

  @WebhookChange(':id/pause', 'Webhook')
  async pause(@WebhookId() id: string, @Body() b: WebhookStepDto, @Envelope() e: CommandEnvelope, @Res({ passthrough: true }) r: FastifyReply): Promise<SubscriptionView> {
    return this.tagged(r, await this.webhooks.subscriptions.pause(e.principal, checked(id), { expectedRevision: e.expectedRevision, reason: b.reason }));
  }

  @WebhookChange(':id/resume', 'Webhook')
  async resume(@WebhookId() id: string, @Body() b: WebhookStepDto, @Envelope() e: CommandEnvelope, @Res({ passthrough: true }) r: FastifyReply): Promise<SubscriptionView> {
    return this.tagged(r, await this.webhooks.subscriptions.resume(e.principal, checked(id), { expectedRevision: e.expectedRevision, reason: b.reason }));
  }

  /** The dead letter is tried again, and delivery goes on in order after it. */
  @WebhookChange(':id/retry', 'Webhook')
  async retry(@WebhookId() id: string, @Body() b: WebhookStepDto, @Envelope() e: CommandEnvelope, @Res({ passthrough: true }) r: FastifyReply): Promise<SubscriptionView> {
    return this.tagged(r, await this.webhooks.subscriptions.retry(e.principal, checked(id), { expectedRevision: e.expectedRevision, reason: b.reason }));
  }

  @WebhookChange(':id', 'WebhookDeleted', { method: 'DELETE' })
  remove(@CurrentPrincipal() p: Principal, @WebhookId() id: string, @Headers() headers: Record<string, string | string[] | undefined>) {
    return this.webhooks.subscriptions.remove(p, checked(id), expectedRevisionOf(headers));
  }

  /** Each event delivered or being tried, newest first, with every attempt's status and latency. */
  @Get(':id/deliveries')
  @Answers('WebhookDeliveryPage')
  deliveries(@CurrentPrincipal() p: Principal, @WebhookId() id: string, @Query() q: DeliveriesQuery): Promise<DeliveryPage> {
    return this.webhooks.subscriptions.deliveries(p, checked(id), q.page ?? 1, q.pageSize ?? 50, q.status);
  }

  private tagged(r: FastifyReply, view: SubscriptionView): SubscriptionView {
    void r.header('etag', `"${view.revision}"`);
    return view;
  }
}
