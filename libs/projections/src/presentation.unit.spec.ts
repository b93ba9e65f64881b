import {
  ATTITUDES,
  CATEGORIES,
  DECLINE_REASONS,
  RESULT_CATEGORIES,
  ROLE_LABELS,
  STATUS_LABELS,
  STORED_TYPES,
  UNIT_KINDS,
  VISIT_FORMS,
  VISIT_STAGES,
  VISITOR_RANKS,
  type Actor,
  type DomainEvent,
  type DomainEventType,
  type EventMetadata,
  type EventNames,
} from '@app/proposals';
import { auditProjection } from './audit/audit.projection.js';
import { auditEntry } from './audit/audit.query.js';
import {
  historyEntry,
  labelsOfData,
  localDate,
  localTime,
  offsetText,
  proposalSummary,
  proposalView,
  stepLabelOf,
  timed,
  vocabulary,
} from './presentation.js';
import type { ProjectedEvent } from './projection.js';
import type { ProposalDoc } from './proposals/proposal-doc.js';
import { proposalsProjection } from './proposals/proposals.projection.js';
import { publicAnswer } from './proposals/public-answers.query.js';

const BEIJING = 8 * 60;
const CJK = /^[\u3400-\u9fff]+$/;

describe('business time beside the UTC instant', () => {
  it.each([
    ['a morning in Beijing', '2019-04-15T02:00:00.000Z', '2019-04-15T10:00:00+08:00', '2019-04-15'],
    ['the last millisecond of 28 June in Beijing, still 28 June in UTC', '2019-06-28T15:59:59.999Z', '2019-06-28T23:59:59.999+08:00', '2019-06-28'],
    ['midnight in Beijing, still 28 June in UTC', '2019-06-28T16:00:00.000Z', '2019-06-29T00:00:00+08:00', '2019-06-29'],
    ['00:30 in Beijing, the day before in UTC', '2019-03-29T16:30:00Z', '2019-03-30T00:30:00+08:00', '2019-03-30'],
    ['New Year in Beijing, still the old year in UTC', '2019-12-31T16:00:00.000Z', '2020-01-01T00:00:00+08:00', '2020-01-01'],
  ])('%s: %s is %s, business date %s', (_, instant, local, date) => {
    expect(localTime(instant, BEIJING)).toBe(local);
    expect(localDate(instant, BEIJING)).toBe(date);
    expect(timed('occurredAt', instant, BEIJING)).toEqual({ occurredAt: instant, occurredAtLocal: local, occurredAtDate: date });
  });

  it('writes any offset, west of UTC and at UTC too', () => {
    expect(offsetText(480)).toBe('+08:00');
    expect(offsetText(-330)).toBe('-05:30');
    expect(offsetText(0)).toBe('+00:00');
    expect(localTime('2019-04-15T02:00:00.000Z', -330)).toBe('2019-04-14T20:30:00-05:30');
    expect(localTime('2019-04-15T02:00:00.000Z', 0)).toBe('2019-04-15T02:00:00+00:00');
  });

  it('shows a value that is no instant as it is', () => {
    expect(localTime('not a time', BEIJING)).toBe('not a time');
  });
});

describe('labels for every code', () => {
  it('gives every stored step a Chinese label, its older stored versions too; an unknown type stays itself', () => {
    for (const step of Object.keys(STORED_TYPES) as DomainEventType[]) expect(stepLabelOf(STORED_TYPES[step])).toMatch(CJK);
    expect(stepLabelOf('proposal.filed.v1')).toBe('提交');
    expect(stepLabelOf('proposal.answered.v1')).toBe('答复');
    expect(stepLabelOf('session.opened.v1')).toBe('开幕');
    expect(stepLabelOf('proposal.unknown.v9')).toBe('proposal.unknown.v9');
  });

  it('lists every code of every closed list with its label (GET /vocabulary)', () => {
    const v = vocabulary();
    const codes = (list: readonly { code: string; label: string }[]) => Object.fromEntries(list.map((e) => [e.code, e.label]));
    expect(codes(v.statuses)).toEqual(STATUS_LABELS);
    expect(codes(v.categories)).toEqual(CATEGORIES);
    expect(codes(v.resultCategories)).toEqual(RESULT_CATEGORIES);
    expect(codes(v.declineReasons)).toEqual(DECLINE_REASONS);
    expect(codes(v.attitudes)).toEqual(ATTITUDES);
    expect(codes(v.visitStages)).toEqual(VISIT_STAGES);
    expect(codes(v.visitorRanks)).toEqual(VISITOR_RANKS);
    expect(codes(v.visitForms)).toEqual(VISIT_FORMS);
    expect(codes(v.unitKinds)).toEqual(UNIT_KINDS);
    expect(codes(v.roles)).toEqual(ROLE_LABELS);
    expect(v.steps.map((s) => s.code).sort()).toEqual(Object.keys(STORED_TYPES).sort());
    for (const s of [v.statuses, v.roles, v.steps].flat()) expect(s.label).toMatch(CJK);
    expect(v.steps.find((s) => s.code === 'ProposalFiled')).toEqual({ code: 'ProposalFiled', label: '提交', storedTypes: ['proposal.filed.v2', 'proposal.filed.v1'] });
  });

  it('labels the codes of a step’s data under the same keys, with the names of the time, else the codes', () => {
    const names: EventNames = { units: { fgw: '区发改委', czj: '区财政局' }, members: { 'm-1': '张三' } };
    expect(labelsOfData('ProposalAnswered', { unit: 'fgw', category: 'B', text: '…', publish: true }, names)).toEqual({ unit: '区发改委', category: '列入计划拟解决' });
    expect(labelsOfData('ProposalAssigned', { leadUnit: 'fgw', coUnits: ['czj', 'jyj'], dueDate: '2019-06-28' }, names)).toEqual({
      leadUnit: '区发改委',
      coUnits: ['区财政局', 'jyj'],
    });
    expect(labelsOfData('ProposalVisited', { unit: 'fgw', stage: 'after', visitorRank: 'deputy', form: 'phone' }, undefined)).toEqual({
      unit: 'fgw',
      stage: '办后回访',
      visitorRank: '分管领导',
      form: '电话',
    });
    expect(labelsOfData('FeedbackGiven', { member: 'm-1', attitude: 'basically-satisfied', agreesWithResult: true }, names)).toEqual({ member: '张三', attitude: '基本满意' });
    expect(labelsOfData('ProposalDeclined', { reason: 'out-of-scope' }, undefined)).toEqual({ reason: '不属于提案范围' });
    // A code named like an inherited property is a code, not Object.prototype's.
    expect(labelsOfData('ProposalAnswered', { unit: 'constructor', category: 'A' }, names)).toEqual({ unit: 'constructor', category: '解决或采纳' });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Read models, folded from events as the projections fold them

const office: Actor = { id: 'o-1', role: 'office', name: '区政府办公室' };
const fgwStaff: Actor = { id: 'u-1', role: 'unit', unit: 'fgw' };
const clerk: Actor = { id: 'k-1', role: 'clerk', name: '录入员' };
const member: Actor = { id: 'm-1', role: 'member', name: '张委员' };

let position = 0;
function projected(event: DomainEvent, at: string, actor: Actor, names?: EventNames, recorder?: Actor, recordedAt = at): ProjectedEvent {
  const metadata = { tenant: 'jinshan', actor, ...(recorder ? { recorder } : {}), occurredAt: at, recordedAt, hash: `h${position + 1}`, commandType: 'X', correlationId: 'c', causationId: 'c', commandId: 'c', ...(names ? { names } : {}) };
  position++;
  return { event, storedType: STORED_TYPES[event.type], stream: 'proposal-jinshan:p1', category: 'proposal', tenant: 'jinshan', streamId: 'p1', revision: position - 1, position, metadata: metadata as EventMetadata };
}

const filed: DomainEvent = {
  type: 'ProposalFiled',
  data: { proposalId: 'p1', session: '6-3', title: '加大扶持民营企业发展的建议', body: '建议设立专项资金。', category: 'economy', proposers: [{ id: 'm-1', name: '张委员' }], invitedCoProposers: [] },
};

describe('a proposal read as a person reads it', () => {
  const projection = proposalsProjection(BEIJING);
  const fold = (events: ProjectedEvent[]) => events.reduce<ProposalDoc | null>((doc, e) => projection.evolve(doc, e), null) as ProposalDoc;

  it('keeps the names each step had: a unit renamed between assignment and answer shows both names where they belong', () => {
    position = 0;
    const doc = fold([
      projected(filed, '2019-01-10T02:00:00.000Z', member, { units: {}, members: { 'm-1': '张三' } }),
      projected({ type: 'ProposalRegistered', data: { number: '6-3-001' } }, '2019-01-20T02:00:00.000Z', { id: 'c-1', role: 'committee' }, { units: {}, members: {} }),
      projected({ type: 'ProposalAssigned', data: { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-06-28' } }, '2019-03-30T02:00:00.000Z', office, { units: { fgw: '区发改委', czj: '区财政局' }, members: {} }),
      projected({ type: 'ProposalAnswered', data: { unit: 'fgw', category: 'A', text: '已纳入扶持政策。', publish: true } }, '2019-06-28T15:59:59.999Z', fgwStaff, { units: { fgw: '区发展改革委' }, members: {} }),
      projected({ type: 'FeedbackGiven', data: { member: 'm-1', attitude: 'satisfied', agreesWithResult: true } }, '2019-07-01T15:59:59.999Z', member, { units: {}, members: { 'm-1': '张三' } }, clerk, '2019-07-05T02:00:00.000Z'),
      projected({ type: 'AnswerPublished', data: { answerNumber: 1 } }, '2019-07-02T02:00:00.000Z', office, { units: {}, members: {} }),
    ]);
    const view = proposalView(doc, false, BEIJING);
    expect(view).toMatchObject({
      id: 'p1',
      number: '6-3-001',
      title: '加大扶持民营企业发展的建议',
      body: '建议设立专项资金。',
      category: 'economy',
      categoryLabel: '经济发展',
      status: 'answered',
      statusLabel: '已答复',
      proposers: [{ id: 'm-1', name: '张三' }],
      leadUnit: 'fgw',
      leadUnitName: '区发展改革委', // the latest step's name
      coUnitNames: ['区财政局'],
      filedAt: '2019-01-10T02:00:00.000Z',
      filedAtLocal: '2019-01-10T10:00:00+08:00',
      filedAtDate: '2019-01-10',
      assignments: [{ kind: 'assigned', kindLabel: '交办', leadUnit: 'fgw', leadUnitName: '区发改委', coUnitNames: ['区财政局'], atDate: '2019-03-30' }],
      answers: [{ unit: 'fgw', unitName: '区发展改革委', category: 'A', categoryLabel: '解决或采纳', atLocal: '2019-06-28T23:59:59.999+08:00', atDate: '2019-06-28' }],
      latestCategoryLabel: '解决或采纳',
      feedback: [{ member: 'm-1', memberName: '张三', attitude: 'satisfied', attitudeLabel: '满意' }],
      publishedAtDate: '2019-07-02',
      paperRecords: [{ revision: 4, type: 'proposal.feedback-given.v1', stepLabel: '委员反馈', atDate: '2019-07-01', recordedAtDate: '2019-07-05', recorder: { id: 'k-1', name: '录入员' } }],
    });
    expect(view).not.toHaveProperty('tenant');
    expect(proposalSummary(doc, false, BEIJING)).toMatchObject({ statusLabel: '已答复', leadUnitName: '区发展改革委', proposers: ['张三'], filedAtDate: '2019-01-10' });
    expect(publicAnswer(doc, BEIJING)).toMatchObject({ unit: 'fgw', unitName: '区发展改革委', result: 'A', resultLabel: '解决或采纳', answeredAtDate: '2019-06-28', proposers: ['张三'] });
  });

  it('shows codes and ids where the events carry no names (recorded before the directory)', () => {
    position = 0;
    const doc = fold([
      projected(filed, '2019-01-10T02:00:00.000Z', member),
      projected({ type: 'ProposalRegistered', data: { number: '6-3-002' } }, '2019-01-20T02:00:00.000Z', { id: 'c-1', role: 'committee' }),
      projected({ type: 'ProposalAssigned', data: { leadUnit: '区发展改革委', coUnits: [], dueDate: '2019-06-28' } }, '2019-03-30T02:00:00.000Z', office),
      projected({ type: 'ProposalVisited', data: { unit: '区发展改革委', stage: 'before', visitorRank: 'principal', form: 'in-person' } }, '2019-04-01T02:00:00.000Z', fgwStaff),
    ]);
    expect(doc.names).toEqual({ units: {}, members: {} });
    const view = proposalView(doc, false, BEIJING);
    expect(view).toMatchObject({
      proposers: [{ id: 'm-1', name: '张委员' }], // the name of the member's own sign-in
      leadUnitName: '区发展改革委',
      assignments: [{ leadUnitName: '区发展改革委' }],
      visits: [{ unitName: '区发展改革委', stageLabel: '办前拜访', visitorRankLabel: '主要领导', formLabel: '当面' }],
    });
  });
});

describe('an event in the history and the audit trail', () => {
  const names: EventNames = { units: { fgw: '区发改委' }, members: {} };

  it('carries the proposal, the step’s label, the names of the time, business time, the recorder of a paper entry and the hash', () => {
    position = 0;
    const e = projected(
      { type: 'ProposalVisited', data: { unit: 'fgw', stage: 'before', visitorRank: 'deputy', form: 'phone' } },
      '2019-03-04T15:59:59.999Z',
      { id: 'u-3', role: 'unit', unit: 'fgw', name: '李科长' },
      names,
      clerk,
      '2019-03-26T02:00:00.000Z',
    );
    const entry = historyEntry({ revision: 3, position: 9, type: e.storedType, data: e.event.data, metadata: e.metadata }, { number: '6-3-001', title: '加大扶持' }, BEIJING);
    expect(entry).toMatchObject({
      number: '6-3-001',
      title: '加大扶持',
      type: 'proposal.visited.v1',
      step: 'ProposalVisited',
      stepLabel: '走访',
      data: { unit: 'fgw', stage: 'before' },
      labels: { unit: '区发改委', stage: '办前拜访', visitorRank: '分管领导', form: '电话' },
      actor: { id: 'u-3', role: 'unit', roleLabel: '承办单位', unit: 'fgw', unitName: '区发改委', name: '李科长' },
      recorder: { id: 'k-1', role: 'clerk', roleLabel: '录入员', name: '录入员' },
      paper: true,
      occurredAtLocal: '2019-03-04T23:59:59.999+08:00',
      occurredAtDate: '2019-03-04',
      recordedAtLocal: '2019-03-26T10:00:00+08:00',
      recordedAtDate: '2019-03-26',
      hash: 'h1',
    });

    const doc = auditProjection.evolve(null, e);
    expect(doc).not.toBeNull();
    expect(auditEntry(doc!, { number: '6-3-001', title: '加大扶持' }, BEIJING)).toMatchObject({
      number: '6-3-001',
      title: '加大扶持',
      type: 'proposal.visited.v1',
      stepLabel: '走访',
      actorId: 'u-3',
      actorName: '李科长',
      actorRoleLabel: '承办单位',
      actorUnit: 'fgw',
      actorUnitName: '区发改委',
      recorderId: 'k-1',
      recorderName: '录入员',
      recorderRoleLabel: '录入员',
      occurredAtDate: '2019-03-04',
      recordedAtLocal: '2019-03-26T10:00:00+08:00',
      lagDays: 21,
      hash: 'h1',
    });
  });

  it('falls back to codes and ids on an event without names', () => {
    position = 0;
    const e = projected({ type: 'ProposalAnswered', data: { unit: '区发展改革委', category: 'C', text: '…', publish: false, withholdReason: '内部' } }, '2019-05-01T02:00:00.000Z', { id: 'u-1', role: 'unit', unit: '区发展改革委' });
    const entry = historyEntry({ revision: 0, position: 1, type: e.storedType, data: e.event.data, metadata: e.metadata }, { number: null, title: 't' }, BEIJING);
    expect(entry).toMatchObject({ number: null, labels: { unit: '区发展改革委', category: '留作参考' }, actor: { name: 'u-1', unitName: '区发展改革委' }, paper: false });
    expect(entry).not.toHaveProperty('recorder');
    expect(auditEntry(auditProjection.evolve(null, e)!, undefined, BEIJING)).toMatchObject({ number: null, title: null, actorName: 'u-1', actorUnitName: '区发展改革委', recorderName: null });
  });
});
