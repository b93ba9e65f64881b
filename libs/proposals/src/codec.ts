import type { ProposalEvent } from './proposal/events.js';
import type { SessionEvent } from './session/events.js';

export type DomainEvent = ProposalEvent | SessionEvent;
export type DomainEventType = DomainEvent['type'];

/**
 * The stored name of every event type: explicit, past tense, versioned, and never derived from a class name.
 * Other services subscribe to these names; changing an event's shape means a new version plus an upcaster.
 */
export const STORED_TYPES = {
  ProposalFiled: 'proposal.filed.v1',
  ProposalRegistered: 'proposal.registered.v1',
  ProposalDeclined: 'proposal.declined.v1',
  ProposalAssigned: 'proposal.assigned.v1',
  ReassignmentRequested: 'proposal.reassignment-requested.v1',
  ProposalReassigned: 'proposal.reassigned.v1',
  ProposalClaimed: 'proposal.claimed.v1',
  ProposalVisited: 'proposal.visited.v1',
  CoUnitOpinionSent: 'proposal.co-unit-opinion-sent.v1',
  ProposalAnswered: 'proposal.answered.v1',
  FeedbackGiven: 'proposal.feedback-given.v1',
  ProposalRenegotiated: 'proposal.renegotiated.v1',
  ProposalFollowedUp: 'proposal.followed-up.v1',
  ProposalSupervised: 'proposal.supervised.v1',
  AnswerPublished: 'proposal.answer-published.v1',
  SessionOpened: 'session.opened.v1',
  ProposalNumberReserved: 'session.number-reserved.v1',
  SupervisionVisitRecorded: 'session.supervision-visit-recorded.v1',
} as const satisfies Record<DomainEventType, string>;

export type StoredType = (typeof STORED_TYPES)[DomainEventType];

/** Turns a stored event of an older version into the next version: `{ type, data }` in, `{ type, data }` out. */
export type Upcaster = (data: Record<string, unknown>) => { type: string; data: Record<string, unknown> };

export interface EventCodec {
  encode(event: DomainEvent): { type: StoredType; data: DomainEvent['data']; schemaVersion: number };
  /** The current domain event for a stored one, upcast as needed; undefined for a type this codec does not know. */
  decode(type: string, data: unknown): DomainEvent | undefined;
  readonly storedTypes: readonly string[];
}

export const schemaVersionOf = (storedType: string): number => Number(/\.v(\d+)$/.exec(storedType)?.[1] ?? 1);

export function createEventCodec(upcasters: Readonly<Record<string, Upcaster>> = {}): EventCodec {
  const domainTypeOf = new Map<string, DomainEventType>(
    Object.entries(STORED_TYPES).map(([domain, stored]) => [stored, domain as DomainEventType]),
  );
  return {
    storedTypes: [...domainTypeOf.keys(), ...Object.keys(upcasters)],
    encode(event) {
      const type = STORED_TYPES[event.type];
      return { type, data: event.data, schemaVersion: schemaVersionOf(type) };
    },
    decode(type, data) {
      let current = { type, data: data as Record<string, unknown> };
      for (let hops = 0; !domainTypeOf.has(current.type); hops++) {
        const up = upcasters[current.type];
        if (!up || hops > 16) return undefined;
        current = up(current.data);
      }
      return { type: domainTypeOf.get(current.type), data: current.data } as DomainEvent;
    },
  };
}

/** No stored shape has changed yet; the upcasting path is exercised by `codec.unit.spec.ts`. */
export const eventCodec = createEventCodec();
