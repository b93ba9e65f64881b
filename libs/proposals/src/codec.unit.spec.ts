import { createEventCodec, eventCodec, schemaVersionOf, STORED_TYPES, UPCASTERS, type DomainEvent } from './codec.js';
import { EMPTY_DIRECTORY } from './directory/state.js';
import { IllegalTransition } from './errors.js';
import { decideProposal, type ProposalContext } from './proposal/decide.js';
import type { ProposalEvent } from './proposal/events.js';
import { evolveProposal, type ProposalState } from './proposal/state.js';
import { BEIJING, refusalOf, sessionOf, tenOClock } from './testing/given.js';

const answered: DomainEvent = {
  type: 'ProposalAnswered',
  data: { unit: 'construction-commission', category: 'B', text: '已列入2019年建设计划', publish: true },
};

describe('the event codec', () => {
  it('stores every event under an explicit, versioned, past-tense name that other services rely on', () => {
    expect(STORED_TYPES).toEqual({
      ProposalFiled: 'proposal.filed.v2',
      CoProposerConfirmed: 'proposal.co-proposer-confirmed.v1',
      ProposalWithdrawn: 'proposal.withdrawn.v1',
      ProposalRegistered: 'proposal.registered.v1',
      ProposalDeclined: 'proposal.declined.v1',
      ProposalAssigned: 'proposal.assigned.v1',
      ReassignmentRequested: 'proposal.reassignment-requested.v1',
      ProposalReassigned: 'proposal.reassigned.v1',
      ProposalClaimed: 'proposal.claimed.v1',
      ProposalVisited: 'proposal.visited.v1',
      CoUnitOpinionSent: 'proposal.co-unit-opinion-sent.v1',
      ProposalAnswered: 'proposal.answered.v1',
      FeedbackGiven: 'proposal.feedback-given.v1',
      ProposalRenegotiated: 'proposal.renegotiated.v1',
      ProposalFollowedUp: 'proposal.followed-up.v1',
      ProposalSupervised: 'proposal.supervised.v1',
      AnswerPublished: 'proposal.answer-published.v1',
      ProposalEscalated: 'proposal.escalated.v1',
      SessionOpened: 'session.opened.v1',
      ProposalNumberReserved: 'session.number-reserved.v1',
      SupervisionVisitRecorded: 'session.supervision-visit-recorded.v1',
      UnitRegistered: 'directory.unit-registered.v1',
      UnitChanged: 'directory.unit-changed.v1',
      UnitDeactivated: 'directory.unit-deactivated.v1',
      MemberRegistered: 'directory.member-registered.v1',
      MemberChanged: 'directory.member-changed.v1',
      MemberDeactivated: 'directory.member-deactivated.v1',
      StaffAccountAdded: 'directory.staff-account-added.v1',
      StaffAccountRemoved: 'directory.staff-account-removed.v1',
      ReminderIssued: 'reminder.issued.v1',
    });
  });

  it('encodes an answer as proposal.answered.v1 (schema version 1, in the name only), with its data untouched', () => {
    expect(eventCodec.encode(answered)).toEqual({
      type: 'proposal.answered.v1',
      data: { unit: 'construction-commission', category: 'B', text: '已列入2019年建设计划', publish: true },
    });
  });

  it.each<DomainEvent>([
    answered,
    { type: 'ProposalRegistered', data: { number: '6-3-017' } },
    { type: 'ProposalFollowedUp', data: { note: '新增充电桩80个已投用', substantiveProgress: true } },
    { type: 'SessionOpened', data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 90 } },
    { type: 'ProposalNumberReserved', data: { number: '6-3-017', proposalId: 'p-charging-piles' } },
  ])('decodes what it encoded: $type', (event) => {
    const stored = eventCodec.encode(event);
    expect(eventCodec.decode(stored.type, JSON.parse(JSON.stringify(stored.data)))).toEqual(event);
  });

  it('reads a filing stored as proposal.filed.v1 with its proposers joined, as they were accepted then', () => {
    const v1 = { proposalId: 'p-1', session: '6-3', title: '垃圾分类', body: '……', category: 'environment', proposers: [{ id: 'm-1', name: '张委员' }, { id: 'm-2' }] };
    expect(eventCodec.decode('proposal.filed.v1', v1)).toEqual({ type: 'ProposalFiled', data: { ...v1, invitedCoProposers: [] } });
    expect(eventCodec.storedTypes).toContain('proposal.filed.v1');
    expect(eventCodec.storedTypesOf('ProposalFiled')).toEqual(['proposal.filed.v2', 'proposal.filed.v1']);
  });

  it.each(['ProposalAnswered', 'proposal.answered.v2', 'proposal.answered', 'order.placed.v1'])(
    'does not know the stored type %s',
    (type) => {
      expect(eventCodec.decode(type, {})).toBeUndefined();
    },
  );

  it('reads the schema version from the stored name', () => {
    expect(schemaVersionOf('proposal.answered.v1')).toBe(1);
    expect(schemaVersionOf('proposal.answered.v12')).toBe(12);
    expect(schemaVersionOf('proposal.answered')).toBe(1);
  });
});

/*
 * Schema evolution, worked example. Before disclosure decisions were recorded, an answer was stored as
 * `proposal.answered.v0` with only unit, category and text. Such an answer was never decided public, so the
 * upcaster reads it as withheld, with a reason that says why — it must not become public by a change of code.
 */
describe('reading an event stored in an older shape', () => {
  const LEGACY_REASON = '旧版答复未记录公开决定';
  const codec = createEventCodec({
    ...UPCASTERS,
    'proposal.answered.v0': { to: 'proposal.answered.v1', up: (data) => ({ ...data, publish: false, withholdReason: LEGACY_REASON }) },
  });

  const stored: { type: string; data: unknown; occurredAt: string }[] = [
    {
      type: 'proposal.filed.v1',
      data: {
        proposalId: 'p-charging-piles',
        session: '6-3',
        title: '关于科学规范设立充电桩的建议',
        body: '建议统一规划全区充电桩布点……',
        category: 'urban-rural',
        proposers: [{ id: 'm-wang' }],
      },
      occurredAt: tenOClock('2019-01-10'),
    },
    { type: 'proposal.registered.v1', data: { number: '6-3-017' }, occurredAt: tenOClock('2019-01-25') },
    {
      type: 'proposal.assigned.v1',
      data: { leadUnit: 'construction-commission', coUnits: [], dueDate: '2019-06-13' },
      occurredAt: tenOClock('2019-03-15'),
    },
    {
      type: 'proposal.answered.v0',
      data: { unit: 'construction-commission', category: 'B', text: '已列入2019年建设计划' },
      occurredAt: tenOClock('2019-05-30'),
    },
  ];

  const fold = (): ProposalState | null =>
    stored.reduce<ProposalState | null>((state, { type, data, occurredAt }) => {
      const event = codec.decode(type, data);
      if (event === undefined || !STORED_TYPES[event.type].startsWith('proposal.'))
        throw new TypeError(`not a proposal event: ${type}`);
      return evolveProposal(state, event as ProposalEvent, { occurredAt });
    }, null);

  it('upcasts the old answer to the current shape', () => {
    expect(codec.decode('proposal.answered.v0', stored[3].data)).toEqual({
      type: 'ProposalAnswered',
      data: {
        unit: 'construction-commission',
        category: 'B',
        text: '已列入2019年建设计划',
        publish: false,
        withholdReason: LEGACY_REASON,
      },
    });
  });

  it('lists the old name among the stored types it reads', () => {
    expect(codec.storedTypes).toContain('proposal.answered.v0');
    expect(codec.storedTypes).toContain('proposal.answered.v1');
  });

  it('folds a stream holding the old answer into today’s state', () => {
    expect(fold()).toMatchObject({
      status: 'answered',
      number: '6-3-017',
      answers: [
        {
          unit: 'construction-commission',
          category: 'B',
          publish: false,
          withholdReason: LEGACY_REASON,
          occurredAt: tenOClock('2019-05-30'),
          dueDate: '2019-06-13',
        },
      ],
    });
  });

  it('so the rules treat the old answer as withheld from publication', () => {
    const state = fold();
    const session = sessionOf({
      type: 'SessionOpened',
      data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 90 },
    });
    const ctx: ProposalContext = {
      actor: { id: 'o-sun', role: 'office' },
      occurredAt: tenOClock('2019-06-01'),
      recordedAt: tenOClock('2019-06-01'),
      utcOffsetMinutes: BEIJING,
      session,
      directory: EMPTY_DIRECTORY,
    };
    expect(refusalOf(() => decideProposal({ type: 'PublishAnswer', data: {} }, state, ctx))).toEqual({
      error: IllegalTransition,
      message: `the answer was withheld from publication: ${LEGACY_REASON}`,
    });
  });

  it('writes the upcast event back under its current name', () => {
    const event = codec.decode('proposal.answered.v0', stored[3].data);
    expect(event && codec.encode(event).type).toBe('proposal.answered.v1');
  });

  it('gives up on upcasters that go round in a circle instead of hanging', () => {
    const circular = createEventCodec({
      'proposal.answered.v0': { to: 'proposal.answered.legacy', up: (data) => data },
      'proposal.answered.legacy': { to: 'proposal.answered.v0', up: (data) => data },
    });
    expect(circular.decode('proposal.answered.v0', {})).toBeUndefined();
  });
});
