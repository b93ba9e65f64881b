import type { Actor, Role } from '../actor.js';
import { businessDate, isCalendarDate } from '../business-time.js';
import { assertNever, Forbidden, IllegalTransition, NotFound, RevisionMismatch, ValidationFailed } from '../errors.js';
import { UNIT_KINDS } from '../vocabulary.js';
import type { DirectoryCommand, DirectoryCommandType, MemberRow, UnitRow } from './commands.js';
import type { DirectoryEvent } from './events.js';
import { EMPTY_DIRECTORY, type DirectoryState } from './state.js';

export interface DirectoryContext {
  readonly actor: Actor;
  /** Business time of the step. */
  readonly occurredAt: string;
  readonly utcOffsetMinutes: number;
}

/** A unit's stable code: lower-case letters, digits and dashes, such as `fgw` or `jiaxing-town`. */
export const UNIT_CODE = /^[a-z][a-z0-9-]{1,31}$/;
/** A member's id, a staff account's sub: what their tokens carry. */
export const PERSON_ID = /^[\x21-\x7e]{1,128}$/;

/** Who may change the directory: the office keeps it. */
export const DIRECTORY_STEPS: Readonly<Record<DirectoryCommandType, { readonly roles: readonly Role[]; readonly step: string }>> = {
  RegisterUnit: { roles: ['office'], step: 'registering a unit' },
  ChangeUnit: { roles: ['office'], step: 'changing a unit' },
  DeactivateUnit: { roles: ['office'], step: 'deactivating a unit' },
  RegisterMember: { roles: ['office'], step: 'registering a member' },
  ChangeMember: { roles: ['office'], step: 'changing a member' },
  DeactivateMember: { roles: ['office'], step: 'deactivating a member' },
  AddStaffAccount: { roles: ['office'], step: 'adding a staff account' },
  RemoveStaffAccount: { roles: ['office'], step: 'removing a staff account' },
  ImportDirectory: { roles: ['office'], step: 'importing the directory' },
};

export function authorizeDirectoryCommand(type: DirectoryCommandType, actor: Actor): void {
  const { roles, step } = DIRECTORY_STEPS[type];
  if (!roles.includes(actor.role)) throw new Forbidden(`${step} is for ${roles.join(' or ')}, not ${actor.role}`);
}

const visible = (value: string, field: string, max: number): string => {
  const trimmed = value.trim();
  if (!/[\p{L}\p{N}\p{P}\p{S}]/u.test(trimmed)) throw new ValidationFailed('must contain visible characters', field);
  if (trimmed.length > max) throw new ValidationFailed(`must be at most ${max} characters`, field);
  return trimmed;
};

function unitRow(row: UnitRow, today: string, field = ''): Required<UnitRow> {
  const code = row.code.trim();
  if (!UNIT_CODE.test(code)) throw new ValidationFailed('must be 2 to 32 lower-case letters, digits and dashes, starting with a letter', `${field}code`);
  if (!(row.kind in UNIT_KINDS)) throw new ValidationFailed(`must be one of ${Object.keys(UNIT_KINDS).join(', ')}`, `${field}kind`);
  const activeFrom = row.activeFrom?.trim() || today;
  if (!isCalendarDate(activeFrom)) throw new ValidationFailed('must be a date YYYY-MM-DD', `${field}activeFrom`);
  return { code, fullName: visible(row.fullName, `${field}fullName`, 100), shortName: visible(row.shortName, `${field}shortName`, 40), kind: row.kind, activeFrom };
}

function memberRow(row: MemberRow, field = ''): MemberRow {
  const id = row.id.trim();
  if (!PERSON_ID.test(id)) throw new ValidationFailed('must be 1 to 128 visible ASCII characters', `${field}id`);
  const group = row.group?.trim() ? visible(row.group, `${field}group`, 40) : undefined;
  const terms = row.terms.map((t) => t.trim());
  if (terms.some((t) => !/^[1-9]\d{0,2}$/.test(t))) throw new ValidationFailed('must be committee numbers such as 6', `${field}terms`);
  return { id, name: visible(row.name, `${field}name`, 40), sector: visible(row.sector, `${field}sector`, 40), ...(group ? { group } : {}), terms: [...new Set(terms)] };
}

/** The event for a member's changed fields, or nothing when the row says what the directory already says. */
function memberChanged(member: MemberRow, next: MemberRow): DirectoryEvent[] {
  const { id: _id, terms, ...change } = differences<MemberRow>(member, next);
  if (terms === undefined && Object.keys(change).length === 0) return [];
  return [{ type: 'MemberChanged', data: { id: member.id, ...change, ...(terms ? { terms: [...terms] } : {}) } }];
}

function expectRevision(expected: number | undefined, entry: { revision: number }): void {
  if (expected !== undefined && expected !== entry.revision) throw new RevisionMismatch(expected, entry.revision);
}

const sameTerms = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t) => b.includes(t));

/** The fields of `next` that differ from `current`, or nothing. */
function differences<T extends object>(current: T, next: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(next).filter(([k, v]) => {
      if (v === undefined) return false;
      const was = (current as Record<string, unknown>)[k];
      return Array.isArray(v) && Array.isArray(was) ? !sameTerms(v, was) : v !== was;
    }),
  ) as Partial<T>;
}

/**
 * The rules of the directory. A step that would change nothing appends nothing: registering an entry again with the
 * same fields, or importing the same spreadsheet twice, is not an error and not a new fact.
 */
export function decideDirectory(cmd: DirectoryCommand, state: DirectoryState | null, ctx: DirectoryContext): DirectoryEvent[] {
  authorizeDirectoryCommand(cmd.type, ctx.actor);
  const s = state ?? EMPTY_DIRECTORY;
  const today = businessDate(ctx.occurredAt, ctx.utcOffsetMinutes);
  const unitOf = (code: string, field: string) => {
    const unit = s.units.get(code.trim());
    if (!unit) throw new NotFound(`no unit ${code.trim()} in the directory`, field);
    return unit;
  };
  const memberOf = (id: string, field: string) => {
    const member = s.members.get(id.trim());
    if (!member) throw new NotFound(`no member ${id.trim()} in the directory`, field);
    return member;
  };
  switch (cmd.type) {
    case 'RegisterUnit': {
      const row = unitRow(cmd.data, today);
      const existing = s.units.get(row.code);
      if (existing) {
        if (Object.keys(differences(existing, row)).length === 0) return [];
        throw new IllegalTransition(`unit ${row.code} is already in the directory; change it instead`, 'code');
      }
      return [{ type: 'UnitRegistered', data: row }];
    }
    case 'ChangeUnit': {
      const unit = unitOf(cmd.data.code, 'code');
      expectRevision(cmd.data.expectedRevision, unit);
      if (cmd.data.kind !== undefined && !(cmd.data.kind in UNIT_KINDS)) throw new ValidationFailed(`must be one of ${Object.keys(UNIT_KINDS).join(', ')}`, 'kind');
      const next = {
        ...(cmd.data.fullName !== undefined ? { fullName: visible(cmd.data.fullName, 'fullName', 100) } : {}),
        ...(cmd.data.shortName !== undefined ? { shortName: visible(cmd.data.shortName, 'shortName', 40) } : {}),
        ...(cmd.data.kind !== undefined ? { kind: cmd.data.kind } : {}),
      };
      const change = differences(unit, next);
      return Object.keys(change).length === 0 ? [] : [{ type: 'UnitChanged', data: { code: unit.code, ...change } }];
    }
    case 'DeactivateUnit': {
      const unit = unitOf(cmd.data.code, 'code');
      expectRevision(cmd.data.expectedRevision, unit);
      const activeUntil = cmd.data.activeUntil ?? today;
      if (!isCalendarDate(activeUntil)) throw new ValidationFailed('must be a date YYYY-MM-DD', 'activeUntil');
      const mergedInto = cmd.data.mergedInto?.trim();
      const end = plannedEnd(`unit ${unit.code}`, unit.activeUntil, activeUntil, today, 'code');
      if (end === 'unchanged' && (mergedInto === undefined || mergedInto === unit.mergedInto)) return [];
      if (activeUntil < unit.activeFrom) throw new ValidationFailed(`must not be before ${unit.activeFrom}, when the unit began`, 'activeUntil');
      if (mergedInto !== undefined) {
        const target = unitOf(mergedInto, 'mergedInto');
        if (target.code === unit.code) throw new ValidationFailed('must be another unit', 'mergedInto');
        if (target.activeUntil !== undefined && target.activeUntil <= activeUntil)
          throw new ValidationFailed(`unit ${target.code} is itself inactive from ${target.activeUntil}`, 'mergedInto');
      }
      return [{ type: 'UnitDeactivated', data: { code: unit.code, activeUntil, ...(mergedInto ? { mergedInto } : {}) } }];
    }
    case 'RegisterMember': {
      const row = memberRow(cmd.data);
      const existing = s.members.get(row.id);
      if (existing) {
        if (Object.keys(differences(existing, row)).length === 0) return [];
        throw new IllegalTransition(`member ${row.id} is already in the directory; change them instead`, 'id');
      }
      return [{ type: 'MemberRegistered', data: { ...row, terms: [...row.terms] } }];
    }
    case 'ChangeMember': {
      const member = memberOf(cmd.data.id, 'id');
      expectRevision(cmd.data.expectedRevision, member);
      const { id: _id, expectedRevision: _expected, ...fields } = cmd.data;
      const next = memberRow({ ...member, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) } as MemberRow);
      return memberChanged(member, next);
    }
    case 'DeactivateMember': {
      const member = memberOf(cmd.data.id, 'id');
      expectRevision(cmd.data.expectedRevision, member);
      const activeUntil = cmd.data.activeUntil ?? today;
      if (!isCalendarDate(activeUntil)) throw new ValidationFailed('must be a date YYYY-MM-DD', 'activeUntil');
      if (plannedEnd(`member ${member.id}`, member.activeUntil, activeUntil, today, 'id') === 'unchanged') return [];
      return [{ type: 'MemberDeactivated', data: { id: member.id, activeUntil } }];
    }
    case 'AddStaffAccount': {
      const sub = cmd.data.sub.trim();
      if (!PERSON_ID.test(sub)) throw new ValidationFailed('must be 1 to 128 visible ASCII characters', 'sub');
      const unit = unitOf(cmd.data.unit, 'unit');
      if (unit.activeUntil !== undefined && unit.activeUntil <= today) throw new ValidationFailed(`unit ${unit.code} is inactive since ${unit.activeUntil}`, 'unit');
      const name = cmd.data.name?.trim() ? visible(cmd.data.name, 'name', 40) : undefined;
      const existing = s.staff.get(sub);
      if (existing && existing.unit === unit.code && existing.name === name) return [];
      if (existing) throw new IllegalTransition(`account ${sub} already belongs to unit ${existing.unit}; remove it first`, 'sub');
      return [{ type: 'StaffAccountAdded', data: { sub, unit: unit.code, ...(name ? { name } : {}) } }];
    }
    case 'RemoveStaffAccount': {
      const sub = cmd.data.sub.trim();
      if (!s.staff.has(sub)) throw new NotFound(`no staff account ${sub}`, 'sub');
      return [{ type: 'StaffAccountRemoved', data: { sub } }];
    }
    case 'ImportDirectory':
      return importRows(cmd.data, s, today);
    default:
      return assertNever(cmd, 'directory command');
  }
}

/**
 * Every row decided against the directory; the first bad row refuses the whole import. A row names its own entry and no
 * entry twice, so each is compared with the directory as it stands (no folding row by row: an import of thousands of
 * rows stays linear).
 */
function importRows(data: { units?: readonly UnitRow[]; members?: readonly MemberRow[] }, state: DirectoryState, today: string): DirectoryEvent[] {
  const units = data.units ?? [];
  const members = data.members ?? [];
  if (units.length + members.length === 0) throw new ValidationFailed('has no rows', 'rows');
  const events: DirectoryEvent[] = [];
  const s = state;
  const apply = (made: DirectoryEvent[]) => events.push(...made);
  const seen = new Set<string>();
  units.forEach((row, i) => {
    const field = `units[${i}].`;
    const code = row.code.trim();
    if (seen.has(`unit:${code}`)) throw new ValidationFailed(`names unit ${code} twice`, `${field}code`);
    seen.add(`unit:${code}`);
    const checked = unitRow(row, today, field);
    const existing = s.units.get(checked.code);
    if (!existing) return apply([{ type: 'UnitRegistered', data: checked }]);
    const { activeFrom: _from, code: _code, ...names } = checked;
    const change = differences(existing, names);
    if (Object.keys(change).length > 0) apply([{ type: 'UnitChanged', data: { code: checked.code, ...change } }]);
  });
  members.forEach((row, i) => {
    const field = `members[${i}].`;
    const id = row.id.trim();
    if (seen.has(`member:${id}`)) throw new ValidationFailed(`names member ${id} twice`, `${field}id`);
    seen.add(`member:${id}`);
    const checked = memberRow(row, field);
    const existing = s.members.get(checked.id);
    if (!existing) return apply([{ type: 'MemberRegistered', data: { ...checked, terms: [...checked.terms] } }]);
    apply(memberChanged(existing, checked));
  });
  return events;
}

/**
 * An entry ends once: a second deactivation is refused once the first has taken effect. Until then a planned end (a
 * reorganisation announced ahead) may be planned again, earlier or later; planning the same date again changes nothing.
 */
function plannedEnd(what: string, planned: string | undefined, activeUntil: string, today: string, field: string): 'unchanged' | 'new' {
  if (planned === undefined) return 'new';
  if (planned <= today) throw new IllegalTransition(`${what} is inactive since ${planned}`, field);
  return planned === activeUntil ? 'unchanged' : 'new';
}
