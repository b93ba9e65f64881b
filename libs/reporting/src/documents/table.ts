import { businessDate } from '@app/proposals';
import { localTime } from '@app/projections';

/**
 * A table as the office's spreadsheets and CSV files hold it: typed columns, each with a Chinese header (what a person
 * reads) and a code (what a machine reads, `--headers codes`), rows from a list or a stream, and what the table is
 * of (jurisdiction, session, as-of date, when it was generated). csv.ts and xlsx.ts write any table; tables.ts
 * defines the tables of the read routes.
 */

/**
 * How a cell is written. `percent`: a percentage as the statistics give it (86.5 for 86.5%): CSV 86.5, XLSX 0.865
 * shown as 86.5%. `points`: a change in percentage points (2.1). `change`: a change of a count (+8). `date`: a business
 * date `YYYY-MM-DD`. `instant`: a UTC instant, written in business time. `boolean`: 是/否 (true/false for machines).
 */
export type CellKind = 'text' | 'integer' | 'percent' | 'points' | 'change' | 'date' | 'instant' | 'boolean';
export type CellValue = string | number | boolean | null | undefined;

export interface Column<R> {
  readonly code: string;
  readonly header: string;
  readonly kind: CellKind;
  /** Width in characters (a CJK character counts two). */
  readonly width?: number;
  readonly value: (row: R) => CellValue;
}

export interface TableMeta {
  /** The jurisdiction (tenant) the rows are of. */
  readonly jurisdiction: string;
  /** The session's name, when the table is of one (区政协六届三次会议). */
  readonly sessionName?: string;
  /** The business date the figures stand at the end of; null: as recorded when generated. */
  readonly asOf: string | null;
  /** When the table was generated (a UTC instant). */
  readonly generatedAt: string;
  readonly utcOffsetMinutes: number;
}

export interface Table<R = unknown> {
  /** What the table is (提案办理统计), for its title row and file name. */
  readonly title: string;
  readonly sheetName: string;
  /** File names without extension: the one people read, and an ASCII one for old clients. */
  readonly filename: string;
  readonly asciiFilename: string;
  readonly meta: TableMeta;
  readonly columns: readonly Column<R>[];
  readonly rows: Iterable<R> | AsyncIterable<R>;
  /**
   * CSV has no title row: the as-of date goes into a first column of every row instead, so that it stays in the
   * file and a machine still reads a plain header. A log (the audit trail) has dated rows and no as-of date.
   */
  readonly asOfColumn: boolean;
}

export type Headers = 'zh' | 'codes';

/** The business date the figures stand at: the as-of date, or the day they were generated. */
export const asOfDate = (meta: TableMeta): string => meta.asOf ?? businessDate(meta.generatedAt, meta.utcOffsetMinutes);

/** `2026-11-29 14:30` in business time. */
export const generatedText = (meta: TableMeta): string => localTime(meta.generatedAt, meta.utcOffsetMinutes).slice(0, 16).replace('T', ' ');

/** The title row of a spreadsheet: jurisdiction, session, what, as of, generated at. */
export function titleLine(table: Table): string {
  const { meta } = table;
  return [
    `辖区：${meta.jurisdiction}`,
    ...(meta.sessionName ? [meta.sessionName] : []),
    table.title,
    meta.asOf ? `截至${meta.asOf}` : `截至生成时（${asOfDate(meta)}）`,
    `生成于${generatedText(meta)}`,
  ].join(' · ');
}

/** Display width: CJK characters take two columns. */
export const displayWidth = (text: string): number => [...text].reduce((w, ch) => w + (/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);

/**
 * A name safe for a file on any system: no path separators or characters Windows refuses, no format characters (a
 * right-to-left override in a session's name made "….docx" show as "…xcod.…"), at most 120 characters — cut before
 * the extension, which stays (a 200-character session name used to lose ".docx").
 */
export const safeFilename = (name: string): string => {
  const clean = name
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const extension = /\.[A-Za-z0-9]{1,5}$/.exec(clean)?.[0] ?? '';
  return clean.length <= 120 ? clean : `${[...clean.slice(0, clean.length - extension.length)].slice(0, 120 - extension.length).join('').trimEnd()}${extension}`;
};

export async function* rowsOf<R>(rows: Iterable<R> | AsyncIterable<R>): AsyncGenerator<R> {
  yield* rows;
}
