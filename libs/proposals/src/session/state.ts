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
  /** The session's register: which proposal holds a number, which number a proposal holds, the next free one. */
  readonly register: NumberRegister;
}

/** One key's values over the register's history, newest first: `at` is the reservation's place in the register. */
interface Held {
  readonly value: string;
  readonly at: number;
  readonly earlier?: Held;
}

/** The reservations behind one or more registers: appended to, never changed. */
interface Reservations {
  readonly list: { readonly number: string; readonly proposalId: string }[];
  readonly byNumber: Map<string, Held>;
  readonly byProposal: Map<string, Held>;
}

const latest = (held: Held | undefined, size: number): string | undefined => {
  let h = held;
  while (h !== undefined && h.at >= size) h = h.earlier;
  return h?.value;
};

/**
 * The registration numbers a session has reserved, as of one revision of its stream. Immutable to its readers:
 * a reservation makes a new register and leaves this one as it was. The register that is reserved in shares its
 * tables with the one it makes (each sees only the first `size` reservations), so that a reservation costs one
 * entry, not a copy of the session's numbers; a register extended twice (a decision made on an older revision)
 * gets tables of its own. The highest plain number of the session's own series is kept as it grows, so that the
 * next number is not a scan of every number.
 */
export class NumberRegister {
  private constructor(
    private readonly reservations: Reservations,
    /** How many reservations of `reservations` this register holds. */
    readonly size: number,
    private readonly prefix: string,
    /** The highest n of `<session>-n` among the reservations (plain digits only), 0 when none. */
    private readonly highest: number,
  ) {}

  static empty(sessionId: string): NumberRegister {
    return new NumberRegister({ list: [], byNumber: new Map(), byProposal: new Map() }, 0, `${sessionId}-`, 0);
  }

  /** The proposal a number is reserved for, if any. */
  holderOf(number: string): string | undefined {
    return latest(this.reservations.byNumber.get(number), this.size);
  }

  /** The latest number reserved for a proposal, if any. */
  numberOf(proposalId: string): string | undefined {
    return latest(this.reservations.byProposal.get(proposalId), this.size);
  }

  /** The next free number of the session's own series: `6-3-001`, `6-3-002`, … after the highest given. */
  next(): string {
    return `${this.prefix}${String(this.highest + 1).padStart(3, '0')}`;
  }

  /** This register with one more reservation. */
  with(number: string, proposalId: string): NumberRegister {
    let reservations = this.reservations;
    if (reservations.list.length !== this.size) {
      // Another register was already made from this one: start tables of this branch's own.
      reservations = { list: [], byNumber: new Map(), byProposal: new Map() };
      for (const r of this.reservations.list.slice(0, this.size)) add(reservations, r.number, r.proposalId);
    }
    add(reservations, number, proposalId);
    let highest = this.highest;
    if (number.startsWith(this.prefix)) {
      const suffix = number.slice(this.prefix.length);
      if (/^\d{1,9}$/.test(suffix)) highest = Math.max(highest, Number(suffix));
    }
    return new NumberRegister(reservations, this.size + 1, this.prefix, highest);
  }
}

function add(reservations: Reservations, number: string, proposalId: string): void {
  const at = reservations.list.length;
  reservations.list.push({ number, proposalId });
  reservations.byNumber.set(number, { value: proposalId, at, earlier: reservations.byNumber.get(number) });
  reservations.byProposal.set(proposalId, { value: number, at, earlier: reservations.byProposal.get(proposalId) });
}

export type SessionEvolveMeta = { readonly occurredAt: string };

export function evolveSession(state: SessionState | null, event: SessionEvent, meta: SessionEvolveMeta): SessionState {
  if (event.type === 'SessionOpened') {
    const { sessionId, name, year, answerLimitDays } = event.data;
    const { occurredAt } = meta;
    return { id: sessionId, name, year, answerLimitDays, openedAt: occurredAt, lastOccurredAt: occurredAt, register: NumberRegister.empty(sessionId) };
  }
  if (state === null) throw new TypeError(`${event.type} before SessionOpened`);
  switch (event.type) {
    case 'ProposalNumberReserved': {
      const { number, proposalId } = event.data;
      return { ...state, register: state.register.with(number, proposalId) };
    }
    case 'SupervisionVisitRecorded':
      return { ...state, lastOccurredAt: meta.occurredAt };
    default:
      return assertNever(event, 'session event');
  }
}

/** The next free number of the session's register: `6-3-001`, `6-3-002`, … */
export function nextProposalNumber(session: SessionState): string {
  return session.register.next();
}
