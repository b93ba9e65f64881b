import { Controller, Get, Headers, Inject, Query, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { IsString, Matches, MaxLength } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore, type EventFilter } from '@app/event-store';
import { tenantPrefixes } from '@app/proposals';
import type { Principal } from '@app/identity';
import { IfGiven } from '../http/command-body.js';
import { CurrentPrincipal } from '../http/auth.js';
import { badRequest, HttpProblem } from '../http/problem.js';
import { Answers } from '../openapi/decorators.js';
import { requireRole } from './roles.js';

/** The last thing an open feed receives when the service shuts down: a comment, then the end of the stream. */
export const SHUTDOWN_COMMENT = ': the server is shutting down; reconnect with Last-Event-ID\n\n';

/**
 * The feeds one caller (the same token's jurisdiction, role, sub and unit) may hold open at once. Each open feed is
 * woken by every append and catches up on its own: 500 feeds of one auditor's token held the event loop for 15 s
 * (a GET /health waited as long) and made every command nine times slower while they stayed open.
 */
export const MAX_FEEDS_PER_CALLER = 20;

/** Until the response can take more, or it is closed: a client gone while its feed waits sends no 'drain'. */
function writable(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

export class FeedQuery {
  @IfGiven() @IsString() @Matches(/^\d{1,15}$/, { message: 'from must be a position, a whole number' }) from?: string;
  @IfGiven() @IsString() @MaxLength(2000) @Matches(/^[a-z0-9.,-]+$/, { message: 'types must be stored event types separated by commas' }) types?: string;
  @IfGiven() @IsString() @MaxLength(200) prefix?: string;
}

/**
 * Every event of the caller's jurisdiction as Server-Sent Events, from a position (`Last-Event-ID` or `?from=`):
 * catching up on the log, then live, with heartbeats. The SSE id is the event's position, so a client that
 * reconnects with Last-Event-ID resumes without loss or duplicates.
 */
@Controller('feed')
export class FeedController implements BeforeApplicationShutdown {
  /** Open streams: ended at shutdown, or the server would wait for them forever. */
  readonly open = new Set<ServerResponse>();
  /** How many feeds each caller holds open (MAX_FEEDS_PER_CALLER). */
  private readonly perCaller = new Map<string, number>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Answers('EventStream', { contentType: 'text/event-stream' })
  async feed(
    @CurrentPrincipal() p: Principal,
    @Query() q: FeedQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    requireRole(p, ['auditor', 'office', 'service'], 'the event feed');
    if (lastEventId !== undefined && !/^\d{1,15}$/.test(lastEventId)) throw badRequest('Last-Event-ID', 'must be a position sent by this feed');
    const fromPosition = Number(lastEventId ?? q.from ?? 0);
    const filter = this.filterFor(p.tenant, q);
    const caller = JSON.stringify([p.tenant, p.role, p.id, p.unit ?? null]);
    const held = this.perCaller.get(caller) ?? 0;
    if (held >= MAX_FEEDS_PER_CALLER)
      throw new HttpProblem(429, `this caller already holds ${held} open feeds, the most allowed: close one, or resume with Last-Event-ID on one`, [
        { field: 'Authorization', reason: `holds ${held} open feeds, the most allowed` },
      ], { 'retry-after': '5' });

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'x-request-id': reply.request.id, // set on the reply by operations/requests.ts, which a hijacked one bypasses
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    const subscription = this.store.subscribeToAll({ fromPosition, filter });
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), this.config.feedHeartbeatSeconds * 1000);
    const stop = () => {
      clearInterval(heartbeat);
      void subscription.unsubscribe();
    };
    raw.on('close', stop);
    this.open.add(raw);
    this.perCaller.set(caller, held + 1);
    try {
      for await (const e of subscription) {
        const payload = { position: e.position, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata, created: e.created };
        // A client that stops reading and then goes away never drains: its feed used to stay open for good.
        if (!raw.write(`id: ${e.position}\nevent: ${e.type}\ndata: ${JSON.stringify(payload)}\n\n`) && !raw.destroyed) await writable(raw);
        if (raw.destroyed) break;
      }
    } finally {
      stop();
      this.open.delete(raw);
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
      if (!raw.writableEnded) raw.end();
    }
  }

  beforeApplicationShutdown(): void {
    for (const raw of this.open) if (!raw.writableEnded) raw.end(SHUTDOWN_COMMENT);
  }

  /** Always inside the caller's jurisdiction; optionally one category or stream prefix, and some event types. */
  private filterFor(tenant: string, q: FeedQuery): EventFilter {
    const own = tenantPrefixes(tenant);
    let streamPrefixes = own;
    if (q.prefix !== undefined) {
      const prefix = q.prefix === 'proposal' || q.prefix === 'session' ? `${q.prefix}-${tenant}:` : q.prefix;
      if (!own.some((o) => prefix.startsWith(o)))
        throw badRequest('prefix', `must be proposal, session, or a stream name starting with ${own.join(' or ')}`);
      streamPrefixes = [prefix];
    }
    return { streamPrefixes, ...(q.types ? { eventTypes: q.types.split(',').filter(Boolean) } : {}) };
  }
}
