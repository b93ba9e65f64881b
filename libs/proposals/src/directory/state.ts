import { assertNever } from '../errors.js';
import type { UnitKind } from '../vocabulary.js';
import type { DirectoryEvent } from './events.js';

export interface UnitEntry {
  readonly code: string;
  readonly fullName: string;
  readonly shortName: string;
  readonly kind: UnitKind;
  readonly activeFrom: string;
  readonly activeUntil?: string;
  readonly mergedInto?: string;
  /** The directory stream's revision of the entry's latest change: its ETag. */
  readonly revision: number;
}

export interface MemberEntry {
  readonly id: string;
  readonly name: string;
  readonly sector: string;
  readonly group?: string;
  readonly terms: readonly string[];
  readonly activeUntil?: string;
  readonly revision: number;
}

export interface StaffAccount {
  readonly sub: string;
  readonly unit: string;
  readonly name?: string;
}

/** A jurisdiction's directory as the rules need it. */
export interface DirectoryState {
  readonly units: ReadonlyMap<string, UnitEntry>;
  readonly members: ReadonlyMap<string, MemberEntry>;
  readonly staff: ReadonlyMap<string, StaffAccount>;
}

export const EMPTY_DIRECTORY: DirectoryState = { units: new Map(), members: new Map(), staff: new Map() };

export type DirectoryEvolveMeta = { readonly revision: number };

const put = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value);

function changed<T extends { revision: number }>(entry: T | undefined, what: string, key: string): T {
  if (!entry) throw new TypeError(`${what} ${key} changed before it was registered`);
  return entry;
}

export function evolveDirectory(state: DirectoryState | null, event: DirectoryEvent, meta: DirectoryEvolveMeta): DirectoryState {
  const s = state ?? EMPTY_DIRECTORY;
  const { revision } = meta;
  switch (event.type) {
    case 'UnitRegistered':
      return { ...s, units: put(s.units, event.data.code, { ...event.data, revision }) };
    case 'UnitChanged': {
      const { code, ...fields } = event.data;
      return { ...s, units: put(s.units, code, { ...changed(s.units.get(code), 'unit', code), ...fields, revision }) };
    }
    case 'UnitDeactivated': {
      const { code, ...fields } = event.data;
      return { ...s, units: put(s.units, code, { ...changed(s.units.get(code), 'unit', code), ...fields, revision }) };
    }
    case 'MemberRegistered':
      return { ...s, members: put(s.members, event.data.id, { ...event.data, revision }) };
    case 'MemberChanged':
    case 'MemberDeactivated': {
      const { id, ...fields } = event.data;
      return { ...s, members: put(s.members, id, { ...changed(s.members.get(id), 'member', id), ...fields, revision }) };
    }
    case 'StaffAccountAdded':
      return { ...s, staff: put(s.staff, event.data.sub, event.data) };
    case 'StaffAccountRemoved': {
      const staff = new Map(s.staff);
      staff.delete(event.data.sub);
      return { ...s, staff };
    }
    default:
      return assertNever(event, 'directory event');
  }
}

/** Whether an entry is in force on a business date: from its start until the day before it ended. */
export const activeOn = (entry: { readonly activeFrom?: string; readonly activeUntil?: string }, date: string): boolean =>
  (entry.activeFrom === undefined || entry.activeFrom <= date) && (entry.activeUntil === undefined || date < entry.activeUntil);
