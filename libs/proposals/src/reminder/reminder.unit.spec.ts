import { Forbidden, IllegalTransition } from '../errors.js';
import type { Actor } from '../actor.js';
import { BEIJING, fold, given, on, refusalOf, sessionOf, tenOClock } from '../testing/given.js';
import { decideReminder } from './decide.js';
import { DEFAULT_REMINDER_POLICY, escalationDue, remindersDue } from './due.js';
import { evolveReminders, NO_REMINDERS } from './events.js';

/** Dated stories of one proposal's reminders, decided with a pinned clock (docs/domain.md, "Reminders and escalation"). */
const system: Actor = { id: 'reminder-scheduler', role: 'system' };
const office: Actor = { id: 'o-1', role: 'office' };
const session = sessionOf({ type: 'SessionOpened', data: { sessionId: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 } });

const filed = on('2019-03-01', {
  type: 'ProposalFiled',
  data: { proposalId: 'p-1', session: '6-3', title: '关于加装电梯的建议', body: '……', category: 'urban-rural', proposers: [{ id: 'm-1' }], invitedCoProposers: [] },
});
const assigned = [
  filed,
  on('2019-03-02', { type: 'ProposalRegistered', data: { number: '6-3-001' } }),
  on('2019-03-03', { type: 'ProposalAssigned', data: { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-03-20' } }),
];
const answered = [...assigned, on('2019-03-04', { type: 'CoUnitOpinionSent', data: { unit: 'czj', opinion: '同意。' } }), on('2019-03-15', { type: 'ProposalAnswered', data: { unit: 'fgw', category: 'A', text: '已解决。', publish: true } })];

const due = (history: Parameters<typeof fold>[0], date: string) =>
  remindersDue(fold(history)!, date, BEIJING, DEFAULT_REMINDER_POLICY).map((r) => `${r.kind} ${r.threshold} ${r.dueDate} ${r.recipients.map((x) => ('id' in x ? x.id : x.role)).join(',')}`);

describe('which reminders a proposal calls for', () => {
  it('before the due date: the tightest threshold reached, to the lead unit and the co-units owing their opinion', () => {
    expect(due(assigned, '2019-03-05')).toEqual([]);
    expect(due(assigned, '2019-03-06')).toEqual(['due-soon 14 2019-03-20 fgw', 'co-unit-opinion-awaited 14 2019-03-20 czj']);
    expect(due(assigned, '2019-03-12')).toEqual(['due-soon 14 2019-03-20 fgw', 'co-unit-opinion-awaited 14 2019-03-20 czj']);
    expect(due(assigned, '2019-03-13')).toEqual(['due-soon 7 2019-03-20 fgw', 'co-unit-opinion-awaited 7 2019-03-20 czj']);
    expect(due(assigned, '2019-03-20')).toEqual(['due-soon 1 2019-03-20 fgw', 'co-unit-opinion-awaited 1 2019-03-20 czj']);
  });

  it('past it: overdue to the units and the office, escalated to the office and the committee after 7 days', () => {
    expect(due(assigned, '2019-03-21')).toEqual(['overdue 1 2019-03-20 fgw,czj,office']);
    expect(due(assigned, '2019-03-27')).toEqual(['overdue 1 2019-03-20 fgw,czj,office', 'escalated 7 2019-03-20 office,committee']);
    expect(escalationDue(fold(assigned)!, '2019-03-26', DEFAULT_REMINDER_POLICY)).toBeUndefined();
    expect(escalationDue(fold(assigned)!, '2019-03-27', DEFAULT_REMINDER_POLICY)).toEqual({ dueDate: '2019-03-20' });
  });

  it('after an answer: nothing about the due date; feedback awaited from those who gave none, 14 days on', () => {
    expect(due(answered, '2019-03-28')).toEqual([]);
    expect(due(answered, '2019-03-29')).toEqual(['feedback-awaited 14 2019-03-29 m-1']);
    const withFeedback = [...answered, on('2019-03-30', { type: 'FeedbackGiven', data: { member: 'm-1', attitude: 'satisfied', agreesWithResult: true } })];
    expect(due(withFeedback, '2019-04-01')).toEqual([]);
  });
});

describe('deciding a reminder', () => {
  const ctx = (date: string, history = assigned) => ({ actor: system, occurredAt: tenOClock(date), utcOffsetMinutes: BEIJING, policy: DEFAULT_REMINDER_POLICY, proposal: fold(history) });
  const key = { proposalId: 'p-1', kind: 'due-soon' as const, threshold: 7, dueDate: '2019-03-20' };

  it('sends it once, with the proposal’s number and title and the recipients its state names', () => {
    const [event] = decideReminder({ type: 'IssueReminder', data: key }, null, ctx('2019-03-13'));
    expect(event).toEqual({
      type: 'ReminderIssued',
      data: { proposalId: 'p-1', session: '6-3', number: '6-3-001', title: '关于加装电梯的建议', kind: 'due-soon', threshold: 7, dueDate: '2019-03-20', recipients: [{ role: 'unit', id: 'fgw' }] },
    });
    expect(decideReminder({ type: 'IssueReminder', data: key }, evolveReminders(NO_REMINDERS, event), ctx('2019-03-14'))).toEqual([]);
  });

  it('refuses one that is not due, and anyone but the system', () => {
    expect(refusalOf(() => decideReminder({ type: 'IssueReminder', data: key }, null, ctx('2019-03-12')))).toMatchObject({ error: IllegalTransition });
    expect(refusalOf(() => decideReminder({ type: 'IssueReminder', data: key }, null, ctx('2019-03-13', answered)))).toMatchObject({ error: IllegalTransition });
    expect(refusalOf(() => decideReminder({ type: 'IssueReminder', data: key }, null, { ...ctx('2019-03-13'), actor: office }))).toMatchObject({
      error: Forbidden,
      message: 'sending a reminder is for system, not office',
    });
  });
});

describe('escalating an overdue proposal', () => {
  const story = given(assigned, { now: tenOClock('2019-03-27'), session });
  const escalate = { type: 'EscalateProposal' as const, data: { dueDate: '2019-03-20', afterDays: 7 } };

  it('is the system’s step, once per due date, after the days configured', () => {
    expect(story.when(escalate, { actor: system })).toEqual([{ type: 'ProposalEscalated', data: { dueDate: '2019-03-20', daysOverdue: 7 } }]);
    expect(refusalOf(() => story.when(escalate, { actor: system, occurredAt: tenOClock('2019-03-26') }))).toMatchObject({ error: IllegalTransition });
    expect(refusalOf(() => story.when(escalate, { actor: office }))).toMatchObject({ error: Forbidden });
    const again = given([...assigned, on('2019-03-27', { type: 'ProposalEscalated', data: { dueDate: '2019-03-20', daysOverdue: 7 } })], { now: tenOClock('2019-03-28'), session });
    expect(again.when(escalate, { actor: system })).toEqual([]);
  });

  it('is refused for a due date no longer in force, and once the proposal is answered', () => {
    const renegotiated = given([...assigned, on('2019-03-21', { type: 'ProposalReassigned', data: { leadUnit: 'czj', coUnits: [], dueDate: '2019-04-30', previousLeadUnit: 'fgw' } })], { now: tenOClock('2019-03-28'), session });
    expect(refusalOf(() => renegotiated.when(escalate, { actor: system }))).toMatchObject({ error: IllegalTransition, field: 'dueDate' });
    expect(refusalOf(() => given(answered, { now: tenOClock('2019-03-28'), session }).when(escalate, { actor: system }))).toMatchObject({ error: IllegalTransition });
  });
});
