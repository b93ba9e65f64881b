import { addDays, businessDate, endOfBusinessDay } from '@app/proposals';
import type { StatisticsInput } from '@app/reporting';

/** The four steps of a session's year that the overview follows week by week. */
export interface ProgressCounts {
  /** Proposals of the session filed. */
  readonly filed: number;
  /** Proposals first assigned to a lead unit. */
  readonly assigned: number;
  /** Proposals first answered. */
  readonly answered: number;
  /** Proposals whose answer was first made public. */
  readonly published: number;
}

export interface ProgressWeek {
  /** The week's Monday, a business date. */
  readonly weekOf: string;
  /** What happened that week. */
  readonly added: ProgressCounts;
  /** Everything up to the end of that week (or of the as-of date, in its week). */
  readonly total: ProgressCounts;
}

export interface SessionProgress {
  readonly session: string;
  readonly name: string;
  readonly year: number;
  readonly asOf: string | null;
  readonly weeks: readonly ProgressWeek[];
}

type Step = keyof ProgressCounts;
const STEPS: readonly Step[] = ['filed', 'assigned', 'answered', 'published'];
const zero = (): Record<Step, number> => ({ filed: 0, assigned: 0, answered: 0, published: 0 });

/** The Monday of a business date's week. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * Progress through the year: how many of the session's proposals were filed, first assigned, first answered and
 * first published each week (business time, weeks from Monday), and the running totals. Counted from the same
 * dated facts as the report, so that at the as-of date the totals are the report's: filed is `filed`, published is
 * `published.count`. The weeks run from the first filing's week to the as-of date's week when that lies within the
 * session's year, else to the last fact's week (a 2019 session read in 2026 does not draw seven flat years).
 */
export function sessionProgress(input: Omit<StatisticsInput, 'followedUp'>): SessionProgress {
  const { session, asOf, utcOffsetMinutes } = input;
  const cutoff = asOf ? new Date(endOfBusinessDay(asOf, utcOffsetMinutes)).toISOString() : '\uffff';
  const dates: Record<Step, string[]> = { filed: [], assigned: [], answered: [], published: [] };
  const note = (step: Step, at: string | null | undefined) => {
    if (at && at < cutoff) dates[step].push(businessDate(at, utcOffsetMinutes));
  };
  for (const p of input.proposals) {
    if (!(p.filedAt < cutoff)) continue;
    note('filed', p.filedAt);
    note('assigned', p.assignments[0]?.at);
    note('answered', p.answers[0]?.at);
    note('published', p.publications[0]?.at);
  }
  const all = STEPS.flatMap((s) => dates[s]).sort();
  const base = { session: session.session, name: session.name, year: session.year, asOf: asOf ?? null };
  if (all.length === 0) return { ...base, weeks: [] };

  const last = all[all.length - 1];
  const end = asOf && asOf <= `${session.year}-12-31` && asOf > last ? asOf : last;
  const byWeek = new Map<string, Record<Step, number>>();
  for (let week = mondayOf(all[0]); week <= end; week = addDays(week, 7)) byWeek.set(week, zero());
  for (const step of STEPS) for (const date of dates[step]) (byWeek.get(mondayOf(date)) as Record<Step, number>)[step]++;

  const running = zero();
  const weeks = [...byWeek].map(([weekOf, added]): ProgressWeek => {
    for (const step of STEPS) running[step] += added[step];
    return { weekOf, added, total: { ...running } };
  });
  return { ...base, weeks };
}
