import { assertNever } from '../errors.js';
import type { SessionEvent } from './events.js';

export interface SessionState {
  readonly id: string;
  readonly name: string;
  readonly year: number;
  readonly answerLimitDays: number;
  /** Business time the session opened: no step of the session or of its proposals happens before it. */
  readonly openedAt: string;
  /**
   * Business time of the session's latest own step (its opening, a supervision visit): a recorded step of the
   * session may not happen before it. Number reservations belong to their proposals' registrations and keep the
   * proposals' order instead.
   */
  readonly lastOccurredAt: string;
  /** Registration number → proposal id. */
  readonly numbers: ReadonlyMap<string, string>;
  /** Proposal id → the latest number reserved for it. */
  readonly numberOf: ReadonlyMap<string, string>;
}

export type SessionEvolveMeta = { readonly occurredAt: string };

export function evolveSession(state: SessionState | null, event: SessionEvent, meta: SessionEvolveMeta): SessionState {
  if (event.type === 'SessionOpened') {
    const { sessionId, name, year, answerLimitDays } = event.data;
    const { occurredAt } = meta;
    return { id: sessionId, name, year, answerLimitDays, openedAt: occurredAt, lastOccurredAt: occurredAt, numbers: new Map(), numberOf: new Map() };
  }
  if (state === null) throw new TypeError(`${event.type} before SessionOpened`);
  switch (event.type) {
    case 'ProposalNumberReserved': {
      const { number, proposalId } = event.data;
      return {
        ...state,
        numbers: new Map(state.numbers).set(number, proposalId),
        numberOf: new Map(state.numberOf).set(proposalId, number),
      };
    }
    case 'SupervisionVisitRecorded':
      return { ...state, lastOccurredAt: meta.occurredAt };
    default:
      return assertNever(event, 'session event');
  }
}

/** The next free number of the session's register: `6-3-001`, `6-3-002`, … */
export function nextProposalNumber(session: SessionState): string {
  const prefix = `${session.id}-`;
  let max = 0;
  for (const number of session.numbers.keys()) {
    if (!number.startsWith(prefix)) continue;
    const suffix = number.slice(prefix.length);
    if (/^\d{1,9}$/.test(suffix)) max = Math.max(max, Number(suffix));
  }
  return `${prefix}${String(max + 1).padStart(3, '0')}`;
}
