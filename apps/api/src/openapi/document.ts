import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Public } from '../http/auth.js';
import { problemResponse } from './decorators.js';
import { PAGES } from './pages.js';
import { RESPONSE_SCHEMAS, type Schema } from './responses.js';
import { describeValidatedClasses, VALIDATED_CLASS_NAMES } from './validation-schemas.js';

type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; description?: string }[];
  responses: Record<string, unknown>;
  security?: unknown[];
  summary?: string;
  description?: string;
  tags?: string[];
};

const DESCRIPTION = [
  'The HTTP API of the CPPCC proposal handling service (政协提案办理): commands append events to a proposal’s, a session’s or the directory’s stream; queries read the read models (or the event store, for a history).',
  'Every route needs a bearer token (HS256, `npm run -s token`) unless it says otherwise. Every error is `application/problem+json`.',
  'Commands answer `{ id, revision, position }` with `ETag: "<revision>"`; `If-Match` makes a step conditional (412) and `Idempotency-Key` makes a retry safe (422 when reused for another request).',
  'Queries accept `?minPosition=<position a command answered>` and wait, at most READ_YOUR_WRITES_TIMEOUT_MS (else 503), until every read model has it; a position past the end of the log is a 400 at once.',
  'Responses list every field they have today; clients should ignore fields they do not know.',
].join('\n\n');

const MIN_POSITION = {
  name: 'minPosition',
  in: 'query',
  required: false,
  description: 'wait until every read model has projected this position (the `position` a command answered); past the end of the log: 400',
  schema: { type: 'integer', minimum: 0 },
};

/** The key `@Public()` (http/auth.ts) marks its routes with: the one rule of which routes need no token. */
const PUBLIC_KEY = Public().KEY;

/** `Controller_method` → whether it needs no token, for every controller of the application. */
function publicOperations(app: INestApplication): Set<string> {
  const reflector = new Reflector();
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      for (const method of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[method];
        if (typeof handler === 'function' && reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, type])) ids.add(`${type.name}_${method}`);
      }
    }
  return ids;
}

/**
 * What follows from a route itself, added to every operation here rather than decorated on each: the bearer scheme
 * (none on `@Public()` routes) and 401; on a GET, `?minPosition=` (accepted by every GET whose query is not
 * validated by a DTO that leaves it out: ReadYourWritesGuard), 400 for a bad query, 404 for a path id no
 * resource has, 503 when the wait runs out.
 */
function complete(path: string, method: string, operation: Operation, publicIds: Set<string>): void {
  const isPublic = publicIds.has(operation.operationId ?? '');
  const responses = operation.responses;
  const add = (status: number) => (responses[String(status)] ??= problemResponse(status));
  if (isPublic) operation.security = [];
  else add(401);
  if (method !== 'get') return;
  const parameters = (operation.parameters ??= []);
  if (!parameters.some((p) => p.in === 'query')) parameters.push(MIN_POSITION);
  const minPosition = parameters.findIndex((p) => p.name === 'minPosition');
  if (minPosition >= 0) {
    parameters[minPosition] = { ...MIN_POSITION, ...parameters[minPosition], description: MIN_POSITION.description };
    add(503);
  }
  if (parameters.some((p) => p.in === 'query' || p.in === 'header')) add(400);
  if (path.includes('{')) add(404);
  if (!isPublic) add(403);
}

/** The OpenAPI 3.1 document of the application, from its controllers, DTOs and the decorators of openapi/. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  describeValidatedClasses();
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('CPPCC proposal handling · 政协提案办理')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an HS256 token with `sub`, `role`, `exp` (and `unit`, `name`, `tenant`)' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const publicIds = publicOperations(app);
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) complete(path, method, operation, publicIds);
  document.paths = { ...document.paths, ...(PAGES as unknown as OpenAPIObject['paths']) };
  // A body with a field its DTO does not list is refused (BodyPipe: forbidNonWhitelisted).
  for (const name of VALIDATED_CLASS_NAMES()) {
    const schema = document.components?.schemas?.[name] as { additionalProperties?: boolean } | undefined;
    if (schema) schema.additionalProperties = false;
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(RESPONSE_SCHEMAS as Record<string, Schema>) },
  } as OpenAPIObject['components'];
  return document;
}
