import type { Actor } from '../actor.js';
import { Forbidden, IllegalTransition, NotFound, ValidationFailed } from '../errors.js';
import { directoryOf, given, on, refusalOf, sessionOf, tenOClock, type Given } from '../testing/given.js';
import type { SessionEvent } from '../session/events.js';
import type { Attitude, ResultCategory } from '../vocabulary.js';
import type { ProposalCommand } from './commands.js';
import type { ProposalEvent } from './events.js';
import { proposalNeeds } from './decide.js';
import { evolveProposal, type ProposalState } from './state.js';

/*
 * One proposal of the 3rd plenary session of the 6th district committee (六届三次会议, 2019), told step by step:
 * filed in January, registered, assigned in March to a lead unit and one co-unit with the session's 90-day limit.
 * Every step happens at 10:00 Beijing time of the date shown; commands are decided at NOW unless they say when.
 */
const P = 'p-charging-piles';
const NOW = '2019-11-15T02:00:00.000Z';
const OPENED: SessionEvent = {
  type: 'SessionOpened',
  data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 90 },
};
const SESSION = sessionOf(OPENED);
const story = (...history: Given[]) => given(history, { now: NOW, session: SESSION, directory: DIRECTORY });

const LEAD = 'construction-commission'; // 区建管委
const CO = 'planning-bureau'; // 区规划资源局
const OTHER = 'transport-commission'; // 区交通委
const DIRECTORY = directoryOf({ units: [LEAD, CO, OTHER], members: ['m-wang', 'm-li', 'm-zhao'] });

const wang: Actor = { id: 'm-wang', role: 'member', name: '王委员' };
const li: Actor = { id: 'm-li', role: 'member' };
const zhao: Actor = { id: 'm-zhao', role: 'member' };
const committee: Actor = { id: 'c-tian', role: 'committee' };
const office: Actor = { id: 'o-sun', role: 'office' };
const leadUnit: Actor = { id: 'u-chen', role: 'unit', unit: LEAD };
const coUnit: Actor = { id: 'u-zhou', role: 'unit', unit: CO };
const otherUnit: Actor = { id: 'u-wu', role: 'unit', unit: OTHER };
const unitless: Actor = { id: 'u-nobody', role: 'unit' };
const viceMayor: Actor = { id: 'l-zhang', role: 'leader', name: '张副区长' };
const clerk: Actor = { id: 'k-he', role: 'clerk' };

const filedEvent: ProposalEvent = {
  type: 'ProposalFiled',
  data: {
    proposalId: P,
    session: '6-3',
    title: '关于科学规范设立充电桩的建议',
    body: '建议统一规划全区充电桩布点……',
    category: 'urban-rural',
    // 李委员 joined when the proposal was filed under the rules of proposal.filed.v1 (see the codec).
    proposers: [{ id: 'm-wang', name: '王委员' }, { id: 'm-li' }],
    invitedCoProposers: [],
  },
};
const answered = (category: ResultCategory, date: string, publish = true): Given =>
  on(date, {
    type: 'ProposalAnswered',
    data: {
      unit: LEAD,
      category,
      text: `答复（${category}类）`,
      publish,
      ...(publish ? {} : { withholdReason: '涉及未公开的规划信息' }),
    },
  });
const feedback = (member: string, attitude: Attitude, agreesWithResult: boolean, date: string): Given =>
  on(date, { type: 'FeedbackGiven', data: { member, attitude, agreesWithResult } });

const FILED = [on('2019-01-10', filedEvent)];
const REGISTERED = [...FILED, on('2019-01-25', { type: 'ProposalRegistered', data: { number: '6-3-017' } })];
const DECLINED = [...FILED, on('2019-01-25', { type: 'ProposalDeclined', data: { reason: 'out-of-scope' } })];
const ASSIGNED = [
  ...REGISTERED,
  on('2019-03-15', { type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [CO], dueDate: '2019-06-13' } }),
];
const OPINION_IN = [
  ...ASSIGNED,
  on('2019-04-20', { type: 'CoUnitOpinionSent', data: { unit: CO, opinion: '同意主办单位的布点方案' } }),
];
const ANSWERED_A = [...OPINION_IN, answered('A', '2019-05-30')];
const ANSWERED_B = [...OPINION_IN, answered('B', '2019-05-30')];
const REOPENED = [...ANSWERED_B, feedback('m-wang', 'dissatisfied', false, '2019-06-10')];

describe('any step on an existing proposal', () => {
  it('is refused when it happened before the proposal’s previous step', () => {
    expect(
      refusalOf(() =>
        story(...OPINION_IN).when(
          { type: 'AnswerProposal', data: { category: 'A', text: '答复', publish: true } },
          { actor: leadUnit, recorder: clerk, occurredAt: '2019-04-19T08:00:00.000Z' },
        ),
      ),
    ).toEqual({
      error: IllegalTransition,
      message: "occurredAt 2019-04-19T08:00:00.000Z is before the proposal's previous step (2019-04-20T02:00:00.000Z)",
      field: 'occurredAt',
    });
  });

  it('may happen at the same instant as the previous step', () => {
    expect(
      story(...OPINION_IN).when(
        { type: 'AnswerProposal', data: { category: 'A', text: '答复', publish: true } },
        { actor: leadUnit, occurredAt: tenOClock('2019-04-20') },
      ),
    ).toEqual([{ type: 'ProposalAnswered', data: { unit: LEAD, category: 'A', text: '答复', publish: true } }]);
  });

  it('is refused as not found when the proposal was never filed', () => {
    expect(refusalOf(() => story().when({ type: 'RegisterProposal', data: {} }, { actor: committee }))).toEqual({
      error: NotFound,
      message: 'no such proposal',
    });
  });
});

describe('FileProposal', () => {
  const file = (coProposers?: string[]) =>
    ({
      type: 'FileProposal',
      data: {
        proposalId: P,
        session: '6-3',
        title: '关于科学规范设立充电桩的建议',
        body: '建议统一规划全区充电桩布点……',
        category: 'urban-rural',
        ...(coProposers ? { coProposers } : {}),
      },
    }) as const;
  const filed = (proposers: { id: string; name?: string }[], invitedCoProposers: string[]) => ({
    ...filedEvent,
    data: { ...filedEvent.data, proposers, invitedCoProposers },
  });

  it('files a member’s proposal with the member as its proposer, under the name of their sign-in', () => {
    expect(story().when(file(), { actor: wang, occurredAt: tenOClock('2019-01-10') })).toEqual([
      filed([{ id: 'm-wang', name: '王委员' }], []),
    ]);
  });

  it('asks each co-proposer once to join a joint proposal; the filing member leads it', () => {
    expect(story().when(file(['m-li', 'm-wang', 'm-li', 'm-zhao']), { actor: wang })).toEqual([
      filed([{ id: 'm-wang', name: '王委员' }], ['m-li', 'm-zhao']),
    ]);
  });

  it('lets the committee file in its own name, asking the members it names to join', () => {
    expect(story().when(file(['m-wang', 'm-li']), { actor: committee })).toEqual([filed([], ['m-wang', 'm-li'])]);
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story().when(file(), { actor: office }))).toEqual({
      error: Forbidden,
      message: 'filing a proposal is for member or committee, not office',
    });
  });

  it('is refused when the session does not exist', () => {
    expect(refusalOf(() => story().when(file(), { actor: wang, session: null }))).toEqual({
      error: NotFound,
      message: 'no session 6-3',
      field: 'session',
    });
  });

  it('is refused as a paper record dated before the session opened', () => {
    expect(refusalOf(() => story().when(file(), { actor: wang, recorder: clerk, occurredAt: tenOClock('1900-01-01') }))).toEqual({
      error: IllegalTransition,
      message: 'occurredAt 1900-01-01T02:00:00.000Z is before session 6-3 opened (2018-12-01T02:00:00.000Z)',
      field: 'occurredAt',
    });
  });

  it('is refused a second time for the same proposal', () => {
    expect(refusalOf(() => story(...FILED).when(file(), { actor: wang }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} is already filed`,
    });
  });
});

describe('ConfirmCoProposal (联名确认)', () => {
  const confirm = { type: 'ConfirmCoProposal', data: {} } as const;
  const joint = () =>
    story(on('2019-01-10', { ...filedEvent, data: { ...filedEvent.data, proposers: [{ id: 'm-wang', name: '王委员' }], invitedCoProposers: ['m-li', 'm-zhao'] } }));

  it('lets an asked member join under the name of their own sign-in', () => {
    expect(joint().when(confirm, { actor: { ...zhao, name: '赵委员' } })).toEqual([
      { type: 'CoProposerConfirmed', data: { member: 'm-zhao', name: '赵委员' } },
    ]);
  });

  it('gives feedback rights only after joining', () => {
    const asked = joint();
    const answeredState = story(
      on('2019-01-10', { ...filedEvent, data: { ...filedEvent.data, proposers: [{ id: 'm-wang', name: '王委员' }], invitedCoProposers: ['m-li'] } }),
      on('2019-01-20', { type: 'ProposalRegistered', data: { number: '6-3-017' } }),
      on('2019-02-25', { type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [], dueDate: '2019-05-26' } }),
      answered('A', '2019-05-20'),
    );
    expect(refusalOf(() => answeredState.when({ type: 'GiveFeedback', data: { attitude: 'satisfied', agreesWithResult: true } }, { actor: li }))).toEqual({
      error: Forbidden,
      message: `member m-li has not joined proposal ${P}: confirm first`,
    });
    expect(asked.state?.proposers.map((p) => p.id)).toEqual(['m-wang']);
  });

  it('is forbidden to a member who was not asked, without telling them anything about the proposal', () => {
    expect(refusalOf(() => joint().when(confirm, { actor: { id: 'm-stranger', role: 'member' } }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('is refused once the member has joined', () => {
    expect(refusalOf(() => joint().when(confirm, { actor: wang }))).toEqual({
      error: IllegalTransition,
      message: `member m-wang has already joined proposal ${P}`,
    });
  });

  it('is refused after the committee reviewed the proposal', () => {
    const reviewed = story(
      on('2019-01-10', { ...filedEvent, data: { ...filedEvent.data, invitedCoProposers: ['m-zhao'] } }),
      on('2019-01-20', { type: 'ProposalRegistered', data: { number: '6-3-017' } }),
    );
    expect(refusalOf(() => reviewed.when(confirm, { actor: zhao }))).toEqual({
      error: IllegalTransition,
      message: `cannot join as co-proposer: proposal ${P} is registered and not yet assigned`,
    });
  });
});

describe('a caller outside the proposal learns nothing from a refusal', () => {
  const handled = () =>
    story(
      ...FILED,
      on('2019-01-20', { type: 'ProposalRegistered', data: { number: '6-3-017' } }),
      on('2019-02-25', { type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [CO], dueDate: '2019-05-26' } }),
      on('2019-05-01', { type: 'CoUnitOpinionSent', data: { unit: CO, opinion: '同意' } }),
      answered('A', '2019-05-20', false),
    );
  const outside = `proposal ${P} is not one you take part in`;

  it.each<[string, ProposalCommand]>([
    ['an answer', { type: 'AnswerProposal', data: { category: 'A', text: '答复', publish: true } }],
    ['a visit', { type: 'RecordVisit', data: { stage: 'during', visitorRank: 'staff', form: 'phone' } }],
    ['a co-unit opinion', { type: 'SendCoUnitOpinion', data: { opinion: '同意' } }],
    ['a follow-up', { type: 'FollowUpProposal', data: { note: '推进中' } }],
    ['a reassignment request', { type: 'RequestReassignment', data: { reason: '不属于本单位职责' } }],
  ])('a unit that does not handle it, sending %s, hears only that', (_, command) => {
    const refusal = refusalOf(() => handled().when(command, { actor: otherUnit }));
    expect(refusal).toEqual({ error: Forbidden, message: outside });
    expect(refusal.message).not.toMatch(/answered|construction-commission|\bA\b|withheld/);
  });

  it('is told so before the order of steps is checked, so the time of the last step stays unknown', () => {
    expect(refusalOf(() => handled().when({ type: 'RecordVisit', data: { stage: 'during', visitorRank: 'staff', form: 'phone' } }, { actor: otherUnit, recorder: clerk, occurredAt: tenOClock('2019-01-01') }))).toEqual({
      error: Forbidden,
      message: outside,
    });
  });

  it('a member who is not a proposer, giving feedback, hears only that', () => {
    expect(refusalOf(() => handled().when({ type: 'GiveFeedback', data: { attitude: 'satisfied', agreesWithResult: true } }, { actor: zhao }))).toEqual({
      error: Forbidden,
      message: outside,
    });
  });
});

describe('DeclineProposal', () => {
  const TARGET = 'p-new-energy-vehicles';
  const target = (session = '6-3', declined = false): ProposalState => {
    const filed = evolveProposal(
      null,
      { type: 'ProposalFiled', data: { ...filedEvent.data, proposalId: TARGET, session } },
      { occurredAt: tenOClock('2019-01-09') },
    );
    if (!declined) return filed;
    return evolveProposal(filed, { type: 'ProposalDeclined', data: { reason: 'opinion' } }, { occurredAt: tenOClock('2019-01-20') });
  };

  it('declines as out of scope, keeping the committee’s note', () => {
    expect(
      story(...FILED).when(
        { type: 'DeclineProposal', data: { reason: 'out-of-scope', note: '属于司法个案' } },
        { actor: committee },
      ),
    ).toEqual([{ type: 'ProposalDeclined', data: { reason: 'out-of-scope', note: '属于司法个案' } }]);
  });

  it('turns a proposal into a letter of opinion', () => {
    expect(story(...FILED).when({ type: 'DeclineProposal', data: { reason: 'opinion' } }, { actor: committee })).toEqual([
      { type: 'ProposalDeclined', data: { reason: 'opinion' } },
    ]);
  });

  it('merges a proposal into another proposal of the same session', () => {
    expect(
      story(...FILED).when(
        { type: 'DeclineProposal', data: { reason: 'merged', mergedInto: TARGET } },
        { actor: committee, mergeTarget: target() },
      ),
    ).toEqual([{ type: 'ProposalDeclined', data: { reason: 'merged', mergedInto: TARGET } }]);
  });

  it('is forbidden to a member', () => {
    expect(
      refusalOf(() => story(...FILED).when({ type: 'DeclineProposal', data: { reason: 'opinion' } }, { actor: wang })),
    ).toEqual({ error: Forbidden, message: 'declining a proposal is for committee, not member' });
  });

  it('refuses a proposal that was already registered', () => {
    expect(
      refusalOf(() =>
        story(...REGISTERED).when({ type: 'DeclineProposal', data: { reason: 'opinion' } }, { actor: committee }),
      ),
    ).toEqual({ error: IllegalTransition, message: `cannot decline: proposal ${P} is registered and not yet assigned` });
  });

  it('needs the proposal merged into', () => {
    expect(
      refusalOf(() => story(...FILED).when({ type: 'DeclineProposal', data: { reason: 'merged' } }, { actor: committee })),
    ).toEqual({ error: ValidationFailed, message: 'is required when the reason is merged', field: 'mergedInto' });
  });

  it('refuses to merge a proposal into itself', () => {
    expect(
      refusalOf(() =>
        story(...FILED).when({ type: 'DeclineProposal', data: { reason: 'merged', mergedInto: P } }, { actor: committee }),
      ),
    ).toEqual({ error: ValidationFailed, message: 'must be another proposal', field: 'mergedInto' });
  });

  it('refuses to merge into a proposal that does not exist', () => {
    expect(
      refusalOf(() =>
        story(...FILED).when(
          { type: 'DeclineProposal', data: { reason: 'merged', mergedInto: TARGET } },
          { actor: committee, mergeTarget: null },
        ),
      ),
    ).toEqual({ error: ValidationFailed, message: `no proposal ${TARGET}`, field: 'mergedInto' });
  });

  it('refuses to merge into a proposal of another session', () => {
    expect(
      refusalOf(() =>
        story(...FILED).when(
          { type: 'DeclineProposal', data: { reason: 'merged', mergedInto: TARGET } },
          { actor: committee, mergeTarget: target('6-2') },
        ),
      ),
    ).toEqual({ error: ValidationFailed, message: `proposal ${TARGET} belongs to session 6-2`, field: 'mergedInto' });
  });

  it('refuses to merge into a proposal that was itself declined', () => {
    expect(
      refusalOf(() =>
        story(...FILED).when(
          { type: 'DeclineProposal', data: { reason: 'merged', mergedInto: TARGET } },
          { actor: committee, mergeTarget: target('6-3', true) },
        ),
      ),
    ).toEqual({ error: ValidationFailed, message: `proposal ${TARGET} was itself declined`, field: 'mergedInto' });
  });

  it('refuses a proposal merged into when the reason is not merged', () => {
    expect(
      refusalOf(() =>
        story(...FILED).when(
          { type: 'DeclineProposal', data: { reason: 'out-of-scope', mergedInto: TARGET } },
          { actor: committee, mergeTarget: target() },
        ),
      ),
    ).toEqual({ error: ValidationFailed, message: 'is only for the reason merged', field: 'mergedInto' });
  });
});

describe('AssignProposal', () => {
  const assign = (data: { leadUnit: string; coUnits?: string[]; dueDate?: string }) =>
    ({ type: 'AssignProposal', data }) as const;

  it('assigns a lead unit, its co-units and the due date the office sets', () => {
    expect(
      story(...REGISTERED).when(assign({ leadUnit: LEAD, coUnits: [CO], dueDate: '2019-05-31' }), {
        actor: office,
        occurredAt: tenOClock('2019-03-15'),
      }),
    ).toEqual([{ type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [CO], dueDate: '2019-05-31' } }]);
  });

  it('defaults the due date to the session’s answer limit counted from the day of assignment', () => {
    expect(
      story(...REGISTERED).when(assign({ leadUnit: LEAD }), { actor: office, occurredAt: tenOClock('2019-03-15') }),
    ).toEqual([{ type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [], dueDate: '2019-06-13' } }]);
  });

  it('counts the limit of this session, not a fixed three months', () => {
    const shortLimit = sessionOf({
      type: 'SessionOpened',
      data: { sessionId: '6-3', name: '区政协六届三次会议', year: 2019, answerLimitDays: 30 },
    });
    expect(
      story(...REGISTERED).when(assign({ leadUnit: LEAD }), {
        actor: office,
        occurredAt: tenOClock('2019-03-15'),
        session: shortLimit,
      }),
    ).toEqual([{ type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [], dueDate: '2019-04-14' } }]);
  });

  it('counts from the business date: 00:30 in Beijing is already the next day', () => {
    expect(
      story(...REGISTERED).when(assign({ leadUnit: LEAD }), { actor: office, occurredAt: '2019-03-14T16:30:00.000Z' }),
    ).toEqual([{ type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [], dueDate: '2019-06-13' } }]);
  });

  it('is forbidden to a unit', () => {
    expect(refusalOf(() => story(...REGISTERED).when(assign({ leadUnit: LEAD }), { actor: leadUnit }))).toEqual({
      error: Forbidden,
      message: 'assigning a proposal is for office, not unit',
    });
  });

  it('refuses a proposal not yet registered', () => {
    expect(refusalOf(() => story(...FILED).when(assign({ leadUnit: LEAD }), { actor: office }))).toEqual({
      error: IllegalTransition,
      message: `cannot assign: proposal ${P} is filed and not yet reviewed`,
    });
  });

  it('refuses a proposal already assigned and points to reassignment', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(assign({ leadUnit: OTHER }), { actor: office }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} is already assigned to ${LEAD}; reassign it instead`,
    });
  });

  it('refuses a co-unit named twice', () => {
    expect(
      refusalOf(() => story(...REGISTERED).when(assign({ leadUnit: LEAD, coUnits: [CO, CO] }), { actor: office })),
    ).toEqual({ error: ValidationFailed, message: 'must not name a unit twice', field: 'coUnits' });
  });

  it('refuses the lead unit among the co-units', () => {
    expect(
      refusalOf(() => story(...REGISTERED).when(assign({ leadUnit: LEAD, coUnits: [CO, LEAD] }), { actor: office })),
    ).toEqual({ error: ValidationFailed, message: 'must not include the lead unit', field: 'coUnits' });
  });

  it.each(['2019-6-13', '2019-02-30', '13 June 2019'])('refuses the due date %s: not a calendar date', (dueDate) => {
    expect(
      refusalOf(() => story(...REGISTERED).when(assign({ leadUnit: LEAD, dueDate }), { actor: office })),
    ).toEqual({ error: ValidationFailed, message: 'must be a date YYYY-MM-DD', field: 'dueDate' });
  });

  it('refuses a due date before the business day of the assignment', () => {
    expect(
      refusalOf(() =>
        story(...REGISTERED).when(assign({ leadUnit: LEAD, dueDate: '2019-03-14' }), {
          actor: office,
          occurredAt: '2019-03-14T16:30:00.000Z',
        }),
      ),
    ).toEqual({ error: ValidationFailed, message: 'must not be before 2019-03-15, the day of this step', field: 'dueDate' });
  });

  it('accepts a due date on the day of the assignment itself', () => {
    expect(
      story(...REGISTERED).when(assign({ leadUnit: LEAD, dueDate: '2019-03-15' }), {
        actor: office,
        occurredAt: '2019-03-14T16:30:00.000Z',
      }),
    ).toEqual([{ type: 'ProposalAssigned', data: { leadUnit: LEAD, coUnits: [], dueDate: '2019-03-15' } }]);
  });

  it('cannot default the due date without the session', () => {
    expect(
      refusalOf(() => story(...REGISTERED).when(assign({ leadUnit: LEAD }), { actor: office, session: null })),
    ).toEqual({ error: NotFound, message: 'the proposal session does not exist', field: 'session' });
  });
});

describe('RequestReassignment', () => {
  const request = { type: 'RequestReassignment', data: { reason: '充电桩规划属规划资源局职责' } } as const;
  const REQUESTED = [...ASSIGNED, on('2019-03-18', { type: 'ReassignmentRequested', data: { unit: LEAD, reason: '…' } })];

  it('records the lead unit’s request with its reason', () => {
    expect(story(...ASSIGNED).when(request, { actor: leadUnit })).toEqual([
      { type: 'ReassignmentRequested', data: { unit: LEAD, reason: '充电桩规划属规划资源局职责' } },
    ]);
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(request, { actor: office }))).toEqual({
      error: Forbidden,
      message: 'asking for reassignment is for unit, not office',
    });
  });

  it('refuses a proposal that is not being handled by a unit', () => {
    expect(refusalOf(() => story(...REGISTERED).when(request, { actor: leadUnit }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('is forbidden to a co-unit', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(request, { actor: coUnit }))).toEqual({
      error: Forbidden,
      message: `only the lead unit ${LEAD} may ask for reassignment`,
    });
  });

  it('is forbidden to a unit user who belongs to no unit', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(request, { actor: unitless }))).toEqual({
      error: Forbidden,
      message: 'a unit user must belong to a unit',
    });
  });

  it('refuses a second request while the first waits for the office', () => {
    expect(refusalOf(() => story(...REQUESTED).when(request, { actor: leadUnit }))).toEqual({
      error: IllegalTransition,
      message: 'a reassignment request is already waiting for the office',
    });
  });
});

describe('ReassignProposal', () => {
  const reassign = (data: { leadUnit: string; coUnits?: string[]; dueDate?: string }) =>
    ({ type: 'ReassignProposal', data }) as const;
  const REQUESTED = [...ASSIGNED, on('2019-03-18', { type: 'ReassignmentRequested', data: { unit: LEAD, reason: '…' } })];
  const REASSIGNED = [
    ...REQUESTED,
    on('2019-03-20', {
      type: 'ProposalReassigned',
      data: { leadUnit: CO, coUnits: [LEAD], dueDate: '2019-06-18', previousLeadUnit: LEAD },
    }),
  ];

  it('moves the proposal to the units the office names, remembering the previous lead unit', () => {
    expect(
      story(...REQUESTED).when(reassign({ leadUnit: CO, coUnits: [LEAD], dueDate: '2019-06-18' }), {
        actor: office,
        occurredAt: tenOClock('2019-03-20'),
      }),
    ).toEqual([
      { type: 'ProposalReassigned', data: { leadUnit: CO, coUnits: [LEAD], dueDate: '2019-06-18', previousLeadUnit: LEAD } },
    ]);
  });

  it('defaults the due date to the session’s limit counted from the day of reassignment', () => {
    const reassigned = story(...REQUESTED).when(reassign({ leadUnit: CO }), { actor: office, occurredAt: tenOClock('2019-03-20') });
    expect(reassigned).toEqual([
      { type: 'ProposalReassigned', data: { leadUnit: CO, coUnits: [], dueDate: '2019-06-18', previousLeadUnit: LEAD } },
    ]);
  });

  it('may only change the co-units', () => {
    expect(
      story(...ASSIGNED).when(reassign({ leadUnit: LEAD, coUnits: [CO, OTHER], dueDate: '2019-06-13' }), {
        actor: office,
        occurredAt: tenOClock('2019-03-20'),
      }),
    ).toEqual([
      {
        type: 'ProposalReassigned',
        data: { leadUnit: LEAD, coUnits: [CO, OTHER], dueDate: '2019-06-13', previousLeadUnit: LEAD },
      },
    ]);
  });

  it('takes the answer away from the previous lead unit', () => {
    expect(
      refusalOf(() =>
        story(...REASSIGNED).when(
          { type: 'AnswerProposal', data: { category: 'A', text: '答复', publish: true } },
          { actor: leadUnit },
        ),
      ),
    ).toEqual({ error: Forbidden, message: `only the lead unit ${CO} answers proposal ${P}` });
  });

  it('is forbidden to the committee', () => {
    expect(refusalOf(() => story(...REQUESTED).when(reassign({ leadUnit: CO }), { actor: committee }))).toEqual({
      error: Forbidden,
      message: 'reassigning a proposal is for office, not committee',
    });
  });

  it('refuses a proposal that was never assigned', () => {
    expect(refusalOf(() => story(...REGISTERED).when(reassign({ leadUnit: CO }), { actor: office }))).toEqual({
      error: IllegalTransition,
      message: `cannot reassign: proposal ${P} is registered and not yet assigned`,
    });
  });

  it('refuses a proposal already answered', () => {
    expect(refusalOf(() => story(...ANSWERED_A).when(reassign({ leadUnit: OTHER }), { actor: office }))).toEqual({
      error: IllegalTransition,
      message: `cannot reassign: proposal ${P} is answered`,
    });
  });

  it('refuses to reassign to the units already handling the proposal', () => {
    const same = reassign({ leadUnit: LEAD, coUnits: [CO] });
    expect(refusalOf(() => story(...ASSIGNED).when(same, { actor: office }))).toEqual({
      error: ValidationFailed,
      message: 'names the units already handling the proposal',
      field: 'leadUnit',
    });
  });

  it('refuses the new lead unit among the co-units', () => {
    expect(
      refusalOf(() => story(...ASSIGNED).when(reassign({ leadUnit: CO, coUnits: [CO] }), { actor: office })),
    ).toEqual({ error: ValidationFailed, message: 'must not include the lead unit', field: 'coUnits' });
  });

  it('refuses a due date already past', () => {
    expect(
      refusalOf(() =>
        story(...ASSIGNED).when(reassign({ leadUnit: CO, dueDate: '2019-03-19' }), {
          actor: office,
          occurredAt: tenOClock('2019-03-20'),
        }),
      ),
    ).toEqual({ error: ValidationFailed, message: 'must not be before 2019-03-20, the day of this step', field: 'dueDate' });
  });
});

describe('ClaimProposal', () => {
  const claim = { type: 'ClaimProposal', data: {} } as const;
  const CLAIMED = [...ASSIGNED, on('2019-03-16', { type: 'ProposalClaimed', data: { leader: 'l-zhang' } })];

  it('records the district leader who leads the handling', () => {
    expect(story(...ASSIGNED).when(claim, { actor: viceMayor })).toEqual([
      { type: 'ProposalClaimed', data: { leader: 'l-zhang', leaderName: '张副区长' } },
    ]);
  });

  it('may happen as soon as the proposal is registered, and leaves out a name it does not know', () => {
    expect(story(...REGISTERED).when(claim, { actor: { id: 'l-qian', role: 'leader' } })).toEqual([
      { type: 'ProposalClaimed', data: { leader: 'l-qian' } },
    ]);
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(claim, { actor: office }))).toEqual({
      error: Forbidden,
      message: 'claiming a proposal is for leader, not office',
    });
  });

  it('refuses a proposal not yet reviewed', () => {
    expect(refusalOf(() => story(...FILED).when(claim, { actor: viceMayor }))).toEqual({
      error: IllegalTransition,
      message: `cannot claim: proposal ${P} is filed and not yet reviewed`,
    });
  });

  it('refuses a proposal already answered', () => {
    expect(refusalOf(() => story(...ANSWERED_A).when(claim, { actor: viceMayor }))).toEqual({
      error: IllegalTransition,
      message: `cannot claim: proposal ${P} is answered`,
    });
  });

  it('refuses a proposal another leader already claimed', () => {
    expect(refusalOf(() => story(...CLAIMED).when(claim, { actor: { id: 'l-qian', role: 'leader' } }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} is already claimed by l-zhang`,
    });
  });
});

describe('RecordVisit', () => {
  it('records the lead unit’s principal leader visiting the member before handling', () => {
    expect(
      story(...ASSIGNED).when(
        { type: 'RecordVisit', data: { stage: 'before', visitorRank: 'principal', form: 'in-person', note: '听取王委员意见' } },
        { actor: leadUnit },
      ),
    ).toEqual([
      {
        type: 'ProposalVisited',
        data: { unit: LEAD, stage: 'before', visitorRank: 'principal', form: 'in-person', note: '听取王委员意见' },
      },
    ]);
  });

  it('records a co-unit’s visit on site during handling', () => {
    expect(
      story(...ASSIGNED).when(
        { type: 'RecordVisit', data: { stage: 'during', visitorRank: 'deputy', form: 'on-site' } },
        { actor: coUnit },
      ),
    ).toEqual([{ type: 'ProposalVisited', data: { unit: CO, stage: 'during', visitorRank: 'deputy', form: 'on-site' } }]);
  });

  it('records a visit after handling once the proposal is answered', () => {
    expect(
      story(...ANSWERED_A).when(
        { type: 'RecordVisit', data: { stage: 'after', visitorRank: 'staff', form: 'phone' } },
        { actor: leadUnit },
      ),
    ).toEqual([{ type: 'ProposalVisited', data: { unit: LEAD, stage: 'after', visitorRank: 'staff', form: 'phone' } }]);
  });

  it('is forbidden to a member', () => {
    expect(
      refusalOf(() =>
        story(...ASSIGNED).when(
          { type: 'RecordVisit', data: { stage: 'before', visitorRank: 'principal', form: 'in-person' } },
          { actor: wang },
        ),
      ),
    ).toEqual({ error: Forbidden, message: 'visiting the member is for unit, not member' });
  });

  it('refuses a visit after handling before any answer', () => {
    expect(
      refusalOf(() =>
        story(...ASSIGNED).when(
          { type: 'RecordVisit', data: { stage: 'after', visitorRank: 'principal', form: 'phone' } },
          { actor: leadUnit },
        ),
      ),
    ).toEqual({ error: IllegalTransition, message: 'a visit after handling needs an answer first', field: 'stage' });
  });

  it('refuses a visit before handling once the proposal is answered', () => {
    expect(
      refusalOf(() =>
        story(...ANSWERED_A).when(
          { type: 'RecordVisit', data: { stage: 'before', visitorRank: 'principal', form: 'in-person' } },
          { actor: leadUnit },
        ),
      ),
    ).toEqual({ error: IllegalTransition, message: `cannot record a visit before handling: proposal ${P} is answered` });
  });

  it('refuses a visit during handling before the proposal is assigned', () => {
    expect(
      refusalOf(() =>
        story(...REGISTERED).when(
          { type: 'RecordVisit', data: { stage: 'during', visitorRank: 'deputy', form: 'on-site' } },
          { actor: leadUnit },
        ),
      ),
    ).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('is forbidden to a unit that does not handle the proposal', () => {
    expect(
      refusalOf(() =>
        story(...ASSIGNED).when(
          { type: 'RecordVisit', data: { stage: 'before', visitorRank: 'principal', form: 'in-person' } },
          { actor: otherUnit },
        ),
      ),
    ).toEqual({ error: Forbidden, message: `proposal ${P} is not one you take part in` });
  });
});

describe('SendCoUnitOpinion', () => {
  const opinion = { type: 'SendCoUnitOpinion', data: { opinion: '同意主办单位的布点方案' } } as const;

  it('sends the co-unit’s opinion to the lead unit', () => {
    expect(story(...ASSIGNED).when(opinion, { actor: coUnit })).toEqual([
      { type: 'CoUnitOpinionSent', data: { unit: CO, opinion: '同意主办单位的布点方案' } },
    ]);
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(opinion, { actor: office }))).toEqual({
      error: Forbidden,
      message: 'sending a co-unit opinion is for unit, not office',
    });
  });

  it('refuses a proposal not yet assigned', () => {
    expect(refusalOf(() => story(...REGISTERED).when(opinion, { actor: coUnit }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('is forbidden to the lead unit', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(opinion, { actor: leadUnit }))).toEqual({
      error: Forbidden,
      message: `unit ${LEAD} is not a co-unit of proposal ${P}`,
    });
  });

  it('refuses a second opinion from the same co-unit', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(opinion, { actor: coUnit }))).toEqual({
      error: IllegalTransition,
      message: `unit ${CO} already sent its opinion to the lead unit`,
    });
  });
});

describe('AnswerProposal', () => {
  const TEXT = '已在全区公共停车场布设充电桩120个';
  const answer = (category: ResultCategory, publish = true, withholdReason?: string) =>
    ({
      type: 'AnswerProposal',
      data: { category, text: TEXT, publish, ...(withholdReason === undefined ? {} : { withholdReason }) },
    }) as const;

  it('records the lead unit’s answer, its result category and its disclosure', () => {
    expect(story(...OPINION_IN).when(answer('A'), { actor: leadUnit })).toEqual([
      {
        type: 'ProposalAnswered',
        data: { unit: LEAD, category: 'A', text: TEXT, publish: true },
      },
    ]);
  });

  it('records an answer withheld from publication with its reason', () => {
    expect(story(...OPINION_IN).when(answer('C', false, '涉及未公开的规划信息'), { actor: leadUnit })).toEqual([
      {
        type: 'ProposalAnswered',
        data: {
          unit: LEAD,
          category: 'C',
          text: TEXT,
          publish: false,
          withholdReason: '涉及未公开的规划信息',
        },
      },
    ]);
  });

  it('records a signed paper answer a clerk types in for the lead unit, on the day it was signed', () => {
    expect(
      story(...OPINION_IN).when(answer('B'), { actor: leadUnit, recorder: clerk, occurredAt: '2019-05-30T15:59:59.999Z' }),
    ).toEqual([
      {
        type: 'ProposalAnswered',
        data: { unit: LEAD, category: 'B', text: TEXT, publish: true },
      },
    ]);
  });

  it('is forbidden to a co-unit, even through a clerk', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(answer('A'), { actor: coUnit, recorder: clerk }))).toEqual({
      error: Forbidden,
      message: `only the lead unit ${LEAD} answers proposal ${P}`,
    });
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(answer('A'), { actor: office }))).toEqual({
      error: Forbidden,
      message: 'answering a proposal is for unit, not office',
    });
  });

  it('refuses an answer before the proposal is assigned', () => {
    expect(refusalOf(() => story(...REGISTERED).when(answer('A'), { actor: leadUnit }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('refuses an answer to a declined proposal', () => {
    expect(refusalOf(() => story(...DECLINED).when(answer('A'), { actor: leadUnit }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('refuses a second answer while handling is not reopened', () => {
    expect(refusalOf(() => story(...ANSWERED_B).when(answer('A'), { actor: leadUnit }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} is already answered; handling must be reopened first`,
    });
  });

  it('waits for every co-unit’s opinion', () => {
    expect(refusalOf(() => story(...ASSIGNED).when(answer('A'), { actor: leadUnit }))).toEqual({
      error: IllegalTransition,
      message: `waiting for the opinion of co-unit ${CO}`,
    });
  });

  it('waits again for the co-units’ opinions after a reassignment', () => {
    const reassignedWithSameCoUnit = [
      ...OPINION_IN,
      on('2019-04-25', {
        type: 'ProposalReassigned',
        data: { leadUnit: LEAD, coUnits: [CO, OTHER], dueDate: '2019-07-24', previousLeadUnit: LEAD },
      }),
    ];
    expect(refusalOf(() => story(...reassignedWithSameCoUnit).when(answer('A'), { actor: leadUnit }))).toEqual({
      error: IllegalTransition,
      message: `waiting for the opinion of co-unit ${CO}, ${OTHER}`,
    });
  });

  it('refuses a result category other than A, B or C', () => {
    const categoryD = answer('D' as string as ResultCategory);
    expect(refusalOf(() => story(...OPINION_IN).when(categoryD, { actor: leadUnit }))).toEqual({
      error: ValidationFailed,
      message: 'must be A, B or C',
      field: 'category',
    });
  });

  it.each([undefined, '  '])('needs the reason an answer is not published (given %j)', (withholdReason) => {
    expect(refusalOf(() => story(...OPINION_IN).when(answer('A', false, withholdReason), { actor: leadUnit }))).toEqual({
      error: ValidationFailed,
      message: 'is required when the answer is not published',
      field: 'withholdReason',
    });
  });

  it('refuses a withholding reason on a published answer', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(answer('A', true, '涉密'), { actor: leadUnit }))).toEqual({
      error: ValidationFailed,
      message: 'is only for an answer that is not published',
      field: 'withholdReason',
    });
  });
});

describe('GiveFeedback', () => {
  const give = (attitude: Attitude, agreesWithResult: boolean, comment?: string) =>
    ({ type: 'GiveFeedback', data: { attitude, agreesWithResult, ...(comment === undefined ? {} : { comment }) } }) as const;

  it('records a proposer’s rating of the handling and agreement with the result', () => {
    expect(story(...ANSWERED_A).when(give('satisfied', true, '办理认真'), { actor: wang })).toEqual([
      { type: 'FeedbackGiven', data: { member: 'm-wang', attitude: 'satisfied', agreesWithResult: true, comment: '办理认真' } },
    ]);
  });

  it('takes the feedback of each proposer of a joint proposal', () => {
    const wangSatisfied = [...ANSWERED_A, feedback('m-wang', 'satisfied', true, '2019-06-10')];
    expect(story(...wangSatisfied).when(give('basically-satisfied', true), { actor: li })).toEqual([
      { type: 'FeedbackGiven', data: { member: 'm-li', attitude: 'basically-satisfied', agreesWithResult: true } },
    ]);
  });

  it('is forbidden to a member who is not a proposer', () => {
    expect(refusalOf(() => story(...ANSWERED_A).when(give('satisfied', true), { actor: zhao }))).toEqual({
      error: Forbidden,
      message: `proposal ${P} is not one you take part in`,
    });
  });

  it('is forbidden to the office', () => {
    expect(refusalOf(() => story(...ANSWERED_A).when(give('satisfied', true), { actor: office }))).toEqual({
      error: Forbidden,
      message: 'giving feedback is for member, not office',
    });
  });

  it('refuses feedback before any answer', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(give('dissatisfied', false), { actor: wang }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} has no answer to give feedback on`,
    });
  });

  it('still takes the other proposers\' feedback on an answer that one proposer\'s dissatisfaction reopened', () => {
    expect(story(...REOPENED).when(give('satisfied', true), { actor: li })).toEqual([
      { type: 'FeedbackGiven', data: { member: 'm-li', attitude: 'satisfied', agreesWithResult: true } },
    ]);
  });

  it('refuses feedback once handling is re-negotiated, until the new answer', () => {
    const renegotiated = [
      ...REOPENED,
      on('2019-06-12', { type: 'ProposalRenegotiated', data: { reason: '委员不满意，再研究', dueDate: '2019-09-10' } }),
    ];
    expect(refusalOf(() => story(...renegotiated).when(give('satisfied', true), { actor: li }))).toEqual({
      error: IllegalTransition,
      message: `handling of proposal ${P} was re-negotiated; feedback waits for the new answer`,
    });
  });

  it('refuses a second feedback from the same member on the same answer', () => {
    const wangSatisfied = [...ANSWERED_A, feedback('m-wang', 'satisfied', true, '2019-06-10')];
    expect(refusalOf(() => story(...wangSatisfied).when(give('satisfied', true), { actor: wang }))).toEqual({
      error: IllegalTransition,
      message: 'member m-wang already gave feedback on this answer',
    });
  });

  it('closes handling when the member is satisfied and agrees: no new answer is taken', () => {
    const satisfied = [...ANSWERED_B, feedback('m-wang', 'basically-satisfied', true, '2019-06-10')];
    expect(
      refusalOf(() =>
        story(...satisfied).when({ type: 'AnswerProposal', data: { category: 'A', text: '答复', publish: true } }, {
          actor: leadUnit,
        }),
      ),
    ).toEqual({ error: IllegalTransition, message: `proposal ${P} is already answered; handling must be reopened first` });
  });

  it('reopens handling when the member disagrees with the result, even if satisfied with the attitude', () => {
    const disagrees = [...ANSWERED_B, feedback('m-wang', 'satisfied', false, '2019-06-10')];
    expect(
      story(...disagrees).when({ type: 'AnswerProposal', data: { category: 'B', text: '补充答复', publish: true } }, {
        actor: leadUnit,
      }),
    ).toEqual([{ type: 'ProposalAnswered', data: { unit: LEAD, category: 'B', text: '补充答复', publish: true } }]);
  });
});

describe('dissatisfied feedback, re-negotiation and a new answer (B becomes A)', () => {
  const renegotiated = [
    ...REOPENED,
    on('2019-06-12', { type: 'ProposalRenegotiated', data: { reason: '委员不满意，再研究', dueDate: '2019-09-10' } }),
  ];

  it('waits for the co-units to give their opinion again before the new answer', () => {
    expect(
      refusalOf(() =>
        story(...renegotiated).when(
          { type: 'AnswerProposal', data: { category: 'A', text: '充电桩已建成投用', publish: true } },
          { actor: leadUnit, occurredAt: tenOClock('2019-08-30') },
        ),
      ),
    ).toEqual({ error: IllegalTransition, message: `waiting for the opinion of co-unit ${CO}` });
  });

  it('takes a new answer from the lead unit that changes the category from B to A', () => {
    expect(
      story(...renegotiated, on('2019-08-20', { type: 'CoUnitOpinionSent', data: { unit: CO, opinion: '同意建成验收' } })).when(
        { type: 'AnswerProposal', data: { category: 'A', text: '充电桩已建成投用', publish: true } },
        { actor: leadUnit, occurredAt: tenOClock('2019-08-30') },
      ),
    ).toEqual([{ type: 'ProposalAnswered', data: { unit: LEAD, category: 'A', text: '充电桩已建成投用', publish: true } }]);
  });

  it('then asks the proposers again for feedback, on the new answer', () => {
    const reanswered = [
      ...renegotiated,
      on('2019-08-20', { type: 'CoUnitOpinionSent', data: { unit: CO, opinion: '同意建成验收' } }),
      answered('A', '2019-08-30'),
    ];
    expect(
      story(...reanswered).when(
        { type: 'GiveFeedback', data: { attitude: 'satisfied', agreesWithResult: true } },
        { actor: wang, occurredAt: tenOClock('2019-09-05') },
      ),
    ).toEqual([{ type: 'FeedbackGiven', data: { member: 'm-wang', attitude: 'satisfied', agreesWithResult: true } }]);
  });

  it('no longer follows up the proposal once its latest answer is A', () => {
    const reanswered = [...renegotiated, answered('A', '2019-08-30')];
    expect(
      refusalOf(() =>
        story(...reanswered).when({ type: 'FollowUpProposal', data: { note: '跟踪' } }, { actor: office }),
      ),
    ).toEqual({ error: IllegalTransition, message: 'only planned (B) answers are followed up; the latest answer is A' });
  });
});

describe('RenegotiateProposal', () => {
  it('reopens handling after dissatisfied feedback, with the session’s limit counted from today', () => {
    expect(
      story(...REOPENED).when(
        { type: 'RenegotiateProposal', data: { reason: '委员不满意，再研究' } },
        { actor: office, occurredAt: tenOClock('2019-06-12') },
      ),
    ).toEqual([{ type: 'ProposalRenegotiated', data: { reason: '委员不满意，再研究', dueDate: '2019-09-10' } }]);
  });

  it('reopens an answered proposal after a follow-up review, with the due date the committee sets', () => {
    expect(
      story(...ANSWERED_B).when(
        { type: 'RenegotiateProposal', data: { reason: '跟踪督查发现计划未落实', dueDate: '2019-12-31' } },
        { actor: committee },
      ),
    ).toEqual([{ type: 'ProposalRenegotiated', data: { reason: '跟踪督查发现计划未落实', dueDate: '2019-12-31' } }]);
  });

  it('is forbidden to a unit', () => {
    expect(
      refusalOf(() => story(...REOPENED).when({ type: 'RenegotiateProposal', data: { reason: '再研究' } }, { actor: leadUnit })),
    ).toEqual({ error: Forbidden, message: 'reopening handling is for office or committee, not unit' });
  });

  it('refuses a proposal that has no answer yet', () => {
    expect(
      refusalOf(() => story(...ASSIGNED).when({ type: 'RenegotiateProposal', data: { reason: '再研究' } }, { actor: office })),
    ).toEqual({ error: IllegalTransition, message: `proposal ${P} has no answer to re-negotiate` });
  });

  it('refuses a due date before the day of re-negotiation', () => {
    expect(
      refusalOf(() =>
        story(...REOPENED).when(
          { type: 'RenegotiateProposal', data: { reason: '再研究', dueDate: '2019-06-01' } },
          { actor: office, occurredAt: tenOClock('2019-06-12') },
        ),
      ),
    ).toEqual({ error: ValidationFailed, message: 'must not be before 2019-06-12, the day of this step', field: 'dueDate' });
  });
});

describe('FollowUpProposal', () => {
  it('records the lead unit’s progress note on a planned (B) proposal, in a later year', () => {
    expect(
      story(...ANSWERED_B).when(
        { type: 'FollowUpProposal', data: { note: '新增充电桩80个已投用', substantiveProgress: true } },
        { actor: leadUnit, occurredAt: tenOClock('2020-11-05') },
      ),
    ).toEqual([
      { type: 'ProposalFollowedUp', data: { unit: LEAD, note: '新增充电桩80个已投用', substantiveProgress: true } },
    ]);
  });

  it('records the office’s note without a unit, not substantive unless said so', () => {
    expect(story(...ANSWERED_B).when({ type: 'FollowUpProposal', data: { note: '已督促' } }, { actor: office })).toEqual([
      { type: 'ProposalFollowedUp', data: { note: '已督促', substantiveProgress: false } },
    ]);
  });

  it('is forbidden to a leader', () => {
    expect(
      refusalOf(() => story(...ANSWERED_B).when({ type: 'FollowUpProposal', data: { note: '跟踪' } }, { actor: viceMayor })),
    ).toEqual({ error: Forbidden, message: 'following up is for unit or office, not leader' });
  });

  it('refuses a proposal without an answer', () => {
    expect(
      refusalOf(() => story(...ASSIGNED).when({ type: 'FollowUpProposal', data: { note: '跟踪' } }, { actor: office })),
    ).toEqual({ error: IllegalTransition, message: `proposal ${P} has no answer to follow up` });
  });

  it('refuses a proposal whose latest answer is not planned (B)', () => {
    expect(
      refusalOf(() => story(...ANSWERED_A).when({ type: 'FollowUpProposal', data: { note: '跟踪' } }, { actor: leadUnit })),
    ).toEqual({ error: IllegalTransition, message: 'only planned (B) answers are followed up; the latest answer is A' });
  });

  it('is forbidden to a unit that does not handle the proposal', () => {
    expect(
      refusalOf(() => story(...ANSWERED_B).when({ type: 'FollowUpProposal', data: { note: '跟踪' } }, { actor: otherUnit })),
    ).toEqual({ error: Forbidden, message: `proposal ${P} is not one you take part in` });
  });
});

describe('SuperviseProposal', () => {
  it('marks a key proposal with the office’s note', () => {
    expect(
      story(...ASSIGNED).when({ type: 'SuperviseProposal', data: { key: true, note: '列入重点督办' } }, { actor: office }),
    ).toEqual([{ type: 'ProposalSupervised', data: { key: true, note: '列入重点督办' } }]);
  });

  it('lets the committee take the key mark off', () => {
    const key = [...ASSIGNED, on('2019-03-20', { type: 'ProposalSupervised', data: { key: true } })];
    expect(story(...key).when({ type: 'SuperviseProposal', data: { key: false } }, { actor: committee })).toEqual([
      { type: 'ProposalSupervised', data: { key: false } },
    ]);
  });

  it('is forbidden to a unit', () => {
    expect(
      refusalOf(() => story(...ASSIGNED).when({ type: 'SuperviseProposal', data: { key: true } }, { actor: leadUnit })),
    ).toEqual({ error: Forbidden, message: 'supervising a proposal is for office or committee, not unit' });
  });

  it('refuses a proposal not yet reviewed', () => {
    expect(
      refusalOf(() => story(...FILED).when({ type: 'SuperviseProposal', data: { key: true } }, { actor: office })),
    ).toEqual({ error: IllegalTransition, message: `cannot supervise: proposal ${P} is filed and not yet reviewed` });
  });

  it('refuses a declined proposal', () => {
    expect(
      refusalOf(() => story(...DECLINED).when({ type: 'SuperviseProposal', data: { key: true } }, { actor: office })),
    ).toEqual({ error: IllegalTransition, message: `cannot supervise: proposal ${P} is declined` });
  });
});

describe('PublishAnswer', () => {
  const publish = { type: 'PublishAnswer', data: {} } as const;

  it('publishes the first answer', () => {
    expect(story(...ANSWERED_A).when(publish, { actor: office })).toEqual([
      { type: 'AnswerPublished', data: { answerNumber: 1 } },
    ]);
  });

  it('publishes the answer given after re-negotiation as the second one', () => {
    const reanswered = [
      ...REOPENED,
      on('2019-06-11', { type: 'AnswerPublished', data: { answerNumber: 1 } }),
      answered('A', '2019-08-30'),
    ];
    expect(story(...reanswered).when(publish, { actor: office })).toEqual([
      { type: 'AnswerPublished', data: { answerNumber: 2 } },
    ]);
  });

  it('is forbidden to the committee', () => {
    expect(refusalOf(() => story(...ANSWERED_A).when(publish, { actor: committee }))).toEqual({
      error: Forbidden,
      message: 'publishing an answer is for office, not committee',
    });
  });

  it('refuses a proposal without an answer', () => {
    expect(refusalOf(() => story(...OPINION_IN).when(publish, { actor: office }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} has no answer to publish`,
    });
  });

  it('refuses an answer the unit withheld, giving its reason', () => {
    const withheld = [...OPINION_IN, answered('A', '2019-05-30', false)];
    expect(refusalOf(() => story(...withheld).when(publish, { actor: office }))).toEqual({
      error: IllegalTransition,
      message: 'the answer was withheld from publication: 涉及未公开的规划信息',
    });
  });

  it('refuses to publish the same answer twice', () => {
    const published = [...ANSWERED_A, on('2019-06-01', { type: 'AnswerPublished', data: { answerNumber: 1 } })];
    expect(refusalOf(() => story(...published).when(publish, { actor: office }))).toEqual({
      error: IllegalTransition,
      message: 'the latest answer is already published',
    });
  });
});

describe('proposalNeeds: what the command path loads beside the proposal', () => {
  it('loads the session a filing names, and the proposal’s own session where a due date or a number is decided', () => {
    expect(proposalNeeds({ type: 'FileProposal', data: { proposalId: P, session: '6-4', title: 't', body: 'b', category: 'other' } })).toEqual({
      session: { named: '6-4' },
      reservesNumber: false,
    });
    expect(proposalNeeds({ type: 'RegisterProposal', data: {} })).toEqual({ session: 'own', reservesNumber: true });
    expect(proposalNeeds({ type: 'AssignProposal', data: { leadUnit: LEAD } }).session).toBe('own');
    expect(proposalNeeds({ type: 'RenegotiateProposal', data: { reason: '再协商' } }).session).toBe('own');
  });

  it('loads the target of a merge, and nothing else for the other steps', () => {
    expect(proposalNeeds({ type: 'DeclineProposal', data: { reason: 'merged', mergedInto: 'p-other' } })).toEqual({
      session: 'none',
      mergeTarget: 'p-other',
      reservesNumber: false,
    });
    expect(proposalNeeds({ type: 'GiveFeedback', data: { attitude: 'satisfied', agreesWithResult: true } })).toEqual({ session: 'none', reservesNumber: false });
  });
});

describe('WithdrawProposal (撤案)', () => {
  const withdraw = { type: 'WithdrawProposal', data: { reason: '情况已变化，撤回提案' } } as const;

  it('lets the member who leads the proposal withdraw it before the committee reviews it', () => {
    expect(story(...FILED).when(withdraw, { actor: wang })).toEqual([{ type: 'ProposalWithdrawn', data: { reason: '情况已变化，撤回提案' } }]);
  });

  it('is not for a co-proposer', () => {
    expect(refusalOf(() => story(...FILED).when(withdraw, { actor: li }))).toEqual({
      error: Forbidden,
      message: `only the member who leads proposal ${P} withdraws it`,
    });
  });

  it('is too late once the proposal is registered, and leaves nothing more to do after it', () => {
    expect(refusalOf(() => story(...REGISTERED).when(withdraw, { actor: wang }))).toEqual({
      error: IllegalTransition,
      message: `cannot withdraw: proposal ${P} is registered and not yet assigned`,
    });
    const withdrawn = story(...FILED, on('2019-01-12', { type: 'ProposalWithdrawn', data: { reason: '撤回' } }));
    expect(withdrawn.state?.status).toBe('withdrawn');
    expect(refusalOf(() => withdrawn.when({ type: 'RegisterProposal', data: {} }, { actor: committee }))).toEqual({
      error: IllegalTransition,
      message: `cannot register: proposal ${P} is withdrawn by its proposer`,
    });
  });
});

describe('RegisterProposal (立案编号)', () => {
  const reserved = (number: string, proposalId: string): SessionEvent => ({ type: 'ProposalNumberReserved', data: { number, proposalId } });
  const registerIn = (session: ReturnType<typeof sessionOf>, data: { number?: string } = {}) =>
    given([on('2019-01-10', filedEvent)], { now: NOW, session, directory: DIRECTORY }).when({ type: 'RegisterProposal', data }, { actor: committee });

  it('gives the next number of the session’s register', () => {
    expect(registerIn(sessionOf(OPENED, reserved('6-3-016', 'p-other')))).toEqual([{ type: 'ProposalRegistered', data: { number: '6-3-017' } }]);
  });

  it('finishes with the number the session already holds for the proposal (a registration retried after its reservation landed)', () => {
    const session = sessionOf(OPENED, reserved('6-3-001', P), reserved('6-3-002', 'p-other'));
    expect(registerIn(session)).toEqual([{ type: 'ProposalRegistered', data: { number: '6-3-001' } }]);
    expect(registerIn(session, { number: '6-3-001' })).toEqual([{ type: 'ProposalRegistered', data: { number: '6-3-001' } }]);
  });

  it('refuses another number for a proposal the session already holds one for, naming the one it holds', () => {
    const session = sessionOf(OPENED, reserved('6-3-001', P));
    expect(refusalOf(() => registerIn(session, { number: '6-3-100' }))).toEqual({
      error: IllegalTransition,
      message: `proposal ${P} already holds number 6-3-001 of this session; register it with that number or none`,
      field: 'number',
    });
  });

  it('refuses a number given to another proposal', () => {
    expect(refusalOf(() => registerIn(sessionOf(OPENED, reserved('6-3-100', 'p-other')), { number: '6-3-100' }))).toEqual({
      error: IllegalTransition,
      message: 'number 6-3-100 is already given to proposal p-other',
      field: 'number',
    });
  });
});
