import { answeredOnTime, endOfBusinessDay, type ResultCategory } from '@app/proposals';
import type { ProposalDoc, SessionDoc } from '@app/projections';
import { percent } from './percent.js';

/** Which definitions produced a set of figures: change a definition, change this. */
export const STATISTICS_DEFINITIONS = 'cppcc-handling-report@2';

export interface Share {
  readonly count: number;
  readonly percent: number | null;
}

/** The figures of one session's handling report (docs/domain.md, "The statistics, figure by figure"). */
export interface SessionStatistics {
  readonly definitions: string;
  readonly session: string;
  readonly name: string;
  readonly year: number;
  /** The business date the figures stand at the end of; null: everything recorded so far. */
  readonly asOf: string | null;
  readonly filed: number;
  readonly registered: number;
  readonly declined: number;
  /** 撤案: withdrawn by their lead proposer before review; counted as filed and not registered. */
  readonly withdrawn: number;
  /** Filed, neither registered, declined nor withdrawn yet. */
  readonly awaitingReview: number;
  readonly answeredOnTime: Share;
  readonly categories: Readonly<Record<ResultCategory, Share>>;
  readonly solveRate: number | null;
  readonly satisfaction: number | null;
  readonly firstTimeSatisfaction: number | null;
  readonly agreement: number | null;
  readonly leaderClaimed: number;
  readonly principalVisitRate: number | null;
  readonly published: Share;
  readonly keyUnitsVisited: number;
  readonly keyProposals: number;
  readonly substantiveProgress: number;
}

export interface StatisticsInput {
  readonly session: SessionDoc;
  /** Every proposal filed in the session. */
  readonly proposals: readonly ProposalDoc[];
  /** Proposals of any session with a substantive follow-up in the session's year. */
  readonly followedUp: readonly ProposalDoc[];
  readonly asOf?: string;
  readonly utcOffsetMinutes: number;
}

const latest = <T extends { at: string }>(items: readonly T[], before: string): T | undefined => {
  let found: T | undefined;
  for (const item of items) if (item.at < before) found = item;
  return found;
};
const first = <T extends { at: string }>(items: readonly T[], before: string): T | undefined =>
  items.find((item) => item.at < before);

/**
 * Computes every figure from the dated facts of the read model, as they stood at the end of `asOf` (business time).
 * Each percentage is computed on its own from counts; nothing is forced to add up to 100.
 */
export function sessionStatistics(input: StatisticsInput): SessionStatistics {
  const { session, asOf, utcOffsetMinutes } = input;
  const cutoff = asOf ? new Date(endOfBusinessDay(asOf, utcOffsetMinutes)).toISOString() : '\uffff';
  const before = (at: string | null): boolean => at !== null && at < cutoff;

  const filed = input.proposals.filter((p) => before(p.filedAt));
  const registered = filed.filter((p) => before(p.registeredAt));
  const declined = filed.filter((p) => before(p.declinedAt)).length;
  const withdrawn = filed.filter((p) => before(p.withdrawnAt)).length;

  let onTime = 0;
  const categories: Record<ResultCategory, number> = { A: 0, B: 0, C: 0 };
  let withFeedback = 0;
  let satisfied = 0;
  let firstSatisfied = 0;
  let agreed = 0;
  let claimed = 0;
  let published = 0;
  let key = 0;
  const leadUnits = new Set<string>();
  const leadUnitsVisitedByLeaders = new Set<string>();

  for (const p of registered) {
    const firstAnswer = first(p.answers, cutoff);
    if (firstAnswer && answeredOnTime(firstAnswer.at, firstAnswer.dueDate, utcOffsetMinutes)) onTime++;
    const latestAnswer = latest(p.answers, cutoff);
    if (latestAnswer) categories[latestAnswer.category]++;

    const latestFeedback = latest(p.feedback, cutoff);
    const firstFeedback = first(p.feedback, cutoff);
    if (latestFeedback && firstFeedback) {
      withFeedback++;
      if (latestFeedback.attitude !== 'dissatisfied') satisfied++;
      if (firstFeedback.attitude !== 'dissatisfied') firstSatisfied++;
      if (latestFeedback.agreesWithResult) agreed++;
    }
    if (before(p.claimedAt)) claimed++;
    if (first(p.publications, cutoff)) published++;
    if (latest(p.keyMarks, cutoff)?.key) key++;

    const lead = latest(p.assignments, cutoff)?.leadUnit;
    if (lead) {
      leadUnits.add(lead);
      if (p.visits.some((v) => v.at < cutoff && v.unit === lead && v.visitorRank !== 'staff')) leadUnitsVisitedByLeaders.add(lead);
    }
  }

  const yearStart = new Date(endOfBusinessDay(`${session.year - 1}-12-31`, utcOffsetMinutes)).toISOString();
  const yearEnd = new Date(endOfBusinessDay(`${session.year}-12-31`, utcOffsetMinutes)).toISOString();
  const substantiveProgress = new Set(
    input.followedUp
      .filter((p) => p.followUps.some((f) => f.substantiveProgress && f.at >= yearStart && f.at < yearEnd && f.at < cutoff))
      .map((p) => p.id),
  ).size;
  const keyUnitsVisited = new Set(session.supervisionVisits.filter((v) => v.at < cutoff).map((v) => v.unit)).size;

  const n = registered.length;
  const share = (count: number): Share => ({ count, percent: percent(count, n) });
  return {
    definitions: STATISTICS_DEFINITIONS,
    session: session.session,
    name: session.name,
    year: session.year,
    asOf: asOf ?? null,
    filed: filed.length,
    registered: n,
    declined,
    withdrawn,
    awaitingReview: filed.length - n - declined - withdrawn,
    answeredOnTime: share(onTime),
    categories: { A: share(categories.A), B: share(categories.B), C: share(categories.C) },
    solveRate: percent(categories.A, n),
    satisfaction: percent(satisfied, withFeedback),
    firstTimeSatisfaction: percent(firstSatisfied, withFeedback),
    agreement: percent(agreed, withFeedback),
    leaderClaimed: claimed,
    principalVisitRate: percent(leadUnitsVisitedByLeaders.size, leadUnits.size),
    published: share(published),
    keyUnitsVisited,
    keyProposals: key,
    substantiveProgress,
  };
}
