import type { FastifyReply } from 'fastify';
import type { CommandRequest, CommandResult } from '@app/command-handling';
import type { Actor } from '@app/proposals';
import type { Principal } from '@app/identity';
import { badRequest } from './problem.js';
import type { ActorRefDto, CommandBody } from './command-body.js';

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

const actorOf = (ref: ActorRefDto): Actor => ({
  id: ref.sub,
  role: ref.role,
  ...(ref.unit ? { unit: ref.unit } : {}),
  ...(ref.name ? { name: ref.name } : {}),
});

/** The command envelope: caller, paper-record fields of the body, and the concurrency and tracing headers. */
export function commandRequest<C>(principal: Principal, headers: Headers, body: CommandBody, command: C): CommandRequest<C> {
  const idempotencyKey = optionalToken(headers, 'idempotency-key');
  const correlationId = optionalToken(headers, 'x-correlation-id');
  const causationId = optionalToken(headers, 'x-causation-id');
  const expectedRevision = expectedRevisionOf(headers);
  const { id, role, unit, name, tenant } = principal;
  return {
    tenant,
    caller: { id, role, ...(unit ? { unit } : {}), ...(name ? { name } : {}) },
    command,
    ...(body.onBehalfOf ? { onBehalfOf: actorOf(body.onBehalfOf) } : {}),
    ...(body.occurredAt !== undefined ? { occurredAt: body.occurredAt } : {}),
    ...(expectedRevision !== undefined ? { expectedRevision } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(causationId ? { causationId } : {}),
  };
}

/** Success: `{ id, revision, position }` with the new revision as ETag. */
export function accepted(reply: FastifyReply, result: CommandResult, status = 200, location?: string): CommandResult {
  void reply.status(status).header('etag', `"${result.revision}"`);
  if (location) void reply.header('location', location);
  return result;
}
