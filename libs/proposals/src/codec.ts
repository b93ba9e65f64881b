import type { ProposalEvent, ProposalEventType } from './proposal/events.js';
import type { SessionEvent, SessionEventType } from './session/events.js';
import type { DirectoryEvent, DirectoryEventType } from './directory/events.js';
import type { ReminderEvent, ReminderEventType } from './reminder/events.js';

export type DomainEvent = ProposalEvent | SessionEvent | DirectoryEvent | ReminderEvent;
export type DomainEventType = DomainEvent['type'];

/**
 * The stored name of every event type: explicit, past tense, versioned, and never derived from a class name.
 * Other services subscribe to these names; changing an event's shape means a new version plus an upcaster.
 */
export const STORED_TYPES = {
  ProposalFiled: 'proposal.filed.v2',
  CoProposerConfirmed: 'proposal.co-proposer-confirmed.v1',
  ProposalWithdrawn: 'proposal.withdrawn.v1',
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
  ProposalEscalated: 'proposal.escalated.v1',
  SessionOpened: 'session.opened.v1',
  ProposalNumberReserved: 'session.number-reserved.v1',
  SupervisionVisitRecorded: 'session.supervision-visit-recorded.v1',
  UnitRegistered: 'directory.unit-registered.v1',
  UnitChanged: 'directory.unit-changed.v1',
  UnitDeactivated: 'directory.unit-deactivated.v1',
  MemberRegistered: 'directory.member-registered.v1',
  MemberChanged: 'directory.member-changed.v1',
  MemberDeactivated: 'directory.member-deactivated.v1',
  StaffAccountAdded: 'directory.staff-account-added.v1',
  StaffAccountRemoved: 'directory.staff-account-removed.v1',
  ReminderIssued: 'reminder.issued.v1',
} as const satisfies { [T in ProposalEventType]: `proposal.${string}` } & { [T in SessionEventType]: `session.${string}` } & {
  [T in DirectoryEventType]: `directory.${string}`;
} & { [T in ReminderEventType]: `reminder.${string}` };

export type StoredType = (typeof STORED_TYPES)[DomainEventType];

const typesOfStream = (prefix: string): DomainEventType[] =>
  (Object.keys(STORED_TYPES) as DomainEventType[]).filter((t) => STORED_TYPES[t].startsWith(prefix));
/** The event types of each kind of stream, read off the stored names: `proposal.…` and `session.…`. */
export const PROPOSAL_EVENT_TYPES = typesOfStream('proposal.') as ProposalEventType[];
export const SESSION_EVENT_TYPES = typesOfStream('session.') as SessionEventType[];
export const DIRECTORY_EVENT_TYPES = typesOfStream('directory.') as DirectoryEventType[];
export const REMINDER_EVENT_TYPES = typesOfStream('reminder.') as ReminderEventType[];

const typesOf = (types: readonly string[]): ReadonlySet<string> => new Set(types);
const proposalEventTypes = typesOf(PROPOSAL_EVENT_TYPES);
const sessionEventTypes = typesOf(SESSION_EVENT_TYPES);
const directoryEventTypes = typesOf(DIRECTORY_EVENT_TYPES);
export const isProposalEvent = (e: DomainEvent): e is ProposalEvent => proposalEventTypes.has(e.type);
export const isSessionEvent = (e: DomainEvent): e is SessionEvent => sessionEventTypes.has(e.type);
export const isDirectoryEvent = (e: DomainEvent): e is DirectoryEvent => directoryEventTypes.has(e.type);
export const isReminderEvent = (e: DomainEvent): e is ReminderEvent => e.type === 'ReminderIssued';

/** Turns a stored event of an older version into the next version, stored as `to`. */
export interface Upcaster {
  readonly to: string;
  up(data: Record<string, unknown>): Record<string, unknown>;
}

export interface EventCodec {
  /** The stored name carries the schema version (`….v2`): read it with schemaVersionOf. */
  encode(event: DomainEvent): { type: StoredType; data: DomainEvent['data'] };
  /** The current domain event for a stored one, upcast as needed; undefined for a type this codec does not know. */
  decode(type: string, data: unknown): DomainEvent | undefined;
  readonly storedTypes: readonly string[];
  /** Every stored name an event of this type may have in a store: its current name and the older ones it is read from. */
  storedTypesOf(type: DomainEventType): readonly string[];
}

export const schemaVersionOf = (storedType: string): number => Number(/\.v(\d+)$/.exec(storedType)?.[1] ?? 1);

export function createEventCodec(upcasters: Readonly<Record<string, Upcaster>> = {}): EventCodec {
  const domainTypeOf = new Map<string, DomainEventType>(
    Object.entries(STORED_TYPES).map(([domain, stored]) => [stored, domain as DomainEventType]),
  );
  /** The domain type an older stored name is read as, following its upcasters; undefined if the chain ends nowhere. */
  const currentOf = (stored: string): DomainEventType | undefined => {
    let type = stored;
    for (let hops = 0; !domainTypeOf.has(type); hops++) {
      const up = upcasters[type];
      if (!up || hops > 16) return undefined;
      type = up.to;
    }
    return domainTypeOf.get(type);
  };
  return {
    storedTypes: [...domainTypeOf.keys(), ...Object.keys(upcasters)],
    storedTypesOf: (type) => [STORED_TYPES[type], ...Object.keys(upcasters).filter((old) => currentOf(old) === type)],
    encode(event) {
      const type = STORED_TYPES[event.type];
      return { type, data: event.data };
    },
    decode(type, data) {
      const domainType = currentOf(type);
      if (domainType === undefined) return undefined;
      let current = { type, data: data as Record<string, unknown> };
      while (!domainTypeOf.has(current.type)) {
        const up = upcasters[current.type];
        current = { type: up.to, data: up.up(current.data) };
      }
      return { type: domainType, data: current.data } as DomainEvent;
    },
  };
}

/**
 * Every stored shape that changed, old name → next version.
 * `proposal.filed.v1` listed every proposer as joined, names as the filer typed them; since v2 only the filer joins
 * at filing and co-proposers join by confirming. A v1 filing was accepted under the old rule, so its proposers stay
 * joined: the history keeps what was decided then.
 */
export const UPCASTERS: Readonly<Record<string, Upcaster>> = {
  'proposal.filed.v1': { to: 'proposal.filed.v2', up: (data) => ({ ...data, invitedCoProposers: [] }) },
};

export const eventCodec = createEventCodec(UPCASTERS);
