import type { Actor, Role } from '../actor.js';
import { assertNever, Forbidden, IllegalTransition, NotFound, ValidationFailed } from '../errors.js';
import type { SessionCommand } from './commands.js';
import type { SessionEvent } from './events.js';
import type { SessionState } from './state.js';

export interface SessionContext {
  readonly actor: Actor;
  /** The answer limit of a session that does not name one (a deployment setting). */
  readonly defaultAnswerLimitDays: number;
}

/** `6-3`: the 3rd plenary session of the 6th committee. */
export const SESSION_ID = /^[1-9]\d{0,2}-[1-9]\d{0,2}$/;
const NUMBER = /^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/;

function requireRole(actor: Actor, roles: readonly Role[], step: string): void {
  if (!roles.includes(actor.role)) throw new Forbidden(`${step} is for ${roles.join(' or ')}, not ${actor.role}`);
}

export function decideSession(cmd: SessionCommand, state: SessionState | null, ctx: SessionContext): SessionEvent[] {
  switch (cmd.type) {
    case 'OpenSession': {
      requireRole(ctx.actor, ['office'], 'opening a session');
      const { id, name, year, answerLimitDays = ctx.defaultAnswerLimitDays } = cmd.data;
      if (!SESSION_ID.test(id)) throw new ValidationFailed('must look like 6-3 (committee-session)', 'id');
      if (state !== null) throw new IllegalTransition(`session ${id} is already open`, 'id');
      if (!Number.isInteger(year) || year < 1949 || year > 2999) throw new ValidationFailed('must be a year', 'year');
      if (!Number.isInteger(answerLimitDays) || answerLimitDays < 1 || answerLimitDays > 366)
        throw new ValidationFailed('must be a whole number of days from 1 to 366', 'answerLimitDays');
      return [{ type: 'SessionOpened', data: { sessionId: id, name, year, answerLimitDays } }];
    }
    case 'RecordSupervisionVisit': {
      requireRole(ctx.actor, ['office', 'committee'], 'recording a supervision visit');
      if (state === null) throw new NotFound('no such session');
      const { unit, note } = cmd.data;
      return [{ type: 'SupervisionVisitRecorded', data: { unit, ...(note === undefined ? {} : { note }) } }];
    }
    case 'ReserveProposalNumber': {
      requireRole(ctx.actor, ['committee'], 'reserving a registration number');
      if (state === null) throw new NotFound('no such session');
      const { proposalId, number } = cmd.data;
      if (!NUMBER.test(number)) throw new ValidationFailed('must be letters, digits and dashes, at most 32', 'number');
      const holder = state.numbers.get(number);
      if (holder === proposalId) return [];
      if (holder !== undefined)
        throw new IllegalTransition(`number ${number} is already given to proposal ${holder}`, 'number');
      return [{ type: 'ProposalNumberReserved', data: { number, proposalId } }];
    }
    default:
      return assertNever(cmd, 'session command');
  }
}
