import { Forbidden, type Role } from '@app/proposals';
import type { Principal } from '@app/identity';

export function requireRole(principal: Principal, roles: readonly Role[], what: string): void {
  if (!roles.includes(principal.role)) throw new Forbidden(`${what} is for ${roles.join(', ')}, not ${principal.role}`);
}

/** Supervisors: those who read every proposal and its figures. */
export const SUPERVISORS: readonly Role[] = ['office', 'committee', 'auditor', 'leader'];
