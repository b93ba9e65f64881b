import type { Actor } from './actor.js';
import { assertNever } from './errors.js';
import type { ProposalState } from './proposal/state.js';

/**
 * Which proposals a reader sees: supervisors and the district's leadership every one, a unit those it handles or
 * handled, a member their own, a machine reader none (it has the event feed). The one place this rule is written:
 * single reads and the read models' list filters both derive from it.
 */
export type ReadingScope = 'all' | 'none' | { readonly unit: string } | { readonly member: string };

export function readingScope(actor: Actor): ReadingScope {
  switch (actor.role) {
    case 'auditor':
    case 'office':
    case 'committee':
    case 'leader':
    case 'clerk':
    case 'system':
      return 'all';
    case 'member':
      return { member: actor.id };
    case 'unit':
      return actor.unit === undefined ? 'none' : { unit: actor.unit };
    case 'service':
      return 'none';
    default:
      return assertNever(actor.role, 'role');
  }
}

/** Whether a proposal, known by its proposers and every unit that was ever assigned to it, is in the scope. */
export function inScope(scope: ReadingScope, proposal: { readonly proposerIds: readonly string[]; readonly units: readonly string[] }): boolean {
  if (scope === 'all' || scope === 'none') return scope === 'all';
  return 'unit' in scope ? proposal.units.includes(scope.unit) : proposal.proposerIds.includes(scope.member);
}

/** The members a proposal is read by: those who joined it and those asked to join (they read it to decide). */
export const readerIdsOf = (proposal: Pick<ProposalState, 'proposers' | 'invitedCoProposers'>): string[] => [
  ...proposal.proposers.map((p) => p.id),
  ...proposal.invitedCoProposers,
];

export function canReadProposal(actor: Actor, proposal: ProposalState): boolean {
  return inScope(readingScope(actor), { proposerIds: readerIdsOf(proposal), units: proposal.unitsEverAssigned });
}
