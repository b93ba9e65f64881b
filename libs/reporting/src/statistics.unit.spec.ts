import { type DomainEvent, type EventMetadata } from '@app/proposals';
import { docId, proposalsProjection, sessionsProjection, type ProjectedEvent, type ProposalDoc, type SessionDoc } from '@app/projections';
import { percent, points } from './percent.js';
import { sessionStatistics, type StatisticsInput } from './statistics.js';

const OFFSET = 480;
const proposals = proposalsProjection(OFFSET);
let position = 0;

/** Folds a story of events (business instants in UTC) into the read-model documents, as the projection does. */
function fold(story: [stream: string, at: string, event: DomainEvent][]) {
  const docs = new Map<string, ProposalDoc | SessionDoc>();
  const revisions = new Map<string, number>();
  for (const [stream, at, event] of story) {
    const [category, id] = stream.split('/') as ['proposal' | 'session', string];
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    const metadata = { occurredAt: at, recordedAt: at, actor: { id: 'x', role: 'office' } } as unknown as EventMetadata;
    const e: ProjectedEvent = { event, storedType: event.type, stream, category, tenant: 'jinshan', streamId: id, revision, position: ++position, metadata };
    const projection = category === 'proposal' ? proposals : sessionsProjection;
    const key = projection.keyOf(e) as string;
    const next = (projection.evolve as (d: unknown, ev: ProjectedEvent) => ProposalDoc | SessionDoc | null)(docs.get(key) ?? null, e);
    if (next) docs.set(key, next);
  }
  return docs;
}

const filed = (id: string, session = '6-3'): DomainEvent => ({
  type: 'ProposalFiled',
  data: { proposalId: id, session, title: `提案${id}`, body: '…', category: 'economy', proposers: [{ id: 'm-1' }], invitedCoProposers: [] },
});
const answered = (unit: string, category: 'A' | 'B' | 'C', publish = true): DomainEvent => ({
  type: 'ProposalAnswered',
  data: { unit, category, text: '答复', publish, ...(publish ? {} : { withholdReason: '内部事项' }) },
});
const feedback = (attitude: 'satisfied' | 'basically-satisfied' | 'dissatisfied', agreesWithResult: boolean): DomainEvent => ({
  type: 'FeedbackGiven',
  data: { member: 'm-1', attitude, agreesWithResult },
});
const visit = (unit: string, visitorRank: 'principal' | 'deputy' | 'staff'): DomainEvent => ({
  type: 'ProposalVisited',
  data: { unit, stage: 'before', visitorRank, form: 'in-person' },
});
const b = (day: string) => `2019-${day}T02:00:00.000Z`; // 10:00 in Beijing

/**
 * A hand-computed case: five proposals of session 6-3 (three registered, one merged, one not yet reviewed) and two
 * of 6-2 followed up, with figures worked out by hand below, at the end of the session and as of 5 March 2019.
 */
const docs = fold([
  ['session/6-2', '2018-01-05T02:00:00.000Z', { type: 'SessionOpened', data: { sessionId: '6-2', name: '六届二次会议', year: 2018, answerLimitDays: 90 } }],
  ['session/6-3', b('01-05'), { type: 'SessionOpened', data: { sessionId: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 } }],
  ['proposal/p1', b('01-10'), filed('p1')],
  ['proposal/p2', b('01-10'), filed('p2')],
  ['proposal/p3', b('01-11'), filed('p3')],
  ['proposal/p4', b('01-12'), filed('p4')],
  ['proposal/p5', b('01-12'), filed('p5')],
  ['proposal/p1', b('01-20'), { type: 'ProposalRegistered', data: { number: '6-3-001' } }],
  ['proposal/p2', b('01-20'), { type: 'ProposalRegistered', data: { number: '6-3-002' } }],
  ['proposal/p3', b('01-20'), { type: 'ProposalDeclined', data: { reason: 'merged', mergedInto: 'p1' } }],
  ['proposal/p4', b('01-21'), { type: 'ProposalRegistered', data: { number: '6-3-003' } }],
  ['proposal/p1', b('01-22'), { type: 'ProposalClaimed', data: { leader: 'l-1' } }],
  ['proposal/p1', b('01-25'), { type: 'ProposalAssigned', data: { leadUnit: 'U1', coUnits: [], dueDate: '2019-04-25' } }],
  ['proposal/p2', b('01-25'), { type: 'ProposalAssigned', data: { leadUnit: 'U2', coUnits: [], dueDate: '2019-04-25' } }],
  ['proposal/p4', b('01-26'), { type: 'ProposalAssigned', data: { leadUnit: 'U1', coUnits: ['U3'], dueDate: '2019-04-26' } }],
  ['proposal/p1', b('02-01'), visit('U1', 'principal')],
  ['proposal/p1', b('02-01'), { type: 'ProposalSupervised', data: { key: true } }],
  ['proposal/p2', b('02-02'), visit('U2', 'staff')],
  ['proposal/p4', b('02-10'), { type: 'ProposalSupervised', data: { key: true } }],
  ['session/6-3', b('03-01'), { type: 'SupervisionVisitRecorded', data: { unit: 'U1' } }],
  ['proposal/p1', b('03-01'), answered('U1', 'A')],
  // 00:00 on 6 March in Beijing: after the end of 5 March.
  ['session/6-3', '2019-03-05T16:00:00.000Z', { type: 'SupervisionVisitRecorded', data: { unit: 'U2' } }],
  ['proposal/p1', b('03-10'), feedback('satisfied', true)],
  ['proposal/p1', b('03-15'), { type: 'AnswerPublished', data: { answerNumber: 1 } }],
  ['proposal/p4', b('04-01'), { type: 'ProposalSupervised', data: { key: false } }],
  ['proposal/p4', b('04-10'), { type: 'CoUnitOpinionSent', data: { unit: 'U3', opinion: '同意' } }],
  ['proposal/p4', b('04-20'), answered('U1', 'C', false)],
  ['proposal/p4', b('04-25'), feedback('basically-satisfied', true)],
  ['proposal/p2', b('05-01'), answered('U2', 'B')],
  ['proposal/p2', b('05-10'), feedback('dissatisfied', false)],
  ['proposal/p2', b('05-11'), { type: 'ProposalFollowedUp', data: { unit: 'U2', note: '已开工', substantiveProgress: true } }],
  ['proposal/p2', b('05-12'), { type: 'ProposalRenegotiated', data: { reason: '再协商', dueDate: '2019-07-01' } }],
  ['proposal/p2', b('06-15'), answered('U2', 'A')],
  ['proposal/p2', b('06-20'), feedback('satisfied', true)],
  ['session/6-3', b('06-01'), { type: 'SupervisionVisitRecorded', data: { unit: 'U1' } }],
  ['proposal/q1', '2018-01-10T02:00:00.000Z', filed('q1', '6-2')],
  ['proposal/q2', '2018-01-10T02:00:00.000Z', filed('q2', '6-2')],
  ['proposal/q1', b('08-01'), { type: 'ProposalFollowedUp', data: { note: '竣工', substantiveProgress: true } }],
  ['proposal/q2', '2018-11-01T02:00:00.000Z', { type: 'ProposalFollowedUp', data: { note: '进展', substantiveProgress: true } }],
  ['proposal/q2', b('09-01'), { type: 'ProposalFollowedUp', data: { note: '无进展', substantiveProgress: false } }],
]);

const input = (asOf?: string): StatisticsInput => {
  const all = [...docs.values()].filter((d): d is ProposalDoc => 'proposalId' in d);
  return {
    session: docs.get(docId('jinshan', '6-3')) as SessionDoc,
    proposals: all.filter((p) => p.session === '6-3'),
    followedUp: all.filter((p) => p.substantiveYears.includes(2019)),
    asOf,
    utcOffsetMinutes: OFFSET,
  };
};

describe('session statistics, hand-computed', () => {
  it('gives every figure at the end of the session', () => {
    expect(sessionStatistics(input())).toEqual({
      definitions: 'cppcc-handling-report@2',
      session: '6-3',
      name: '六届三次会议',
      year: 2019,
      asOf: null,
      filed: 5,
      registered: 3,
      declined: 1,
      withdrawn: 0,
      awaitingReview: 1,
      answeredOnTime: { count: 2, percent: 66.7 }, // p2's first answer (1 May) came after its due date (25 April)
      categories: { A: { count: 2, percent: 66.7 }, B: { count: 0, percent: 0 }, C: { count: 1, percent: 33.3 } },
      solveRate: 66.7,
      satisfaction: 100, // latest feedback: p1 satisfied, p2 satisfied after re-negotiation, p4 basically satisfied
      firstTimeSatisfaction: 66.7, // p2's first feedback was dissatisfied
      agreement: 100,
      leaderClaimed: 1,
      principalVisitRate: 50, // lead units U1 and U2; only U1 was visited by its principal
      published: { count: 1, percent: 33.3 },
      keyUnitsVisited: 2,
      keyProposals: 1, // p4 was marked key, then unmarked
      substantiveProgress: 2, // p2 (6-3) and q1 (6-2) in 2019; q2's was in 2018
    });
  });

  it('gives the figures as they stood at the end of 5 March 2019, business time', () => {
    expect(sessionStatistics(input('2019-03-05'))).toMatchObject({
      asOf: '2019-03-05',
      filed: 5,
      registered: 3,
      declined: 1,
      answeredOnTime: { count: 1, percent: 33.3 },
      categories: { A: { count: 1, percent: 33.3 }, B: { count: 0, percent: 0 }, C: { count: 0, percent: 0 } },
      solveRate: 33.3,
      satisfaction: null, // no feedback yet: no denominator, no figure
      firstTimeSatisfaction: null,
      agreement: null,
      leaderClaimed: 1,
      principalVisitRate: 50,
      published: { count: 0, percent: 0 },
      keyUnitsVisited: 1, // the visit to U2 happened at 00:00 on 6 March
      keyProposals: 2,
      substantiveProgress: 0,
    });
  });

  it('counts nothing before the session began', () => {
    const early = sessionStatistics(input('2019-01-01'));
    expect(early).toMatchObject({ filed: 0, registered: 0, answeredOnTime: { count: 0, percent: null }, solveRate: null, principalVisitRate: null });
  });
});

describe('percentages', () => {
  it.each([
    [8, 155, 5.2],
    [134, 155, 86.5],
    [13, 155, 8.4],
    [120, 155, 77.4],
    [124, 147, 84.4],
    [101, 147, 68.7],
    [1, 8, 12.5],
    [1, 3, 33.3],
    [2, 3, 66.7],
    [0, 5, 0],
    [5, 5, 100],
  ])('%i of %i is %d%%, one decimal, half up', (count, of, expected) => {
    expect(percent(count, of)).toBe(expected);
  });

  it('has no figure for a zero denominator', () => {
    expect(percent(0, 0)).toBeNull();
  });

  it('gives changes in percentage points, without floating-point noise', () => {
    expect(points(84.4, 86.5)).toBe(2.1);
    expect(points(68.7, 77.4)).toBe(8.7);
    expect(points(null, 77.4)).toBeNull();
  });
});
