import type { Actor } from './actor.js';
import { assertNever } from './errors.js';
import type { ProposalState } from './proposal/state.js';

/** Supervisors and the district's leadership read every proposal; members and units read the ones they are part of. */
export function canReadProposal(actor: Actor, proposal: ProposalState): boolean {
  switch (actor.role) {
    case 'auditor':
    case 'office':
    case 'committee':
    case 'leader':
    case 'clerk':
      return true;
    case 'member':
      return proposal.proposers.some((p) => p.id === actor.id);
    case 'unit':
      return actor.unit !== undefined && proposal.unitsEverAssigned.includes(actor.unit);
    case 'service':
      return false;
    default:
      return assertNever(actor.role, 'role');
  }
}
