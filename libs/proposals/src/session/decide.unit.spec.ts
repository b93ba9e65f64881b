import type { Actor } from '../actor.js';
import { Forbidden, IllegalTransition, NotFound, ValidationFailed } from '../errors.js';
import { directoryOf, refusalOf, sessionOf } from '../testing/given.js';
import type { SessionCommand } from './commands.js';
import { decideSession, type SessionContext } from './decide.js';
import type { SessionEvent } from './events.js';
import { evolveSession, nextProposalNumber, type SessionState } from './state.js';

const office: Actor = { id: 'o-sun', role: 'office' };
const committee: Actor = { id: 'c-tian', role: 'committee' };
const unit: Actor = { id: 'u-chen', role: 'unit', unit: 'construction-commission' };

const DIRECTORY = directoryOf({ units: ['construction-commission', 'planning-bureau'] });

const OPENED: SessionEvent = {
  type: 'SessionOpened',
  data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 90 },
};
const reserved = (number: string, proposalId: string): SessionEvent => ({
  type: 'ProposalNumberReserved',
  data: { number, proposalId },
});

const when = (state: SessionState | null, command: SessionCommand, actor: Actor, defaultAnswerLimitDays = 90) => {
  const ctx: SessionContext = { actor, defaultAnswerLimitDays, occurredAt: '2019-03-01T02:00:00.000Z', utcOffsetMinutes: 480, directory: DIRECTORY };
  return decideSession(command, state, ctx);
};

describe('OpenSession', () => {
  const open = (data: Partial<{ id: string; year: number; answerLimitDays: number }> = {}) =>
    ({ type: 'OpenSession', data: { id: '6-3', name: '区政协六届三次会议', year: 2019, ...data } }) as const;

  it('opens a session with the answer limit it names', () => {
    expect(when(null, open({ answerLimitDays: 60 }), office)).toEqual([
      { type: 'SessionOpened', data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 60 } },
    ]);
  });

  it('takes the deployment’s answer limit when the session names none', () => {
    expect(when(null, open(), office, 92)).toEqual([
      { type: 'SessionOpened', data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 92 } },
    ]);
  });

  it.each([1, 366])('accepts an answer limit of %i days', (answerLimitDays) => {
    expect(when(null, open({ answerLimitDays }), office)).toEqual([
      { type: 'SessionOpened', data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays } },
    ]);
  });

  it('is forbidden to the committee', () => {
    expect(refusalOf(() => when(null, open(), committee))).toEqual({
      error: Forbidden,
      message: 'opening a session is for office, not committee',
    });
  });

  it.each(['6', '6-03', '06-3', '六届三次', '6-3-1'])('refuses the id %s', (id) => {
    expect(refusalOf(() => when(null, open({ id }), office))).toEqual({
      error: ValidationFailed,
      message: 'must look like 6-3 (committee-session)',
      field: 'id',
    });
  });

  it('refuses to open a session twice', () => {
    expect(refusalOf(() => when(sessionOf(OPENED), open(), office))).toEqual({
      error: IllegalTransition,
      message: 'session 6-3 is already open',
      field: 'id',
    });
  });

  it.each([1948, 3000, 2019.5])('refuses the year %d', (year) => {
    expect(refusalOf(() => when(null, open({ year }), office))).toEqual({
      error: ValidationFailed,
      message: 'must be a year',
      field: 'year',
    });
  });

  it.each([0, 367, 90.5])('refuses an answer limit of %d days', (answerLimitDays) => {
    expect(refusalOf(() => when(null, open({ answerLimitDays }), office))).toEqual({
      error: ValidationFailed,
      message: 'must be a whole number of days from 1 to 366',
      field: 'answerLimitDays',
    });
  });

  it('refuses a deployment default that is not a usable limit', () => {
    expect(refusalOf(() => when(null, open(), office, 0))).toEqual({
      error: ValidationFailed,
      message: 'must be a whole number of days from 1 to 366',
      field: 'answerLimitDays',
    });
  });
});

describe('RecordSupervisionVisit', () => {
  it('records the office’s supervision visit to a key unit with its note', () => {
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'construction-commission', note: '重点提案督办' } } as const;
    expect(when(sessionOf(OPENED), visit, office)).toEqual([
      { type: 'SupervisionVisitRecorded', data: { unit: 'construction-commission', note: '重点提案督办' } },
    ]);
  });

  it('records the committee’s visit without a note', () => {
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'planning-bureau' } } as const;
    expect(when(sessionOf(OPENED), visit, committee)).toEqual([
      { type: 'SupervisionVisitRecorded', data: { unit: 'planning-bureau' } },
    ]);
  });

  it('is forbidden to a unit', () => {
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'construction-commission' } } as const;
    expect(refusalOf(() => when(sessionOf(OPENED), visit, unit))).toEqual({
      error: Forbidden,
      message: 'recording a supervision visit is for office or committee, not unit',
    });
  });

  it('is refused for a session that was never opened', () => {
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'construction-commission' } } as const;
    expect(refusalOf(() => when(null, visit, office))).toEqual({ error: NotFound, message: 'no such session' });
  });
});

describe('paper records keep the session’s time', () => {
  const clerk: Actor = { id: 'clerk-1', role: 'clerk' };
  const open = { type: 'OpenSession', data: { id: '6-3', name: '区政协六届三次会议', year: 2019 } } as const;
  const paper = (occurredAt: string): SessionContext => ({ actor: office, recorder: clerk, occurredAt, utcOffsetMinutes: 480, defaultAnswerLimitDays: 90, directory: DIRECTORY });

  it.each(['2018-12-20T02:00:00.000Z', '2019-01-05T02:00:00.000Z'])('records an opening dated %s for the 2019 session', (at) => {
    expect(decideSession(open, null, paper(at))).toHaveLength(1);
  });

  it.each(['1950-01-05T02:00:00.000Z', '2017-12-31T02:00:00.000Z', '2020-01-02T02:00:00.000Z'])(
    'refuses a paper opening of the 2019 session dated %s',
    (at) => {
      expect(refusalOf(() => decideSession(open, null, paper(at)))).toEqual({
        error: ValidationFailed,
        message: 'a paper record of the opening of the 2019 session must be dated in 2018 or 2019',
        field: 'occurredAt',
      });
    },
  );

  it('refuses a supervision visit dated before the session opened', () => {
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'construction-commission' } } as const;
    expect(refusalOf(() => decideSession(visit, sessionOf(OPENED), paper('1950-06-01T02:00:00.000Z')))).toEqual({
      error: IllegalTransition,
      message: "occurredAt 1950-06-01T02:00:00.000Z is before the session's previous step (2018-12-01T02:00:00.000Z)",
      field: 'occurredAt',
    });
  });

  it('keeps supervision visits in order', () => {
    const visited = sessionOf(OPENED);
    const later = { ...visited, lastOccurredAt: '2019-06-01T02:00:00.000Z' };
    const visit = { type: 'RecordSupervisionVisit', data: { unit: 'planning-bureau' } } as const;
    expect(refusalOf(() => decideSession(visit, later, paper('2019-05-31T02:00:00.000Z'))).field).toBe('occurredAt');
    expect(decideSession(visit, later, paper('2019-06-01T02:00:00.000Z'))).toHaveLength(1);
  });
});

describe('ReserveProposalNumber', () => {
  const reserve = (number: string, proposalId = 'p-charging-piles') =>
    ({ type: 'ReserveProposalNumber', data: { proposalId, number } }) as const;

  it('reserves a free number for the proposal being registered', () => {
    expect(when(sessionOf(OPENED), reserve('6-3-017'), committee)).toEqual([
      { type: 'ProposalNumberReserved', data: { number: '6-3-017', proposalId: 'p-charging-piles' } },
    ]);
  });

  it('accepts a number of 32 characters', () => {
    const long = `6-3-${'9'.repeat(28)}`;
    expect(when(sessionOf(OPENED), reserve(long), committee)).toEqual([
      { type: 'ProposalNumberReserved', data: { number: long, proposalId: 'p-charging-piles' } },
    ]);
  });

  it('does nothing when the number is already this proposal’s (a retried registration)', () => {
    const state = sessionOf(OPENED, reserved('6-3-017', 'p-charging-piles'));
    expect(when(state, reserve('6-3-017'), committee)).toEqual([]);
  });

  it('refuses a second number for a proposal that already holds one', () => {
    const state = sessionOf(OPENED, reserved('6-3-017', 'p-charging-piles'));
    expect(refusalOf(() => when(state, reserve('6-3-018'), committee))).toEqual({
      error: IllegalTransition,
      message: 'proposal p-charging-piles already holds number 6-3-017 of this session',
      field: 'number',
    });
  });

  it('refuses a number given to another proposal', () => {
    const state = sessionOf(OPENED, reserved('6-3-017', 'p-waste-sorting'));
    expect(refusalOf(() => when(state, reserve('6-3-017'), committee))).toEqual({
      error: IllegalTransition,
      message: 'number 6-3-017 is already given to proposal p-waste-sorting',
      field: 'number',
    });
  });

  it.each(['', '-6-3-017', '6-3 017', '6-3-０１７', `6-3-${'9'.repeat(29)}`])('refuses the number %j', (number) => {
    expect(refusalOf(() => when(sessionOf(OPENED), reserve(number), committee))).toEqual({
      error: ValidationFailed,
      message: 'must be letters, digits and dashes, at most 32',
      field: 'number',
    });
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => when(sessionOf(OPENED), reserve('6-3-017'), office))).toEqual({
      error: Forbidden,
      message: 'reserving a registration number is for committee, not office',
    });
  });

  it('is refused for a session that was never opened', () => {
    expect(refusalOf(() => when(null, reserve('6-3-017'), committee))).toEqual({
      error: NotFound,
      message: 'no such session',
    });
  });
});

describe('the session’s register of numbers', () => {
  it('is left as it was by a reservation made from it: each state answers for its own revision', () => {
    const one = sessionOf(OPENED, reserved('6-3-001', 'p-a'));
    const two = evolveSession(one, reserved('6-3-002', 'p-b'), { occurredAt: '2019-03-01T02:00:00.000Z' });
    // A decision made on the older state (a lost race) branches from it: neither state sees the other's number.
    const other = evolveSession(one, reserved('6-3-002', 'p-c'), { occurredAt: '2019-03-01T02:00:00.000Z' });
    expect([one.register.holderOf('6-3-002'), one.register.numberOf('p-b'), nextProposalNumber(one)]).toEqual([undefined, undefined, '6-3-002']);
    expect([two.register.holderOf('6-3-002'), two.register.numberOf('p-b'), two.register.numberOf('p-c'), nextProposalNumber(two)]).toEqual(['p-b', '6-3-002', undefined, '6-3-003']);
    expect([other.register.holderOf('6-3-002'), other.register.numberOf('p-c'), other.register.numberOf('p-b')]).toEqual(['p-c', '6-3-002', undefined]);
    const three = evolveSession(other, reserved('6-3-010', 'p-d'), { occurredAt: '2019-03-01T02:00:00.000Z' });
    expect([three.register.size, three.register.holderOf('6-3-001'), nextProposalNumber(three), nextProposalNumber(other)]).toEqual([3, 'p-a', '6-3-011', '6-3-003']);
  });
});

describe('nextProposalNumber', () => {
  it('starts the register of a session at 6-3-001', () => {
    expect(nextProposalNumber(sessionOf(OPENED))).toBe('6-3-001');
  });

  it('follows 6-3-001 with 6-3-002', () => {
    expect(nextProposalNumber(sessionOf(OPENED, reserved('6-3-001', 'p-a')))).toBe('6-3-002');
  });

  it('continues after the highest number given, leaving gaps as they are', () => {
    const state = sessionOf(OPENED, reserved('6-3-001', 'p-a'), reserved('6-3-017', 'p-b'), reserved('6-3-002', 'p-c'));
    expect(nextProposalNumber(state)).toBe('6-3-018');
  });

  it('ignores numbers outside the session’s register', () => {
    const state = sessionOf(
      OPENED,
      reserved('6-2-150', 'p-a'),
      reserved('6-30-005', 'p-b'),
      reserved('6-3-A12', 'p-c'),
      reserved('6-3-004', 'p-d'),
    );
    expect(nextProposalNumber(state)).toBe('6-3-005');
  });

  it('reads only plain digits after the prefix, so a hand-given 6-3-1e3 or 6-3-0x10 does not move the register', () => {
    const state = sessionOf(OPENED, reserved('6-3-004', 'p-a'), reserved('6-3-1e3', 'p-b'), reserved('6-3-0x10', 'p-c'));
    expect(nextProposalNumber(state)).toBe('6-3-005');
  });

  it('grows past three digits', () => {
    expect(nextProposalNumber(sessionOf(OPENED, reserved('6-3-999', 'p-a')))).toBe('6-3-1000');
  });
});
