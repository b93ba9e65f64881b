import type { EventMetadata, EventNames } from '@app/proposals';

/**
 * Unit code → short name and member id → name, as the directory had them when an event was recorded
 * (`metadata.names`). Names are the one readable thing the read models store: a unit renamed later keeps, on the
 * steps it took before, the name it had then — so they come from the events, not from the directory of today.
 */
export type NamesAtTheTime = EventNames;

export const NO_NAMES: NamesAtTheTime = { units: {}, members: {} };

// Loops rather than Object.values/entries: these run for every event of a rebuild, and the arrays were garbage.
function isTable(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/** Whether `b` has an entry that `a` has not, or has otherwise. */
function changed(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  for (const key in b) if (Object.hasOwn(b, key) && a[key] !== b[key]) return true;
  return false;
}

/** The names an event's metadata carries; undefined on events recorded before the directory (then codes are shown). */
export function namesOf(metadata: EventMetadata): NamesAtTheTime | undefined {
  // Read defensively: the metadata is stored JSON, and `npm run verify` meets damaged rows too.
  const names = metadata.names as { units?: unknown; members?: unknown } | undefined;
  if (typeof names !== 'object' || names === null) return undefined;
  return { units: isTable(names.units) ? names.units : {}, members: isTable(names.members) ? names.members : {} };
}

/** `next` over `current`: a later step's name wins. The same object when there is nothing new, so documents stay equal. */
export function mergeNames(current: NamesAtTheTime, next: NamesAtTheTime | undefined): NamesAtTheTime {
  if (!next) return current;
  if (!changed(current.units, next.units) && !changed(current.members, next.members)) return current;
  return { units: { ...current.units, ...next.units }, members: { ...current.members, ...next.members } };
}

/** A unit's name, else its code; a member's name, else what else is known (their sign-in name), else their id. */
export const unitNameIn = (names: NamesAtTheTime | undefined, code: string): string => own(names?.units, code) ?? code;
export const memberNameIn = (names: NamesAtTheTime | undefined, id: string, signedInAs?: string): string =>
  own(names?.members, id) ?? signedInAs ?? id;

/** A table's own entry: a code such as `constructor` must not find Object.prototype's. */
export const own = (table: Readonly<Record<string, string>> | undefined, key: string): string | undefined =>
  table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
