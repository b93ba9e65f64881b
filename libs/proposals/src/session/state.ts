import { assertNever } from '../errors.js';
import type { SessionEvent } from './events.js';

export interface SessionState {
  readonly id: string;
  readonly name: string;
  readonly year: number;
  readonly answerLimitDays: number;
  /** Registration number → proposal id. */
  readonly numbers: ReadonlyMap<string, string>;
  /** Proposal id → the latest number reserved for it. */
  readonly numberOf: ReadonlyMap<string, string>;
}

export function evolveSession(state: SessionState | null, event: SessionEvent): SessionState {
  if (event.type === 'SessionOpened') {
    const { sessionId, name, year, answerLimitDays } = event.data;
    return { id: sessionId, name, year, answerLimitDays, numbers: new Map(), numberOf: new Map() };
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
      return state;
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
