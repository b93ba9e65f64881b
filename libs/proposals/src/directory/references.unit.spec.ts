import type { Actor } from '../actor.js';
import { Forbidden, ValidationFailed } from '../errors.js';
import { directoryOf, refusalOf } from '../testing/given.js';
import { checkActor, namesAt, requireUnit } from './references.js';
import { evolveDirectory } from './state.js';

const directory = directoryOf({ units: ['fgw', 'czj'], members: ['m-1'] });
const at = '2019-03-01T02:00:00.000Z';
const record = (actor: Actor, recorder?: Actor) => ({ actor, ...(recorder ? { recorder } : {}), occurredAt: at, recordedAt: at });
const clerk: Actor = { id: 'k-1', role: 'clerk' };

describe('references to the directory', () => {
  it('takes a known, active unit and refuses an unknown one naming the field and the value', () => {
    expect(requireUnit(directory, 'fgw', '2019-03-01', 'leadUnit').code).toBe('fgw');
    expect(refusalOf(() => requireUnit(directory, '区发改委', '2019-03-01', 'leadUnit'))).toEqual({
      error: ValidationFailed,
      message: 'no unit 区发改委 in the directory',
      field: 'leadUnit',
    });
  });

  it('refuses a unit no longer active on the day of the step, but not on the days before', () => {
    const merged = evolveDirectory(directory, { type: 'UnitDeactivated', data: { code: 'czj', activeUntil: '2019-02-01' } }, { revision: 9 });
    expect(refusalOf(() => requireUnit(merged, 'czj', '2019-03-01', 'coUnits')).message).toBe('unit czj is inactive since 2019-02-01');
    expect(requireUnit(merged, 'czj', '2019-01-31', 'coUnits').code).toBe('czj');
  });

  it('refuses a unit token whose unit the directory does not know (403), and a paper record naming one (400)', () => {
    expect(refusalOf(() => checkActor(directory, record({ id: 'u-1', role: 'unit', unit: 'nope' }), 480)).error).toBe(Forbidden);
    expect(refusalOf(() => checkActor(directory, record({ id: 'u-1', role: 'unit', unit: 'nope' }, clerk), 480))).toEqual({
      error: ValidationFailed,
      message: 'no unit nope in the directory',
      field: 'onBehalfOf.unit',
    });
    expect(refusalOf(() => checkActor(directory, record({ id: 'm-404', role: 'member' }, clerk), 480)).field).toBe('onBehalfOf.sub');
    expect(() => checkActor(directory, record({ id: 'u-1', role: 'unit', unit: 'fgw' }), 480)).not.toThrow();
    expect(() => checkActor(directory, record({ id: 'o-1', role: 'office' }), 480)).not.toThrow();
  });

  it('refuses a staff account signing in for another unit than its own', () => {
    const staffed = evolveDirectory(directory, { type: 'StaffAccountAdded', data: { sub: 'u-1', unit: 'czj' } }, { revision: 9 });
    expect(refusalOf(() => checkActor(staffed, record({ id: 'u-1', role: 'unit', unit: 'fgw' }), 480)).message).toContain('account u-1 belongs to unit czj, not fgw');
  });

  it('keeps the names of everything an event names, as the directory has them, the new name for a rename', () => {
    expect(namesAt(directory, { type: 'ProposalAssigned', data: { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-06-01' } }, [{ id: 'o-1', role: 'office' }])).toEqual({
      units: { fgw: 'fgw', czj: 'czj' },
      members: {},
    });
    expect(namesAt(directory, { type: 'UnitChanged', data: { code: 'fgw', shortName: '区发展改革委' } }, []).units).toEqual({ fgw: '区发展改革委' });
    // Each event names only its own entries: an import does not repeat every name on every event.
    expect(namesAt(directory, { type: 'MemberRegistered', data: { id: 'm-2', name: '李委员', sector: '科技界', terms: ['6'] } }, [{ id: 'o-1', role: 'office' }])).toEqual({
      units: {},
      members: { 'm-2': '李委员' },
    });
  });
});
