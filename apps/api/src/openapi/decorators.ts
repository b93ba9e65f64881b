import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse, type ContentObject } from '@nestjs/swagger';
import { problem } from '../http/problem.js';
import { schemaRef as ref, type SchemaName } from './responses.js';

/**
 * The OpenAPI side of the routes, written once: `@CommandRoute` (http/command-request.ts) documents every command
 * through `CommandDocs`, and a query route says what it answers with one `@Answers(...)`. What follows from the
 * route itself — the bearer scheme or none, 401, 404 for a path id, `?minPosition=` and 503 on GETs — is added
 * when the document is built (document.ts).
 */

/** One example per status, built by problem() as the ProblemFilter builds the real ones. */
export const PROBLEM_EXAMPLES: Readonly<Record<number, { readonly summary: string; readonly value: object }>> = {
  400: {
    summary: 'a field is missing or wrong',
    value: { ...problem(400, 'category must be one of the following values: economy, urban-rural, …', [{ field: 'category', reason: 'must be one of the following values: economy, urban-rural, …' }]), instance: '/proposals' },
  },
  401: {
    summary: 'no token, or a bad or expired one',
    value: { ...problem(401, 'a bearer token is required', [{ field: 'Authorization', reason: 'a bearer token is required' }]), instance: '/proposals' },
  },
  403: { summary: 'the caller’s role or unit may not take this step', value: { ...problem(403, 'registering a proposal is for committee, not member'), instance: '/proposals/p-1/register' } },
  404: { summary: 'no such proposal, session or entry', value: { ...problem(404, 'no such proposal'), instance: '/proposals/p-404/register' } },
  409: { summary: 'the step is not possible in the proposal’s state', value: { ...problem(409, 'cannot register: proposal p-1 is answered'), instance: '/proposals/p-1/register' } },
  412: {
    summary: 'If-Match names a revision the proposal has moved on from',
    value: { ...problem(412, 'expected revision 2 but the stream is at 3'), instance: '/proposals/p-1/answers' },
  },
  422: {
    summary: 'Idempotency-Key reused for a different request',
    value: { ...problem(422, 'was already used for a different request'), instance: '/proposals/p-1/visits' },
  },
  503: {
    summary: 'the read models did not reach ?minPosition= in time (Retry-After: 1)',
    value: { ...problem(503, 'the read models have not reached position 42 within 5000 ms; retry'), instance: '/proposals?minPosition=42' },
  },
};

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad Request: a body, query or header field is missing or invalid; `errors` names each field.',
  401: 'Unauthorized: no bearer token, or one that is invalid, expired or lives longer than TOKEN_MAX_HOURS.',
  403: 'Forbidden: the caller’s role, unit or membership may not do or see this.',
  404: 'Not Found: no such proposal, session or directory entry.',
  409: 'Conflict: the step is not possible in the current state.',
  412: 'Precondition Failed: If-Match does not match the current revision.',
  422: 'Unprocessable Content: the Idempotency-Key was used for a different request.',
  503: 'Service Unavailable: the read models did not reach ?minPosition= in time; retry after Retry-After seconds.',
};

/** The problem+json answer of one status, with its example. */
export function problemResponse(status: number): { description: string; content: ContentObject } {
  const example = PROBLEM_EXAMPLES[status];
  return {
    description: DESCRIPTIONS[status] ?? `problem details (${status})`,
    content: { 'application/problem+json': { schema: ref('Problem'), ...(example ? { examples: { [String(status)]: example } } : {}) } } as ContentObject,
  };
}

const ETAG = { description: 'the revision, quoted: send it back as If-Match', schema: { type: 'string', example: '"3"' } };
const token = { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' };

/** A command route: its headers, `CommandResult` with ETag (201 and Location when it creates), and its refusals. */
export const CommandDocs = (creates: boolean) =>
  applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'the ETag last seen, such as "3": the step is refused with 412 if the proposal (or directory entry) has moved on', schema: { type: 'string', pattern: '^\\s*"?\\d{1,9}"?\\s*$' } }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'makes a retry safe: the same key answers the first response and appends nothing; the same key with another request is a 422. Scoped to the caller and the proposal or session', schema: token }),
    ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'kept in the event’s metadata; by default the request’s id', schema: token }),
    ApiHeader({ name: 'X-Causation-Id', required: false, description: 'kept in the event’s metadata', schema: token }),
    ApiResponse({
      status: creates ? 201 : 200,
      description: creates ? 'Created: the new stream, its revision and the event’s position' : 'The step was recorded (or an Idempotency-Key replay answered)',
      schema: ref('CommandResult'),
      headers: {
        ETag: ETAG,
        ...(creates ? { Location: { description: 'where to read what was created', schema: { type: 'string' } } } : {}),
      },
    }),
    ...[400, 403, 404, 409, 412, 422].map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );

/**
 * A query route: what it answers (200), whether the answer carries the ETag of what it shows, and, for a probe, the
 * problem it answers when unavailable (503).
 */
export const Answers = (schema: SchemaName, options: { etag?: boolean; contentType?: string; unavailable?: SchemaName } = {}) =>
  applyDecorators(
    ApiResponse({
      status: 200,
      description: 'OK',
      ...(options.etag ? { headers: { ETag: ETAG } } : {}),
      content: { [options.contentType ?? 'application/json']: { schema: ref(schema) } } as ContentObject,
    }),
    ...(options.unavailable
      ? [ApiResponse({ status: 503, description: 'Service Unavailable', content: { 'application/problem+json': { schema: ref(options.unavailable) } } as ContentObject })]
      : []),
  );
