import assert from 'node:assert/strict';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { ProposalCommand } from '../proposal/commands.js';
import { decideProposal, type ProposalContext } from '../proposal/decide.js';
import type { ProposalEvent } from '../proposal/events.js';
import { evolveProposal, type ProposalState } from '../proposal/state.js';
import type { SessionEvent } from '../session/events.js';
import { evolveSession, type SessionState } from '../session/state.js';
import type { DirectoryEvent } from '../directory/events.js';
import { EMPTY_DIRECTORY, evolveDirectory, type DirectoryState } from '../directory/state.js';

/**
 * Given / when / then for the deciders, with a pinned clock: every instant is written out, nothing reads Date.now().
 * Steps are placed at 10:00 Beijing time (+08:00) of a business date so that specs read in calendar dates.
 */
export const BEIJING = 480;

/** 10:00 at +08:00 on the given business date, as a UTC instant. */
export const tenOClock = (date: string): string => `${date}T02:00:00.000Z`;

export interface Given {
  readonly event: ProposalEvent;
  readonly occurredAt: string;
}

/** An event of the proposal's past, happened at 10:00 on a business date. */
export const on = (date: string, event: ProposalEvent): Given => ({ event, occurredAt: tenOClock(date) });

export function fold(history: readonly Given[]): ProposalState | null {
  return history.reduce<ProposalState | null>(
    (state, { event, occurredAt }) => evolveProposal(state, event, { occurredAt }),
    null,
  );
}

/** Session events as of a business time well before the specs' proposals (the session opened then). */
export const SESSION_OPENED_AT = '2018-12-01T02:00:00.000Z';

export function sessionOf(...events: SessionEvent[]): SessionState {
  const state = events.reduce<SessionState | null>((s, e) => evolveSession(s, e, { occurredAt: SESSION_OPENED_AT }), null);
  assert.ok(state, 'a session needs its SessionOpened event');
  return state;
}

/** A directory holding the given unit codes (active since 2000) and member ids, named after themselves. */
export function directoryOf(entries: { units?: readonly string[]; members?: readonly string[] }): DirectoryState {
  const events: DirectoryEvent[] = [
    ...(entries.units ?? []).map((code): DirectoryEvent => ({ type: 'UnitRegistered', data: { code, fullName: code, shortName: code, kind: 'government-department', activeFrom: '2000-01-01' } })),
    ...(entries.members ?? []).map((id): DirectoryEvent => ({ type: 'MemberRegistered', data: { id, name: id, sector: '经济界', terms: ['6'] } })),
  ];
  return events.reduce((s, e, revision) => evolveDirectory(s, e, { revision }), EMPTY_DIRECTORY);
}

export interface When {
  readonly actor: Actor;
  /** Business time of the command; defaults to the `now` given to `given`. */
  readonly occurredAt?: string;
  readonly recorder?: Actor;
  readonly session?: SessionState | null;
  readonly mergeTarget?: ProposalState | null;
  readonly directory?: DirectoryState;
}

export interface Scenario {
  readonly state: ProposalState | null;
  when(command: ProposalCommand, w: When): ProposalEvent[];
}

/** The proposal folded from its history; `when` decides a command at `now` (or the `occurredAt` it is given). */
export function given(
  history: readonly Given[],
  defaults: { now: string; session: SessionState | null; directory?: DirectoryState },
): Scenario {
  const state = fold(history);
  return {
    state,
    when(command, w) {
      const occurredAt = w.occurredAt ?? defaults.now;
      const ctx: ProposalContext = {
        actor: w.actor,
        ...(w.recorder ? { recorder: w.recorder } : {}),
        occurredAt,
        recordedAt: defaults.now > occurredAt ? defaults.now : occurredAt,
        utcOffsetMinutes: BEIJING,
        session: w.session === undefined ? defaults.session : w.session,
        directory: w.directory ?? defaults.directory ?? EMPTY_DIRECTORY,
        ...(w.mergeTarget === undefined ? {} : { mergeTarget: w.mergeTarget }),
      };
      return decideProposal(command, state, ctx);
    },
  };
}

/** What a caller sees of a refusal: its kind (the error class), its message and the field it is about. */
export interface Refusal {
  readonly error: Function;
  readonly message: string;
  readonly field?: string;
}

export function refusalOf(run: () => unknown): Refusal {
  let outcome: unknown;
  try {
    outcome = run();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { error: e.constructor, message: e.message, ...(e.field === undefined ? {} : { field: e.field }) };
  }
  return assert.fail(`expected a refusal, but the decision succeeded with ${JSON.stringify(outcome)}`);
}
