import { BEIJING } from '../testing/given.js';
import type { ProposalEvent } from './events.js';
import { answeredOnTime, isOpen, statusAfter, type ProposalStatus } from './lifecycle.js';

describe('answered on time (限时办结), in business time at +08:00, due 2019-06-28', () => {
  it.each([
    ['on the due date, in the morning', '2019-06-28T02:00:00.000Z', true],
    ['on the due date, at 23:59 in Beijing', '2019-06-28T15:59:59.999Z', true],
    ['the day after the due date', '2019-06-29T02:00:00.000Z', false],
    ['late in the evening UTC of the due date, already 29 June at +08:00', '2019-06-28T16:00:00.000Z', false],
    ['the day before, late in the evening UTC, already the due date at +08:00', '2019-06-27T20:00:00.000Z', true],
  ])('an answer %s → on time: %s', (_, at, onTime) => {
    expect(answeredOnTime(at, '2019-06-28', BEIJING)).toBe(onTime);
  });
});

describe('the status machine', () => {
  const filed: ProposalEvent = { type: 'ProposalFiled', data: { proposalId: 'p', session: '6-3', title: 't', body: 'b', category: 'other', proposers: [], invitedCoProposers: [] } };
  const walk = (...events: ProposalEvent[]): ProposalStatus[] => {
    const seen: ProposalStatus[] = [];
    let status: ProposalStatus | null = null;
    for (const e of events) seen.push((status = statusAfter(status, e)));
    return seen;
  };

  it('follows a proposal from filing through dissatisfaction, re-negotiation and a new answer', () => {
    expect(
      walk(
        filed,
        { type: 'ProposalRegistered', data: { number: '6-3-001' } },
        { type: 'ProposalAssigned', data: { leadUnit: 'u', coUnits: [], dueDate: '2019-06-28' } },
        { type: 'ProposalAnswered', data: { unit: 'u', category: 'B', text: '…', publish: true } },
        { type: 'FeedbackGiven', data: { member: 'm', attitude: 'basically-satisfied', agreesWithResult: false } },
        { type: 'ProposalRenegotiated', data: { reason: '再协商', dueDate: '2019-09-30' } },
        { type: 'ProposalAnswered', data: { unit: 'u', category: 'A', text: '…', publish: true } },
        { type: 'FeedbackGiven', data: { member: 'm', attitude: 'satisfied', agreesWithResult: true } },
      ),
    ).toEqual(['filed', 'registered', 'assigned', 'answered', 'reopened', 'reopened', 'answered', 'answered']);
  });

  it('is open while units handle the proposal, and not before or after', () => {
    expect((['filed', 'registered', 'declined', 'assigned', 'answered', 'reopened'] as const).filter(isOpen)).toEqual(['assigned', 'reopened']);
  });

  it('has no status for a step before the filing', () => {
    expect(() => statusAfter(null, { type: 'ProposalRegistered', data: { number: '6-3-001' } })).toThrow('ProposalRegistered before ProposalFiled');
  });
});
