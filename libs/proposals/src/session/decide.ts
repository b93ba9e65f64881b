import type { Actor, Role } from '../actor.js';
import { businessDate } from '../business-time.js';
import { requireUnit } from '../directory/references.js';
import type { DirectoryState } from '../directory/state.js';
import { assertNever, Forbidden, IllegalTransition, NotFound, ValidationFailed } from '../errors.js';
import type { SessionCommand, SessionCommandType } from './commands.js';
import type { SessionEvent } from './events.js';
import type { SessionState } from './state.js';

export interface SessionContext {
  readonly actor: Actor;
  /** The clerk who typed a paper record in, if any. */
  readonly recorder?: Actor;
  /** Business time of the step. */
  readonly occurredAt: string;
  readonly utcOffsetMinutes: number;
  /** The jurisdiction's directory: a supervision visit names a unit in it. */
  readonly directory: DirectoryState;
  /** The answer limit of a session that does not name one (a deployment setting). */
  readonly defaultAnswerLimitDays: number;
}

/** `6-3`: the 3rd plenary session of the 6th committee. */
export const SESSION_ID = /^[1-9]\d{0,2}-[1-9]\d{0,2}$/;
const NUMBER = /^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/;

/** Who may ask for each step of a session, and how a refusal names the step. */
export const SESSION_STEPS: Readonly<Record<SessionCommandType, { readonly roles: readonly Role[]; readonly step: string }>> = {
  OpenSession: { roles: ['office'], step: 'opening a session' },
  RecordSupervisionVisit: { roles: ['office', 'committee'], step: 'recording a supervision visit' },
  ReserveProposalNumber: { roles: ['committee'], step: 'reserving a registration number' },
};

/** The caller's right to ask for the step, decided before anything about the session is read. */
export function authorizeSessionCommand(type: SessionCommandType, actor: Actor): void {
  const { roles, step } = SESSION_STEPS[type];
  if (!roles.includes(actor.role)) throw new Forbidden(`${step} is for ${roles.join(' or ')}, not ${actor.role}`);
}

export function decideSession(cmd: SessionCommand, state: SessionState | null, ctx: SessionContext): SessionEvent[] {
  authorizeSessionCommand(cmd.type, ctx.actor);
  switch (cmd.type) {
    case 'OpenSession': {
      const { id, name, year, answerLimitDays = ctx.defaultAnswerLimitDays } = cmd.data;
      if (!SESSION_ID.test(id)) throw new ValidationFailed('must look like 6-3 (committee-session)', 'id');
      if (state !== null) throw new IllegalTransition(`session ${id} is already open`, 'id');
      if (!Number.isInteger(year) || year < 1949 || year > 2999) throw new ValidationFailed('must be a year', 'year');
      // A plenary session meets early in its year; a paper record of its opening is dated in that year or the
      // preparations of the year before, never decades away from it.
      const openedIn = Number(businessDate(ctx.occurredAt, ctx.utcOffsetMinutes).slice(0, 4));
      if (ctx.recorder && (openedIn < year - 1 || openedIn > year))
        throw new ValidationFailed(`a paper record of the opening of the ${year} session must be dated in ${year - 1} or ${year}`, 'occurredAt');
      if (!Number.isInteger(answerLimitDays) || answerLimitDays < 1 || answerLimitDays > 366)
        throw new ValidationFailed('must be a whole number of days from 1 to 366', 'answerLimitDays');
      return [{ type: 'SessionOpened', data: { sessionId: id, name, year, answerLimitDays } }];
    }
    case 'RecordSupervisionVisit': {
      if (state === null) throw new NotFound('no such session');
      if (ctx.occurredAt < state.lastOccurredAt)
        throw new IllegalTransition(
          `occurredAt ${ctx.occurredAt} is before the session's previous step (${state.lastOccurredAt})`,
          'occurredAt',
        );
      const { unit, note } = cmd.data;
      requireUnit(ctx.directory, unit, businessDate(ctx.occurredAt, ctx.utcOffsetMinutes), 'unit');
      return [{ type: 'SupervisionVisitRecorded', data: { unit, ...(note === undefined ? {} : { note }) } }];
    }
    case 'ReserveProposalNumber': {
      if (state === null) throw new NotFound('no such session');
      const { proposalId, number } = cmd.data;
      if (!NUMBER.test(number)) throw new ValidationFailed('must be letters, digits and dashes, at most 32', 'number');
      const holder = state.register.holderOf(number);
      if (holder === proposalId) return [];
      if (holder !== undefined)
        throw new IllegalTransition(`number ${number} is already given to proposal ${holder}`, 'number');
      // One number per proposal: a registration that lost a race after its reservation landed is retried with the
      // number it reserved (decideProposal), never given a second one.
      const held = state.register.numberOf(proposalId);
      if (held !== undefined)
        throw new IllegalTransition(`proposal ${proposalId} already holds number ${held} of this session`, 'number');
      return [{ type: 'ProposalNumberReserved', data: { number, proposalId } }];
    }
    default:
      return assertNever(cmd, 'session command');
  }
}
