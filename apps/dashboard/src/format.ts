/** How figures, dates and times read on the page (zh-CN, business time of the API). */

export const percent = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value.toFixed(1)}%`);

export const count = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : value.toLocaleString('zh-CN'));

/** A change: `+2.1` percentage points or `+8` for a count; null when either side has no figure. */
export function change(value: number | null | undefined, kind: 'points' | 'count'): string {
  if (value === null || value === undefined) return '—';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  const magnitude = Math.abs(value);
  return kind === 'points' ? `${sign}${magnitude.toFixed(1)} 个百分点` : `${sign}${magnitude.toLocaleString('zh-CN')}`;
}

/** The offset of business time, read from any `…Local` instant the API sent (`2019-04-15T10:00:00+08:00`). */
let businessOffset = '+08:00';
export function noteBusinessOffset(local: string | null | undefined): void {
  const match = local ? /([+-]\d{2}:\d{2}|Z)$/.exec(local) : null;
  if (match) businessOffset = match[1];
}

function offsetMinutes(): number {
  if (businessOffset === 'Z') return 0;
  const sign = businessOffset.startsWith('-') ? -1 : 1;
  return sign * (Number(businessOffset.slice(1, 3)) * 60 + Number(businessOffset.slice(4, 6)));
}

/** Today's business date (YYYY-MM-DD). */
export function businessToday(now = Date.now()): string {
  return new Date(now + offsetMinutes() * 60_000).toISOString().slice(0, 10);
}

/** A date the calendar has, as YYYY-MM-DD (not 2019-02-30, not `20190430`): what a URL or a typed field may hold. */
export function isDate(value: string): boolean {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

/** Whole days from `from` to `to`, both business dates. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** `2019-04-15T10:00:00+08:00` → `2019-04-15 10:00`. */
export const localTime = (local: string | null | undefined): string => (local ? local.slice(0, 16).replace('T', ' ') : '—');

export const clock = (date: Date | null): string =>
  date ? date.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) : '—';

export const dateTime = (date: Date | null): string =>
  date ? `${date.toLocaleDateString('zh-CN')} ${date.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false })}` : '—';

export const shortHash = (hash: string | null | undefined): string => (hash ? `${hash.slice(0, 10)}…` : '—');
