/**
 * Typed refusals. The HTTP layer maps each kind to one status in one place:
 * validation 400, forbidden 403, not-found 404, illegal-transition 409, revision-mismatch 412, unprocessable 422.
 */
export type DomainErrorKind =
  | 'validation'
  | 'forbidden'
  | 'not-found'
  | 'illegal-transition'
  | 'revision-mismatch'
  | 'unprocessable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    message: string,
    /** The input field the refusal is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  readonly kind = 'validation';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFound extends DomainError {
  readonly kind = 'not-found';
}

export class IllegalTransition extends DomainError {
  readonly kind = 'illegal-transition';
}

export class RevisionMismatch extends DomainError {
  readonly kind = 'revision-mismatch';
  constructor(
    readonly expected: number | 'no_stream' | 'stream_exists',
    readonly actual: number | 'no_stream',
    message = `expected revision ${String(expected)} but the stream is at ${String(actual)}`,
  ) {
    super(message, 'If-Match');
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new TypeError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
