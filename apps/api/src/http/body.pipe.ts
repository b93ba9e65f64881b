import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { compiledBody } from './compiled-body.js';
import { HttpProblem, MAX_FIELD_PROBLEMS, type FieldProblem } from './problem.js';

function flatten(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      reason: message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * The names every object inherits (constructor, toString, valueOf, hasOwnProperty, __proto__, …) and `prototype`.
 * class-validator's whitelist looks a key up in a plain object of the class's properties, where these are found on
 * Object.prototype: a field named `constructor` passed silently and reached the command.
 */
const INHERITED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** The path of the first key named like an inherited property, at any depth (the body is at most 32 deep). */
function inheritedName(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && INHERITED.has(key)) return field;
    const found = inheritedName(child, field);
    if (found !== undefined) return found;
  }
  return undefined;
}

const unknownField = (name: string): HttpProblem => {
  const field = name.slice(0, 64);
  return new HttpProblem(400, `${JSON.stringify(field)} is not a parameter of this request`, [{ field, reason: 'is not a parameter of this request' }]);
};

/** The fields each DTO class declares (those with a rule: what the whitelist keeps), found once per class. */
const declared = new Map<Function, ReadonlySet<string>>();
function fieldsOf(type: Function): ReadonlySet<string> {
  let fields = declared.get(type);
  if (fields === undefined) {
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(type, undefined as unknown as string, false, false, undefined);
    fields = new Set(metadatas.map((m) => m.propertyName));
    declared.set(type, fields);
  }
  return fields;
}

/**
 * More unknown fields than a refusal lists are refused before class-validator sees them: it builds an error object
 * for each, and a 540 KB body of 50,000 made-up fields held the event loop for 2 to 3 s (every other request waited).
 */
function tooManyUnknown(type: Function, keys: readonly string[]): HttpProblem | undefined {
  if (keys.length <= MAX_FIELD_PROBLEMS) return undefined;
  const fields = fieldsOf(type);
  const unknown = keys.filter((key) => !fields.has(key));
  if (unknown.length <= MAX_FIELD_PROBLEMS) return undefined;
  const listed = unknown.slice(0, MAX_FIELD_PROBLEMS);
  return new HttpProblem(
    400,
    `${unknown.length} fields are not parameters of this request, such as ${listed.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}`,
    listed.map((field) => ({ field, reason: 'is not a parameter of this request' })),
  );
}

/**
 * Validates a JSON body or a query string against its DTO class: unknown fields, wrong types and missing fields
 * are refused with a 400 that names each field and why, before anything else runs.
 */
@Injectable()
export class BodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !metadata.metatype || metadata.metatype === Object) return value;
    const body = value ?? {};
    if (typeof body !== 'object' || Array.isArray(body))
      throw new HttpProblem(400, 'the body must be a JSON object', [{ field: 'body', reason: 'must be a JSON object' }]);
    const keys = Object.keys(body);
    const odd = keys.find((key) => !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key));
    if (odd !== undefined) throw unknownField(odd);
    const inherited = inheritedName(body, '');
    if (inherited !== undefined) throw unknownField(inherited);
    const many = tooManyUnknown(metadata.metatype, keys);
    if (many !== undefined) throw many;
    if (metadata.type === 'query') {
      const repeated = Object.entries(body).find(([, v]) => Array.isArray(v));
      if (repeated) throw new HttpProblem(400, `${repeated[0]} must be given once`, [{ field: repeated[0], reason: 'must be given once' }]);
    }
    // Most bodies are valid and flat: checked by the DTO's rules compiled once (compiled-body.ts). The rest, and
    // every refusal, take the full path below, which names each field and why.
    const fast = compiledBody(metadata.metatype, body as Record<string, unknown>);
    if (fast !== undefined) return fast;
    const instance = plainToInstance(metadata.metatype, body, { enableImplicitConversion: false }) as object;
    const errors = flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }));
    if (errors.length > 0)
      throw new HttpProblem(400, errors.map((e) => `${e.field} ${e.reason}`).join('; '), errors);
    return instance;
  }
}
