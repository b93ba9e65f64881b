import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

/** No command body nests deeper than 3 levels (body → proposers → a proposer); 32 leaves room and refuses abuse. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether the JSON text nests arrays and objects more than `max` deep, found in one pass over the bytes without
 * parsing: brackets inside strings do not count. (UTF-8 continuation bytes are ≥ 0x80, so they never look like a
 * bracket, a quote or a backslash.) A body of 150,000 levels used to be parsed and then overflow the validator's
 * stack: a 500 after 0.35 s of CPU; now it is refused as soon as the scan reaches level 33.
 */
export function nestsDeeperThan(text: Uint8Array, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 0x22) {
      // A string: jump to its closing quote (native indexOf: a 1 MB text field costs well under a millisecond).
      // A quote after an odd number of backslashes is escaped and does not close it.
      let end = text.indexOf(0x22, i + 1);
      while (end !== -1 && escaped(text, end)) end = text.indexOf(0x22, end + 1);
      if (end === -1) return false; // unterminated: the parser says what is wrong
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether the byte at `at` follows an odd number of backslashes. */
function escaped(text: Uint8Array, at: number): boolean {
  let backslashes = 0;
  while (at - backslashes - 1 >= 0 && text[at - backslashes - 1] === 0x5c) backslashes++;
  return backslashes % 2 === 1;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Where secure-json-parse found a `__proto__` key or a `constructor` object with a `prototype`. JSON.parse keeps
 * such keys as plain own properties, so looking is safe; the depth is bounded by the check above.
 */
function poisonedKey(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && (key === '__proto__' || (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype'))))
      return field;
    const found = poisonedKey(child, field);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The poisoned key of a body the parser refused, if that was why: it says only "not valid JSON". */
function poisonedKeyOf(body: Buffer): string | undefined {
  try {
    return poisonedKey(JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')), '');
  } catch {
    return undefined; // not JSON indeed
  }
}

const unknownField = (field: string): HttpProblem =>
  new HttpProblem(400, `${JSON.stringify(field)} is not a parameter of this request`, [{ field, reason: 'is not a parameter of this request' }]);

/**
 * The JSON body parser: Fastify's own (which refuses `__proto__` and `constructor.prototype` keys), after the
 * depth check, so that a too-deep body is a 400 naming `body` before it is parsed or validated.
 */
export function jsonBodyParser(fastify: FastifyInstance): (request: FastifyRequest, body: Buffer, done: Done) => void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      const reason = `is nested more than ${MAX_JSON_DEPTH} levels deep`;
      done(new HttpProblem(400, `the body ${reason}`, [{ field: 'body', reason }]));
      return;
    }
    // Typed for a string, but it reads a Buffer too (Nest's default parser hands it one).
    parse(request, body as unknown as string, (error, value) => {
      // Its refusal of a `__proto__` or `constructor.prototype` key names no field: name the key, like any unknown one.
      const poisoned = error ? poisonedKeyOf(body) : undefined;
      done(poisoned === undefined ? error : unknownField(poisoned), value);
    });
  };
}
