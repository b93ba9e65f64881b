import type { Role } from '../api/types';

/**
 * Which pages and panels each role may open: the same rules as the API's (apps/api/src/read/roles.ts and the
 * controllers), used only to hide what a role would be refused. The API stays the only authority: a page opened
 * anyway shows its "not for your role" state from the 403.
 */
const SUPERVISORS: readonly Role[] = ['office', 'committee', 'auditor', 'leader'];
const TRAIL_AUDITORS: readonly Role[] = ['auditor', 'office', 'committee'];

export const ACCESS = {
  overview: 'any',
  trends: 'any',
  units: [...SUPERVISORS, 'unit'],
  supervision: SUPERVISORS,
  proposals: 'any',
  audit: TRAIL_AUDITORS,
  verification: TRAIL_AUDITORS,
  /** GET /feed; the others follow the read models' position instead (GET /ready). */
  feed: ['auditor', 'office', 'service'],
} as const satisfies Record<string, 'any' | readonly Role[]>;

export type Area = keyof typeof ACCESS;

export function mayOpen(role: Role | undefined, area: Area): boolean {
  const allowed: 'any' | readonly Role[] = ACCESS[area];
  return role !== undefined && (allowed === 'any' || allowed.includes(role));
}
