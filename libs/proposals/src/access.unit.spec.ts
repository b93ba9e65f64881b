import { canReadProposal } from './access.js';
import type { Actor, Role } from './actor.js';
import type { ProposalState } from './proposal/state.js';
import { fold, on } from './testing/given.js';

const LEAD = 'construction-commission';
const CO = 'planning-bureau';
const NEW_LEAD = 'transport-commission';

const filed = on('2019-01-10', {
  type: 'ProposalFiled',
  data: {
    proposalId: 'p-charging-piles',
    session: '6-3',
    title: '关于科学规范设立充电桩的建议',
    body: '建议统一规划全区充电桩布点……',
    category: 'urban-rural',
    proposers: [{ id: 'm-wang', name: '王委员' }],
    invitedCoProposers: ['m-li'],
  },
});
const registered = on('2019-01-25', { type: 'ProposalRegistered', data: { number: '6-3-017' } });
const assigned = on('2019-03-15', {
  type: 'ProposalAssigned',
  data: { leadUnit: LEAD, coUnits: [CO], dueDate: '2019-06-13' },
});
const reassigned = on('2019-03-20', {
  type: 'ProposalReassigned',
  data: { leadUnit: NEW_LEAD, coUnits: [], dueDate: '2019-06-18', previousLeadUnit: LEAD },
});

const stateOf = (...history: Parameters<typeof fold>[0]): ProposalState => {
  const state = fold(history);
  if (state === null) throw new TypeError('a proposal needs its ProposalFiled event');
  return state;
};
const REGISTERED = stateOf(filed, registered);
const ASSIGNED = stateOf(filed, registered, assigned);
const REASSIGNED = stateOf(filed, registered, assigned, reassigned);

const someone = (role: Role): Actor => ({ id: `${role}-1`, role });
const unit = (name: string): Actor => ({ id: `u-${name}`, role: 'unit', unit: name });

describe('canReadProposal', () => {
  it.each<Role>(['auditor', 'office', 'committee', 'leader', 'clerk'])('lets the %s read every proposal', (role) => {
    expect(canReadProposal(someone(role), REGISTERED)).toBe(true);
  });

  it('lets the proposer, and a member asked to join, read the proposal', () => {
    expect(canReadProposal({ id: 'm-wang', role: 'member' }, REGISTERED)).toBe(true);
    expect(canReadProposal({ id: 'm-li', role: 'member' }, REGISTERED)).toBe(true);
  });

  it('keeps a member who is not a proposer out', () => {
    expect(canReadProposal({ id: 'm-zhao', role: 'member' }, REGISTERED)).toBe(false);
  });

  it('lets the lead unit and the co-units read the proposal assigned to them', () => {
    expect(canReadProposal(unit(LEAD), ASSIGNED)).toBe(true);
    expect(canReadProposal(unit(CO), ASSIGNED)).toBe(true);
  });

  it('keeps out units before the proposal is assigned, and units it was never assigned to', () => {
    expect(canReadProposal(unit(LEAD), REGISTERED)).toBe(false);
    expect(canReadProposal(unit(NEW_LEAD), ASSIGNED)).toBe(false);
  });

  it('lets units keep reading the trail they took part in after a reassignment', () => {
    expect(canReadProposal(unit(NEW_LEAD), REASSIGNED)).toBe(true);
    expect(canReadProposal(unit(LEAD), REASSIGNED)).toBe(true);
    expect(canReadProposal(unit(CO), REASSIGNED)).toBe(true);
  });

  it('keeps out a unit user who belongs to no unit', () => {
    expect(canReadProposal({ id: 'u-nobody', role: 'unit' }, ASSIGNED)).toBe(false);
  });

  it('keeps out the machine reader of the event feed', () => {
    expect(canReadProposal(someone('service'), ASSIGNED)).toBe(false);
  });
});
