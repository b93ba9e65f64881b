import type { Actor } from '../actor.js';
import { Forbidden, IllegalTransition, NotFound, RevisionMismatch, ValidationFailed } from '../errors.js';
import { refusalOf } from '../testing/given.js';
import type { DirectoryCommand } from './commands.js';
import { decideDirectory } from './decide.js';
import type { DirectoryEvent } from './events.js';
import { EMPTY_DIRECTORY, evolveDirectory, type DirectoryState } from './state.js';

const office: Actor = { id: 'o-sun', role: 'office' };
const NOW = '2019-03-01T02:00:00.000Z';
const when = (state: DirectoryState, command: DirectoryCommand, actor: Actor = office) =>
  decideDirectory(command, state, { actor, occurredAt: NOW, utcOffsetMinutes: 480 });
const fold = (...events: DirectoryEvent[]) => events.reduce((s, e, revision) => evolveDirectory(s, e, { revision }), EMPTY_DIRECTORY);

const FGW = { code: 'fgw', fullName: '区发展和改革委员会', shortName: '区发改委', kind: 'government-department' as const, activeFrom: '2019-01-01' };
const WITH_FGW = fold({ type: 'UnitRegistered', data: FGW });

describe('the directory of units and members', () => {
  it('registers a unit under a code, active from the day of the step unless told', () => {
    const { activeFrom: _, ...row } = FGW;
    expect(when(EMPTY_DIRECTORY, { type: 'RegisterUnit', data: { ...row, code: ' fgw ' } })).toEqual([
      { type: 'UnitRegistered', data: { ...FGW, activeFrom: '2019-03-01' } },
    ]);
  });

  it('refuses a code that is a name, naming the field', () => {
    expect(refusalOf(() => when(EMPTY_DIRECTORY, { type: 'RegisterUnit', data: { ...FGW, code: '区发改委 ' } }))).toEqual({
      error: ValidationFailed,
      message: 'must be 2 to 32 lower-case letters, digits and dashes, starting with a letter',
      field: 'code',
    });
  });

  it('appends nothing when the same unit is registered again, and refuses a different one under the same code', () => {
    expect(when(WITH_FGW, { type: 'RegisterUnit', data: FGW })).toEqual([]);
    expect(refusalOf(() => when(WITH_FGW, { type: 'RegisterUnit', data: { ...FGW, shortName: '区发展改革委' } })).error).toBe(IllegalTransition);
  });

  it('renames a unit with only what changed, guarded by the entry’s own revision', () => {
    expect(when(WITH_FGW, { type: 'ChangeUnit', data: { code: 'fgw', shortName: '区发展改革委', fullName: FGW.fullName, expectedRevision: 0 } })).toEqual([
      { type: 'UnitChanged', data: { code: 'fgw', shortName: '区发展改革委' } },
    ]);
    expect(refusalOf(() => when(WITH_FGW, { type: 'ChangeUnit', data: { code: 'fgw', shortName: 'x', expectedRevision: 3 } })).error).toBe(RevisionMismatch);
    expect(refusalOf(() => when(WITH_FGW, { type: 'ChangeUnit', data: { code: 'nope', shortName: 'x' } })).error).toBe(NotFound);
  });

  it('deactivates a unit merged into another, which must be active', () => {
    const two = fold({ type: 'UnitRegistered', data: FGW }, { type: 'UnitRegistered', data: { ...FGW, code: 'jw', fullName: '区经济委员会', shortName: '区经委' } });
    expect(when(two, { type: 'DeactivateUnit', data: { code: 'jw', activeUntil: '2019-06-30', mergedInto: 'fgw' } })).toEqual([
      { type: 'UnitDeactivated', data: { code: 'jw', activeUntil: '2019-06-30', mergedInto: 'fgw' } },
    ]);
    expect(refusalOf(() => when(two, { type: 'DeactivateUnit', data: { code: 'jw', mergedInto: 'jw' } })).field).toBe('mergedInto');
  });

  it('plans a unit’s end ahead, and plans it again (earlier or later) until it has taken effect; then refuses', () => {
    const planned = fold({ type: 'UnitRegistered', data: FGW }, { type: 'UnitDeactivated', data: { code: 'fgw', activeUntil: '2030-01-01' } });
    // Still active today (2019-03-01): brought forward to today, or put off.
    expect(when(planned, { type: 'DeactivateUnit', data: { code: 'fgw' } })).toEqual([{ type: 'UnitDeactivated', data: { code: 'fgw', activeUntil: '2019-03-01' } }]);
    expect(when(planned, { type: 'DeactivateUnit', data: { code: 'fgw', activeUntil: '2031-01-01' } })).toEqual([
      { type: 'UnitDeactivated', data: { code: 'fgw', activeUntil: '2031-01-01' } },
    ]);
    expect(when(planned, { type: 'DeactivateUnit', data: { code: 'fgw', activeUntil: '2030-01-01' } })).toEqual([]);
    // A staff account for it while it is active.
    expect(when(planned, { type: 'AddStaffAccount', data: { sub: 'u-9', unit: 'fgw' } })).toEqual([{ type: 'StaffAccountAdded', data: { sub: 'u-9', unit: 'fgw' } }]);
    // Merged into a unit that is active on the merge date, though it ends later.
    const two = fold({ type: 'UnitRegistered', data: { ...FGW, code: 'jw', fullName: '区经济委员会', shortName: '区经委' } }, { type: 'UnitRegistered', data: FGW }, {
      type: 'UnitDeactivated',
      data: { code: 'fgw', activeUntil: '2030-01-01' },
    });
    expect(when(two, { type: 'DeactivateUnit', data: { code: 'jw', activeUntil: '2019-06-30', mergedInto: 'fgw' } })).toHaveLength(1);
    expect(refusalOf(() => when(two, { type: 'DeactivateUnit', data: { code: 'jw', activeUntil: '2030-06-30', mergedInto: 'fgw' } }))).toEqual({
      error: ValidationFailed,
      message: 'unit fgw is itself inactive from 2030-01-01',
      field: 'mergedInto',
    });
    const ended = fold({ type: 'UnitRegistered', data: FGW }, { type: 'UnitDeactivated', data: { code: 'fgw', activeUntil: '2019-02-01' } });
    expect(refusalOf(() => when(ended, { type: 'DeactivateUnit', data: { code: 'fgw' } }))).toEqual({
      error: IllegalTransition,
      message: 'unit fgw is inactive since 2019-02-01',
      field: 'code',
    });
    expect(refusalOf(() => when(ended, { type: 'AddStaffAccount', data: { sub: 'u-9', unit: 'fgw' } })).message).toBe('unit fgw is inactive since 2019-02-01');
  });

  it('plans a member’s end ahead the same way', () => {
    const M = { id: 'm-1', name: '张委员', sector: '经济界', group: '第五组', terms: ['6'] };
    const planned = fold({ type: 'MemberRegistered', data: M } as DirectoryEvent, { type: 'MemberDeactivated', data: { id: 'm-1', activeUntil: '2022-01-01' } });
    expect(when(planned, { type: 'DeactivateMember', data: { id: 'm-1' } })).toEqual([{ type: 'MemberDeactivated', data: { id: 'm-1', activeUntil: '2019-03-01' } }]);
    expect(when(planned, { type: 'DeactivateMember', data: { id: 'm-1', activeUntil: '2022-01-01' } })).toEqual([]);
    const ended = fold({ type: 'MemberRegistered', data: M } as DirectoryEvent, { type: 'MemberDeactivated', data: { id: 'm-1', activeUntil: '2019-01-01' } });
    expect(refusalOf(() => when(ended, { type: 'DeactivateMember', data: { id: 'm-1' } })).message).toBe('member m-1 is inactive since 2019-01-01');
  });

  it('is kept by the office only', () => {
    expect(refusalOf(() => when(EMPTY_DIRECTORY, { type: 'RegisterUnit', data: FGW }, { id: 'c-1', role: 'committee' }))).toEqual({
      error: Forbidden,
      message: 'registering a unit is for office, not committee',
    });
  });

  it('imports a whole list: new rows registered, changed rows changed, equal rows nothing', () => {
    const rows = {
      units: [FGW, { ...FGW, code: 'czj', fullName: '区财政局', shortName: '区财政局' }],
      members: [{ id: 'm-1', name: '张委员', sector: '经济界', terms: ['6'] }],
    };
    const first = when(EMPTY_DIRECTORY, { type: 'ImportDirectory', data: rows });
    expect(first.map((e) => e.type)).toEqual(['UnitRegistered', 'UnitRegistered', 'MemberRegistered']);
    const after = fold(...first);
    expect(when(after, { type: 'ImportDirectory', data: rows })).toEqual([]);
    const renamed = { ...rows, units: [{ ...FGW, shortName: '区发展改革委' }] };
    expect(when(after, { type: 'ImportDirectory', data: renamed })).toEqual([{ type: 'UnitChanged', data: { code: 'fgw', shortName: '区发展改革委' } }]);
  });

  it('refuses the whole import at its first bad row, naming the row and the field', () => {
    const rows = { units: [FGW, { ...FGW, code: 'Bad Code' }, { ...FGW, code: 'ok', kind: 'bureau' as never }] };
    expect(refusalOf(() => when(EMPTY_DIRECTORY, { type: 'ImportDirectory', data: rows }))).toEqual({
      error: ValidationFailed,
      message: 'must be 2 to 32 lower-case letters, digits and dashes, starting with a letter',
      field: 'units[1].code',
    });
    expect(refusalOf(() => when(EMPTY_DIRECTORY, { type: 'ImportDirectory', data: { units: [FGW, FGW] } })).field).toBe('units[1].code');
    expect(refusalOf(() => when(EMPTY_DIRECTORY, { type: 'ImportDirectory', data: { members: [{ id: 'm-1', name: '\u200b', sector: '经济界', terms: [] }] } }))).toEqual({
      error: ValidationFailed,
      message: 'must contain visible characters',
      field: 'members[0].name',
    });
  });

  it('keeps each entry’s revision: its ETag', () => {
    const s = fold({ type: 'UnitRegistered', data: FGW }, { type: 'MemberRegistered', data: { id: 'm-1', name: '张委员', sector: '经济界', terms: ['6'] } }, { type: 'UnitChanged', data: { code: 'fgw', shortName: '区发展改革委' } });
    expect(s.units.get('fgw')).toMatchObject({ shortName: '区发展改革委', fullName: FGW.fullName, revision: 2 });
    expect(s.members.get('m-1')?.revision).toBe(1);
  });
});
