import { addDays, businessDate } from '@app/proposals';
import type { Random } from './random.js';

/** The demo's business calendar: Beijing time, working days, office hours. */
export const OFFSET_MINUTES = 8 * 60;
export const MINUTE = 60_000;

/** ISO 8601 in business time: 2019-03-05T09:35:00+08:00. */
export const iso = (ms: number): string => `${new Date(ms + OFFSET_MINUTES * MINUTE).toISOString().slice(0, 19)}+08:00`;
export const dateOf = (ms: number): string => businessDate(ms, OFFSET_MINUTES);
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** Steps on paper happen on working days, in office hours. */
export function workday(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 6 ? addDays(date, 2) : day === 0 ? addDays(date, 1) : date;
}

/** A moment on a working day between `from` and `to`, in office hours. */
export function moment(rng: Random, from: string, to: string = from): number {
  const date = workday(addDays(from, rng.int(0, Math.max(0, daysBetween(from, to)))));
  return Date.parse(`${date}T00:00:00+08:00`) + rng.int(9 * 12, 17 * 12) * 5 * MINUTE;
}

