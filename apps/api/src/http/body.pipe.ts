import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { compiledBody } from './compiled-body.js';
import { HttpProblem, type FieldProblem } from './problem.js';

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
    const odd = Object.keys(body).find((key) => !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key));
    if (odd !== undefined) throw unknownField(odd);
    const inherited = inheritedName(body, '');
    if (inherited !== undefined) throw unknownField(inherited);
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
