/** Why a request was refused, as the problem filter decided; logged with the request's line (requests.ts). */
export interface Refusal {
  /** The refusal's code: the domain's kind (`illegal-transition`, `forbidden`, …) or the problem's type. */
  readonly reason: string;
  /** The error's class, e.g. `RevisionMismatch`, `IdempotencyKeyReused`, `HttpProblem`. */
  readonly error: string;
  readonly field?: string;
  /** The domain's own message (never the request's text). */
  readonly detail?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    refusal?: Refusal;
  }
}
