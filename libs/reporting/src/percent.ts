/**
 * A share as a percentage with one decimal, rounded half up, computed exactly on integers (8/155 → 5.2, 134/155 →
 * 86.5). A zero denominator has no percentage: null, never 0 or NaN.
 */
export function percent(count: number, of: number): number | null {
  if (of === 0) return null;
  return Math.floor((2000 * count + of) / (2 * of)) / 10;
}

/** The change between two percentages, in percentage points with one decimal; null when either is missing. */
export function points(from: number | null, to: number | null): number | null {
  if (from === null || to === null) return null;
  return Math.round((to - from) * 10) / 10;
}
