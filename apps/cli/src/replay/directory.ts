import type { Actor } from '@app/proposals';
import { committeeDirectory, REORGANISATION_2019, unitActorId, UNITS } from './catalogue.js';
import type { SessionPlan } from './plans.js';
import type { Step } from './timeline.js';

/**
 * The demo's directory (名录): the units and members the sessions name, and the units' staff accounts, typed in by
 * the clerk from the office's paper records before the first session; and the renames of the 2019 reorganisation
 * (机构改革), so that the trail shows a unit under the name it had when each step was recorded.
 */

const OFFICE: Actor = { id: 'office-demo', role: 'office', name: '区政府办公室' };

/** Before 六届一次会议 opens (2017-01-02): the office's paper records of December 2016. */
const MIGRATED_AT = '2016-12-20T09:00:00+08:00';

/** The units as they were named in 2016, and every member of the 6th committee: one ImportDirectory. */
export function directoryMigration(): Step[] {
  const units = Object.entries(UNITS).map(([shortName, u]) => ({
    code: u.code,
    fullName: u.before2019?.fullName ?? u.fullName,
    shortName: u.before2019?.shortName ?? shortName,
    kind: u.kind,
  }));
  const members = committeeDirectory().map(({ id, name, sector, group, terms }) => ({ id, name, sector, group, terms: [...terms] }));
  const accounts = Object.entries(UNITS).map(
    ([shortName, u], i): Step => ({
      key: `replay:directory:staff-account:${u.code}`,
      // A minute apart, in the catalogue's order, after the import.
      at: MIGRATED_AT.replace('09:00', `09:${String(5 + Math.floor(i / 10)).padStart(2, '0')}`),
      actor: OFFICE,
      target: {
        kind: 'directory',
        id: 'main',
        command: { type: 'AddStaffAccount', data: { sub: unitActorId(shortName), unit: u.code, name: '提案办理联络员' } },
      },
    }),
  );
  return [
    { key: 'replay:directory:import', at: MIGRATED_AT, actor: OFFICE, target: { kind: 'directory', id: 'main', command: { type: 'ImportDirectory', data: { units, members } } } },
    ...accounts,
  ];
}

/** The units renamed by the reorganisation, in the year it took effect: the same codes, their new names. */
export function reorganisation(plan: SessionPlan): Step[] {
  if (plan.year !== Number(REORGANISATION_2019.slice(0, 4))) return [];
  return Object.entries(UNITS)
    .filter(([, u]) => u.before2019)
    .map(([shortName, u]) => ({
      key: `replay:${plan.year}:directory:rename-${u.code}`,
      at: `${REORGANISATION_2019}T09:00:00+08:00`,
      actor: OFFICE,
      target: { kind: 'directory', id: 'main', command: { type: 'ChangeUnit', data: { code: u.code, fullName: u.fullName, shortName } } },
    }));
}
