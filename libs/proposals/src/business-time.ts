/**
 * Business time (docs/domain.md, "Business time"): deadlines, on-time figures and as-of dates are calendar dates
 * in the jurisdiction's time zone. Mainland China keeps one fixed offset all year, so a fixed UTC offset is
 * exact and keeps date arithmetic free of time-zone tables on hot paths (statistics over millions of events).
 */
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * The last instants (ISO strings) asked for, with their business dates: one command asks for the date of its own
 * step several times (who takes it, the units and members it names, a due date), and each answer parses and
 * formats a date. A handful of entries, replaced round-robin: a cache of a pure function, bounded.
 */
const RECENT = 4;
const recentInstants: (string | undefined)[] = new Array(RECENT).fill(undefined);
const recentOffsets: number[] = new Array(RECENT).fill(0);
const recentDates: string[] = new Array(RECENT).fill('');
let recentNext = 0;

/** The calendar date (YYYY-MM-DD) at which an instant falls in business time. */
export function businessDate(instant: string | number | Date, utcOffsetMinutes: number): string {
  if (typeof instant !== 'string') return dateAt(typeof instant === 'number' ? instant : instant.getTime(), utcOffsetMinutes);
  for (let i = 0; i < RECENT; i++)
    if (recentInstants[i] === instant && recentOffsets[i] === utcOffsetMinutes) return recentDates[i];
  const date = dateAt(new Date(instant).getTime(), utcOffsetMinutes);
  recentInstants[recentNext] = instant;
  recentOffsets[recentNext] = utcOffsetMinutes;
  recentDates[recentNext] = date;
  recentNext = (recentNext + 1) % RECENT;
  return date;
}

const dateAt = (ms: number, utcOffsetMinutes: number): string => new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one calendar date to another: 1 from `2019-06-30` to `2019-07-01`, negative backwards. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The first instant after the given business day, as epoch milliseconds. */
export function endOfBusinessDay(date: string, utcOffsetMinutes: number): number {
  return Date.parse(`${date}T00:00:00Z`) + DAY_MS - utcOffsetMinutes * 60_000;
}

/** Parses "+08:00" / "-05:30" / "Z" into minutes east of UTC. */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'Z') return 0;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!m || +m[3] > 59 || +m[2] * 60 + +m[3] > 14 * 60) return undefined;
  return (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]);
}
