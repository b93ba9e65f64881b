import type { Actor } from './actor.js';

/** Metadata on every stored event (schema 1). */
export interface EventMetadata {
  readonly tenant: string;
  /** The one the rules applied to: who did the step. */
  readonly actor: Actor;
  /** The clerk who recorded a paper step on the actor's behalf. */
  readonly recorder?: Actor;
  /** Business time: when the step happened. */
  readonly occurredAt: string;
  /** When it was recorded. */
  readonly recordedAt: string;
  readonly commandId: string;
  readonly commandType: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly idempotencyKey?: string;
  /** Fingerprint of the request, to tell a retry from a different request that reuses an Idempotency-Key. */
  readonly commandHash?: string;
  /** See hash-chain.ts. */
  readonly hash: string;
}

export const asMetadata = (raw: unknown): EventMetadata => raw as EventMetadata;
