import { applyDecorators, createParamDecorator, HttpCode, Delete, Patch, Post, type ExecutionContext } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandRequest, CommandResult } from '@app/command-handling';
import type { Actor } from '@app/proposals';
import type { Principal } from '@app/identity';
import { badRequest } from './problem.js';
import type { ActorRefDto, CommandBody } from './command-body.js';
import { CommandDocs } from '../openapi/decorators.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const single = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  if (Array.isArray(value)) throw badRequest(name, 'must be given once');
  return value;
};

/** `If-Match: "3"` — the revision (the ETag) the caller last saw. */
export function expectedRevisionOf(headers: Headers): number | undefined {
  const raw = single(headers, 'if-match');
  if (raw === undefined) return undefined;
  const m = /^\s*"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m) throw badRequest('If-Match', 'must be an ETag as returned by this API, such as "3"');
  return Number(m[1]);
}

const TOKEN = /^[\x21-\x7e]{1,255}$/;

function optionalToken(headers: Headers, name: string): string | undefined {
  const raw = single(headers, name);
  if (raw === undefined) return undefined;
  if (!TOKEN.test(raw)) throw badRequest(name, 'must be 1 to 255 visible ASCII characters');
  return raw;
}

/** What every command request carries besides its body: the caller and the concurrency and tracing headers. */
export interface CommandEnvelope {
  readonly principal: Principal;
  readonly expectedRevision?: number;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/** The command envelope of the request, read once: the authenticated caller, If-Match, Idempotency-Key, correlation. */
export const Envelope = createParamDecorator((_: unknown, context: ExecutionContext): CommandEnvelope => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
  const { headers, principal } = request;
  if (!principal) throw new TypeError('a command route must not be @Public()');
  const expectedRevision = expectedRevisionOf(headers);
  const idempotencyKey = optionalToken(headers, 'idempotency-key');
  const correlationId = optionalToken(headers, 'x-correlation-id') ?? request.id; // else the request's own id (X-Request-Id)
  const causationId = optionalToken(headers, 'x-causation-id');
  return {
    principal,
    ...(expectedRevision !== undefined ? { expectedRevision } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(causationId ? { causationId } : {}),
  };
});

const actorOf = (ref: ActorRefDto): Actor => ({
  id: ref.sub,
  role: ref.role,
  ...(ref.unit ? { unit: ref.unit } : {}),
  ...(ref.name ? { name: ref.name } : {}),
});

/** The command's own fields: the body without the paper-record fields every command may carry. */
export function commandData<T extends CommandBody>(body: T): Omit<T, keyof CommandBody> {
  // One pass over the keys (a rest pattern, then Object.entries and fromEntries: 1.8 µs a command; this 0.3 µs).
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    const value = (body as unknown as Record<string, unknown>)[key];
    if (value !== undefined && key !== 'occurredAt' && key !== 'onBehalfOf') data[key] = value;
  }
  return data as Omit<T, keyof CommandBody>;
}

/** The request for the command path: the envelope, the command, and a clerk's paper-record fields of the body. */
export function commandRequest<C>(envelope: CommandEnvelope, body: CommandBody, command: C): CommandRequest<C> {
  const { principal, ...headers } = envelope;
  const { id, role, unit, name, tenant } = principal;
  return {
    tenant,
    caller: { id, role, ...(unit ? { unit } : {}), ...(name ? { name } : {}) },
    command,
    ...(body.onBehalfOf ? { onBehalfOf: actorOf(body.onBehalfOf) } : {}),
    ...(body.occurredAt !== undefined ? { occurredAt: body.occurredAt } : {}),
    ...headers,
  };
}

/** What a command route's reply carries besides its body, kept in the route's Fastify config. */
interface CommandReply {
  readonly creates?: (result: CommandResult) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    commandReply?: CommandReply;
  }
}

/**
 * What every command's reply carries, written once: `{ id, revision, position }` with `ETag: "<revision>"`, and for
 * a route that creates a stream its Location. A Fastify hook on the routes `@CommandRoute` marks, rather than a Nest
 * interceptor: it runs only once there is a result to serialize, and wraps no request in an Observable chain.
 */
export function replyToCommands(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    const command = request.routeOptions.config.commandReply;
    if (command && reply.statusCode < 300) {
      const result = payload as CommandResult;
      void reply.header('etag', `"${result.revision}"`);
      if (command.creates) void reply.header('location', command.creates(result));
    }
    done(null, payload);
  });
}

/**
 * A route that sends one command (POST unless `method` says otherwise); `creates` makes it answer 201 with the
 * Location of what it created. Its OpenAPI description (headers, reply, refusals) comes with it.
 */
export const CommandRoute = (path: string, options: { creates?: (result: CommandResult) => string; method?: 'POST' | 'PATCH' | 'DELETE' } = {}) =>
  applyDecorators(
    { POST: Post, PATCH: Patch, DELETE: Delete }[options.method ?? 'POST'](path),
    HttpCode(options.creates ? 201 : 200),
    RouteConfig({ commandReply: { ...(options.creates ? { creates: options.creates } : {}) } }),
    CommandDocs(options.creates !== undefined),
  );
