import type { UnitKind } from '../vocabulary.js';

/**
 * The directory of a jurisdiction (名录): its handling units, its members and the units' staff accounts. One stream
 * per jurisdiction (`directory-<tenant>:main`), maintained by the office like any other step, with the same trail.
 * Units keep a stable code; their names change (机构改革) and history keeps the name each had at the time.
 */
export type DirectoryEvent =
  | {
      type: 'UnitRegistered';
      data: { code: string; fullName: string; shortName: string; kind: UnitKind; activeFrom: string };
    }
  /** A rename or a new kind: only the fields that changed. */
  | { type: 'UnitChanged'; data: { code: string; fullName?: string; shortName?: string; kind?: UnitKind } }
  /** Dissolved, or merged into another unit, from a business date on. */
  | { type: 'UnitDeactivated'; data: { code: string; activeUntil: string; mergedInto?: string } }
  | {
      type: 'MemberRegistered';
      data: { id: string; name: string; sector: string; group?: string; terms: string[] };
    }
  | { type: 'MemberChanged'; data: { id: string; name?: string; sector?: string; group?: string; terms?: string[] } }
  | { type: 'MemberDeactivated'; data: { id: string; activeUntil: string } }
  /** A unit's staff account: the `sub` of its users' tokens. */
  | { type: 'StaffAccountAdded'; data: { sub: string; unit: string; name?: string } }
  | { type: 'StaffAccountRemoved'; data: { sub: string } };

export type DirectoryEventType = DirectoryEvent['type'];
