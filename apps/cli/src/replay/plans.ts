import type { SessionStatistics } from '@app/reporting';

/**
 * How each session of the demo data is handled, in counts. The generator turns these counts into proposals and
 * steps; the figures of the report are then computed from the recorded events by the statistics code, never
 * copied from here. The 2019 counts are the seed report's (docs/domain.md, "The 2019 report as a worked example"); of
 * 2018 the seed gives only the solve rate, the published share and the leader-claimed count (147 registered fits
 * them); 2017 is wholly illustrative (示例), chosen so that the solve rate rises three years in a row.
 */
export interface SessionPlan {
  readonly year: number;
  readonly session: string;
  readonly name: string;
  readonly seed: string;
  /** The plenary session's days: proposals are filed during them. */
  readonly plenary: { readonly from: string; readonly to: string };
  /** The figures the seed report gives for this session; every other figure is illustrative. */
  readonly fromSeed: readonly (keyof SessionStatistics)[];
  /** Printed under the report: where the session's figures come from. */
  readonly note: string;
  readonly filed: number;
  readonly declined: { readonly merged: number; readonly opinion: number; readonly outOfScope: number };
  /** Registered proposals by their latest answer's result category. */
  readonly latest: { readonly A: number; readonly B: number; readonly C: number };
  /** First answered B, re-negotiated in the November review and answered again A (再研究、再协商、再解决). */
  readonly convertedInReview: number;
  /** First feedback 不满意 and 不同意: handling re-negotiated, a new answer, then satisfied feedback. */
  readonly dissatisfiedFirst: number;
  /** First feedback 基本满意 but 不同意 with the result: re-negotiated as well. */
  readonly disagreedFirst: number;
  /** First answers after the due date in force. */
  readonly late: number;
  /** Lead units that asked to be relieved and whose proposal the office reassigned. */
  readonly reassigned: number;
  readonly published: number;
  readonly claimed: number;
  readonly key: number;
  readonly keyUnitsVisited: number;
  /** Supervision visits beyond the first to a unit (a unit visited twice). */
  readonly repeatedSupervisionVisits: number;
  /** Lead units none of whose visits was made by their principal or deputy leader. */
  readonly leadUnitsOnlyStaffVisits: number;
  /**
   * The November follow-up review (跟踪梳理) of this year: for each session since 六届一次会议, how many of its
   * proposals still planned (B) are marked as having made substantive progress (实质性新进展).
   */
  readonly review: readonly { readonly session: string; readonly substantive: number }[];
}

export const SESSION_PLANS: readonly SessionPlan[] = [
  {
    year: 2017,
    session: '6-1',
    name: '区政协六届一次会议',
    seed: 'jinshan-cppcc/6-1',
    plenary: { from: '2017-01-09', to: '2017-01-13' },
    fromSeed: [],
    note: '6-1 (2017): 示例 illustrative: the seed report gives no figure of this session',
    filed: 178,
    declined: { merged: 12, opinion: 9, outOfScope: 5 },
    latest: { A: 125, B: 12, C: 15 },
    convertedInReview: 2,
    dissatisfiedFirst: 6,
    disagreedFirst: 1,
    late: 2,
    reassigned: 3,
    published: 95,
    claimed: 14,
    key: 80,
    keyUnitsVisited: 11,
    repeatedSupervisionVisits: 2,
    leadUnitsOnlyStaffVisits: 1,
    review: [{ session: '6-1', substantive: 3 }],
  },
  {
    year: 2018,
    session: '6-2',
    name: '区政协六届二次会议',
    seed: 'jinshan-cppcc/6-2',
    plenary: { from: '2018-01-08', to: '2018-01-12' },
    fromSeed: ['registered', 'solveRate', 'published', 'leaderClaimed'],
    note: '6-2 (2018): only 立案 147, 解决率 84.4%, 公开答复 68.7% and 区领导领办 16 fit the seed report; every other figure is 示例 illustrative',
    filed: 171,
    declined: { merged: 11, opinion: 8, outOfScope: 5 },
    latest: { A: 124, B: 10, C: 13 },
    convertedInReview: 2,
    dissatisfiedFirst: 5,
    disagreedFirst: 1,
    late: 1,
    reassigned: 3,
    published: 101,
    claimed: 16,
    key: 88,
    keyUnitsVisited: 12,
    repeatedSupervisionVisits: 2,
    leadUnitsOnlyStaffVisits: 0,
    review: [
      { session: '6-1', substantive: 3 },
      { session: '6-2', substantive: 3 },
    ],
  },
  {
    year: 2019,
    session: '6-3',
    name: '区政协六届三次会议',
    seed: 'jinshan-cppcc/6-3',
    plenary: { from: '2019-01-07', to: '2019-01-11' },
    fromSeed: [
      'filed', 'registered', 'declined', 'answeredOnTime', 'categories', 'solveRate', 'satisfaction', 'agreement',
      'leaderClaimed', 'principalVisitRate', 'published', 'keyUnitsVisited', 'keyProposals', 'substantiveProgress',
    ],
    note:
      '6-3 (2019): the seed report\'s figures; B is 8/155 = 5.2% (the seed prints 5.1%, the remainder to 100); ' +
      '初次满意率 is 示例 illustrative (the seed gives none)',
    filed: 184,
    declined: { merged: 14, opinion: 9, outOfScope: 6 },
    latest: { A: 134, B: 8, C: 13 },
    convertedInReview: 3,
    dissatisfiedFirst: 4,
    disagreedFirst: 1,
    late: 0,
    reassigned: 3,
    published: 120,
    claimed: 19,
    key: 97,
    keyUnitsVisited: 14,
    repeatedSupervisionVisits: 3,
    leadUnitsOnlyStaffVisits: 0,
    // 10 proposals of all sessions since 六届一次会议 made substantive progress in 2019.
    review: [
      { session: '6-1', substantive: 4 },
      { session: '6-2', substantive: 4 },
      { session: '6-3', substantive: 2 },
    ],
  },
];

export const planOfYear = (year: number): SessionPlan => {
  const plan = SESSION_PLANS.find((p) => p.year === year);
  if (!plan) throw new RangeError(`no demo session for ${year}: choose ${SESSION_PLANS.map((p) => p.year).join(', ')}`);
  return plan;
};

export const planOfSession = (session: string): SessionPlan => {
  const plan = SESSION_PLANS.find((p) => p.session === session);
  if (!plan) throw new RangeError(`no demo session ${session}`);
  return plan;
};
