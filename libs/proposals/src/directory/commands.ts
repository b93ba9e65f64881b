import type { UnitKind } from '../vocabulary.js';

export interface UnitRow {
  readonly code: string;
  readonly fullName: string;
  readonly shortName: string;
  readonly kind: UnitKind;
  /** Business date; defaults to the day of the step. */
  readonly activeFrom?: string;
}

export interface MemberRow {
  readonly id: string;
  readonly name: string;
  readonly sector: string;
  readonly group?: string;
  readonly terms: readonly string[];
}

/**
 * What the office asks of the directory. `expectedRevision` is the entry's own revision (its ETag): an edit made on
 * a stale copy of the entry is refused (412), whatever else changed in the directory meanwhile.
 */
export type DirectoryCommand =
  | { type: 'RegisterUnit'; data: UnitRow }
  | { type: 'ChangeUnit'; data: { code: string; fullName?: string; shortName?: string; kind?: UnitKind; expectedRevision?: number } }
  | { type: 'DeactivateUnit'; data: { code: string; activeUntil?: string; mergedInto?: string; expectedRevision?: number } }
  | { type: 'RegisterMember'; data: MemberRow }
  | { type: 'ChangeMember'; data: { id: string; name?: string; sector?: string; group?: string; terms?: string[]; expectedRevision?: number } }
  | { type: 'DeactivateMember'; data: { id: string; activeUntil?: string; expectedRevision?: number } }
  | { type: 'AddStaffAccount'; data: { sub: string; unit: string; name?: string } }
  | { type: 'RemoveStaffAccount'; data: { sub: string } }
  /**
   * A whole list from the office's spreadsheet: every row checked first, nothing written if one is wrong; rows equal
   * to the directory change nothing, so importing the same file twice appends nothing.
   */
  | { type: 'ImportDirectory'; data: { units?: readonly UnitRow[]; members?: readonly MemberRow[] } };

export type DirectoryCommandType = DirectoryCommand['type'];
