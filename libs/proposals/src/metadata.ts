import type { Actor } from './actor.js';

/** Names at the time: each unit code's short name and each member id's name, as the directory had them. */
export interface EventNames {
  readonly units: Readonly<Record<string, string>>;
  readonly members: Readonly<Record<string, string>>;
}

/** Metadata on every stored event. */
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
  /**
   * The names of the units and members the event and its actor name, as the directory had them when the event was
   * recorded (absent on events recorded before the directory existed).
   */
  readonly names?: EventNames;
  /** See hash-chain.ts. */
  readonly hash: string;
}

export const asMetadata = (raw: unknown): EventMetadata => raw as EventMetadata;
