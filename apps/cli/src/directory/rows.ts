import { UNIT_KINDS, type MemberRow, type UnitKind, type UnitRow } from '@app/proposals';
import type { CsvRecord } from './csv.js';

/**
 * The office's spreadsheet as directory rows: which list it is (from its headers), each column by its Chinese or
 * English header, each row with its line in the file. Only what a spreadsheet adds is checked here (the headers, a
 * kind written as its Chinese label, dates as Excel writes them, terms as a list); every rule about the values
 * themselves is the domain's (decideDirectory), and its errors are mapped back to these lines.
 */

export type ListKind = 'units' | 'members';
export type UnitField = keyof UnitRow;
export type MemberField = keyof MemberRow;

interface Column<F extends string> {
  readonly field: F;
  readonly headers: readonly string[];
  readonly required: boolean;
}

export const UNIT_COLUMNS: readonly Column<UnitField>[] = [
  { field: 'code', headers: ['单位代码', 'code'], required: true },
  { field: 'fullName', headers: ['全称', 'fullName'], required: true },
  { field: 'shortName', headers: ['简称', 'shortName'], required: true },
  { field: 'kind', headers: ['类型', 'kind'], required: true },
  { field: 'activeFrom', headers: ['启用日期', 'activeFrom'], required: false },
];

/**
 * `terms` is required: a file without the column would otherwise import every member with no terms at all.
 * A missing group column leaves each member's group as it is.
 */
export const MEMBER_COLUMNS: readonly Column<MemberField>[] = [
  { field: 'id', headers: ['委员编号', 'id'], required: true },
  { field: 'name', headers: ['姓名', 'name'], required: true },
  { field: 'sector', headers: ['界别', 'sector'], required: true },
  { field: 'group', headers: ['小组', 'group'], required: false },
  { field: 'terms', headers: ['届别', 'terms'], required: true },
];

/** One problem of the file, on the line people find it. */
export interface Problem {
  readonly line: number;
  readonly message: string;
}

export interface Row<R, F extends string> {
  readonly line: number;
  readonly row: R;
  /** Each column's cell as written, for messages. */
  readonly cells: Readonly<Partial<Record<F, string>>>;
}

export type DirectoryList =
  | { readonly kind: 'units'; readonly headers: Readonly<Partial<Record<UnitField, string>>>; readonly rows: readonly Row<UnitRow, UnitField>[] }
  | { readonly kind: 'members'; readonly headers: Readonly<Partial<Record<MemberField, string>>>; readonly rows: readonly Row<MemberRow, MemberField>[] };

export class FileProblems extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(describe).join('\n'));
    this.name = 'FileProblems';
  }
}

/** Line 0: a problem of no one line. */
export const describe = (p: Problem): string => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message);

const normalize = (header: string) => header.replace(/\s+/g, '').replace(/[*＊]$/, '').toLowerCase();

const headerList = (columns: readonly Column<string>[]) => columns.map((c) => c.headers.join('/')).join(', ');

/** The list in the rows: the first row is the header, the list's kind follows from it unless `forced`. */
export function readList(records: readonly CsvRecord[], forced?: ListKind): { list?: DirectoryList; problems: Problem[] } {
  const [header, ...data] = records;
  if (!header) return { problems: [{ line: 1, message: 'the file is empty: its first row must name the columns' }] };
  const written = header.cells.map((c) => c.trim());
  const names = written.map(normalize);
  const has = (columns: readonly Column<string>[], field: string) =>
    columns.find((c) => c.field === field)?.headers.some((h) => names.includes(normalize(h))) ?? false;
  const kind: ListKind | undefined =
    forced ?? (has(UNIT_COLUMNS, 'code') && !has(MEMBER_COLUMNS, 'id') ? 'units' : has(MEMBER_COLUMNS, 'id') && !has(UNIT_COLUMNS, 'code') ? 'members' : undefined);
  if (!kind)
    return {
      problems: [
        {
          line: header.line,
          message: `the headers must name a list of units (${headerList(UNIT_COLUMNS)}) or of members (${headerList(MEMBER_COLUMNS)}); or say which with --units or --members`,
        },
      ],
    };
  return kind === 'units' ? readRows('units', UNIT_COLUMNS, header, written, data, unitRow) : readRows('members', MEMBER_COLUMNS, header, written, data, memberRow);
}

function readRows<K extends ListKind, F extends string, R>(
  kind: K,
  columns: readonly Column<F>[],
  header: CsvRecord,
  written: readonly string[],
  data: readonly CsvRecord[],
  toRow: (cells: Partial<Record<F, string>>, line: number, headers: Partial<Record<F, string>>) => { row: R; problems: Problem[] },
): { list?: DirectoryList; problems: Problem[] } {
  const problems: Problem[] = [];
  const fieldAt: (F | undefined)[] = written.map((name, i) => {
    if (name === '') return undefined;
    const column = columns.find((c) => c.headers.some((h) => normalize(h) === normalize(name)));
    if (!column) problems.push({ line: header.line, message: `column ${i + 1} "${name}" is not one of ${headerList(columns)}` });
    else if (written.slice(0, i).some((earlier) => columns.find((c) => c.field === column.field)?.headers.some((h) => normalize(h) === normalize(earlier))))
      problems.push({ line: header.line, message: `column ${i + 1} "${name}" names ${column.field} a second time` });
    return column?.field;
  });
  const headers: Partial<Record<F, string>> = {};
  fieldAt.forEach((field, i) => {
    if (field && headers[field] === undefined) headers[field] = written[i];
  });
  const missing = columns.filter((c) => c.required && headers[c.field] === undefined);
  if (missing.length > 0) problems.push({ line: header.line, message: `a list of ${kind} needs the columns ${missing.map((c) => c.headers.join('/')).join(', ')}` });
  if (problems.length > 0) return { problems };
  if (data.length === 0) return { problems: [{ line: header.line, message: `there are no ${kind} under the header` }] };

  const rows: Row<R, F>[] = [];
  for (const record of data) {
    const cells: Partial<Record<F, string>> = {};
    const stray = record.cells.findIndex((cell, i) => cell.trim() !== '' && fieldAt[i] === undefined);
    if (stray >= 0) {
      problems.push({ line: record.line, message: `column ${stray + 1} has a value ("${record.cells[stray]}") but no header` });
      continue;
    }
    fieldAt.forEach((field, i) => {
      if (field) cells[field] = record.cells[i] ?? '';
    });
    const made = toRow(cells, record.line, headers);
    problems.push(...made.problems);
    if (made.problems.length === 0) rows.push({ line: record.line, row: made.row, cells });
  }
  return { list: { kind, headers, rows } as unknown as DirectoryList, problems };
}

/** A refusal of the domain (field `units[3].code`) as the line of the file and the column people see. */
export function problemOfRefusal(list: DirectoryList, error: { readonly message: string; readonly field?: string }, index?: number): Problem {
  const m = /^(?:units|members)\[(\d+)\]\.(\w+)$/.exec(error.field ?? '');
  const at = index ?? (m ? Number(m[1]) : undefined);
  const row = at === undefined ? undefined : list.rows[at];
  if (!row || !m) return { line: row?.line ?? 0, message: error.message };
  const field = m[2];
  const written = (row.cells as Record<string, string | undefined>)[field];
  return { line: row.line, message: `${headerOf(list, field)} "${written ?? ''}" ${error.message}` };
}

export const headerOf = (list: DirectoryList, field: string): string => (list.headers as Record<string, string | undefined>)[field] ?? field;

const KIND_LABELS = Object.entries(UNIT_KINDS) as [UnitKind, string][];

function unitRow(cells: Partial<Record<UnitField, string>>, line: number, headers: Partial<Record<UnitField, string>>): { row: UnitRow; problems: Problem[] } {
  const written = (cells.kind ?? '').trim();
  const kind = KIND_LABELS.find(([key, label]) => written === key || written === label)?.[0];
  const problems: Problem[] = kind
    ? []
    : [{ line, message: `${headers.kind ?? 'kind'} "${written}" must be one of ${KIND_LABELS.map(([key, label]) => `${label} (${key})`).join(', ')}` }];
  const activeFrom = cells.activeFrom?.trim() ? calendarDate(cells.activeFrom) : undefined;
  return {
    row: {
      code: cells.code ?? '',
      fullName: cells.fullName ?? '',
      shortName: cells.shortName ?? '',
      kind: kind ?? (written as UnitKind),
      ...(activeFrom ? { activeFrom } : {}),
    },
    problems,
  };
}

function memberRow(cells: Partial<Record<MemberField, string>>): { row: MemberRow; problems: Problem[] } {
  const group = cells.group?.trim();
  return {
    row: {
      id: cells.id ?? '',
      name: cells.name ?? '',
      sector: cells.sector ?? '',
      ...(group ? { group } : {}),
      terms: termsOf(cells.terms ?? ''),
    },
    problems: [],
  };
}

/**
 * A date as spreadsheets write it in China: 2017-01-01, 2017/1/1, 2017.1.1 or 2017年1月1日, as YYYY-MM-DD. Anything
 * else is passed on as written, for the domain to refuse.
 */
export function calendarDate(written: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(written.trim());
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : written.trim();
}

const NUMERALS = '零一二三四五六七八九';

/** 六 → 6, 十二 → 12: committee terms as people write them. */
function chineseNumber(text: string): number | undefined {
  const m = /^([一二三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return undefined;
  const [, tens, ten, ones] = m;
  if (!ten) return tens && !ones ? NUMERALS.indexOf(tens) : undefined;
  return (tens ? NUMERALS.indexOf(tens) : 1) * 10 + (ones ? NUMERALS.indexOf(ones) : 0);
}

/**
 * The committee terms a member served: `6, 7`, `6、7`, `第六届、第七届`, `6届`. A term written otherwise is passed on
 * as written, for the domain to refuse.
 */
export function termsOf(written: string): string[] {
  return written
    .split(/[,，、;；\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const bare = t.replace(/^第/, '').replace(/届$/, '');
      if (/^\d+$/.test(bare)) return String(Number(bare));
      const n = chineseNumber(bare);
      return n === undefined ? t : String(n);
    });
}
