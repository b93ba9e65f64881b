import { points } from './percent.js';
import type { SessionStatistics } from './statistics.js';

export interface Change {
  readonly from: string;
  readonly to: string;
  /** Percentage-point changes of every percentage figure. */
  readonly answeredOnTime: number | null;
  readonly solveRate: number | null;
  readonly categoryA: number | null;
  readonly categoryB: number | null;
  readonly categoryC: number | null;
  readonly satisfaction: number | null;
  readonly firstTimeSatisfaction: number | null;
  readonly agreement: number | null;
  readonly principalVisitRate: number | null;
  readonly published: number | null;
  /** Changes of counts. */
  readonly registered: number;
  readonly leaderClaimed: number;
  readonly keyProposals: number;
}

export interface YearOverYear {
  readonly sessions: readonly SessionStatistics[];
  /** Each session against the one before it in the list. */
  readonly changes: readonly Change[];
}

export function yearOverYear(sessions: readonly SessionStatistics[]): YearOverYear {
  const changes = sessions.slice(1).map((to, i): Change => {
    const from = sessions[i];
    return {
      from: from.session,
      to: to.session,
      answeredOnTime: points(from.answeredOnTime.percent, to.answeredOnTime.percent),
      solveRate: points(from.solveRate, to.solveRate),
      categoryA: points(from.categories.A.percent, to.categories.A.percent),
      categoryB: points(from.categories.B.percent, to.categories.B.percent),
      categoryC: points(from.categories.C.percent, to.categories.C.percent),
      satisfaction: points(from.satisfaction, to.satisfaction),
      firstTimeSatisfaction: points(from.firstTimeSatisfaction, to.firstTimeSatisfaction),
      agreement: points(from.agreement, to.agreement),
      principalVisitRate: points(from.principalVisitRate, to.principalVisitRate),
      published: points(from.published.percent, to.published.percent),
      registered: to.registered - from.registered,
      leaderClaimed: to.leaderClaimed - from.leaderClaimed,
      keyProposals: to.keyProposals - from.keyProposals,
    };
  });
  return { sessions, changes };
}
