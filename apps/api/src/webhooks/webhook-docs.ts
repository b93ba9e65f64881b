import { applyDecorators, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiResponse, type ContentObject } from '@nestjs/swagger';
import { problemResponse } from '../openapi/decorators.js';
import { schemaRef, type SchemaName } from '../openapi/responses.js';

const token = { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' };
const ETAG = { description: 'the subscription’s revision, quoted: send it back as If-Match', schema: { type: 'string', example: '"2"' } };

/**
 * A change to webhook subscriptions, documented as the handling's steps are (CommandDocs): If-Match against the
 * subscription's revision, Idempotency-Key on creation, the answer with its ETag, and the refusals.
 */
export const WebhookChange = (path: string, schema: SchemaName, options: { creates?: boolean; method?: 'POST' | 'DELETE' } = {}) =>
  applyDecorators(
    (options.method === 'DELETE' ? Delete : Post)(path),
    HttpCode(options.creates ? 201 : 200),
    ApiHeader({ name: 'If-Match', required: false, description: 'the ETag last seen, such as "2": refused with 412 if the subscription has changed since', schema: { type: 'string', pattern: '^\\s*"?\\d{1,9}"?\\s*$' } }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'on creation: the same key answers the first subscription again (and its secret), another request with it is a 422; a pause, resume or retry is idempotent by itself', schema: token }),
    ApiResponse({
      status: options.creates ? 201 : 200,
      description: options.creates ? 'Created: the subscription, and its secret (answered only here)' : 'OK: the subscription as it now stands',
      content: { 'application/json': { schema: schemaRef(schema) } } as ContentObject,
      headers: { ETag: ETAG, ...(options.creates ? { Location: { description: 'the subscription', schema: { type: 'string' } } } : {}) },
    }),
    ...[400, 403, 404, 409, 412, 422].map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
