import { Readable } from 'node:stream';
import { localTime } from '@app/projections';
import { asOfDate, rowsOf, type CellKind, type CellValue, type Column, type Headers, type Table } from './table.js';

/**
 * A table as CSV for Excel and for machines: UTF-8 with a byte order mark (without it Excel reads UTF-8 as the
 * system's code page and shows mojibake), CRLF line ends, RFC 4180 quoting, one header row — Chinese by default,
 * the columns' codes with `headers: 'codes'` — and, unless the table is a log, the as-of date as the first column of
 * every row (a CSV file has no title row that a machine would not stumble over). Counts, percentages and
 * percentage-point changes are separate numeric columns, without `%` or `+`.
 */
export const BOM = '\ufeff';
/** Rows per chunk written: small, so that a chunk's strings die young (a million rows of long-lived chunks grew the heap). */
const ROWS_PER_CHUNK = 64;

const quote = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * A text cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with an apostrophe
 * in files for people: a title typed as `=HYPERLINK(…)` stays text (OWASP "CSV injection"). Files for machines
 * (`headers: 'codes'`) keep the text as it is.
 */
const guard = (text: string, headers: Headers): string => (headers === 'zh' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

export function csvCell(kind: CellKind, value: CellValue, headers: Headers, utcOffsetMinutes: number): string {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'percent':
    case 'points':
      return typeof value === 'number' ? value.toFixed(1) : quote(String(value));
    case 'integer':
    case 'change':
      return String(value);
    case 'boolean':
      return headers === 'codes' ? String(value === true) : value === true ? '是' : '否';
    case 'instant':
      return localTime(String(value), utcOffsetMinutes);
    case 'date':
      return String(value);
    case 'text':
      return quote(guard(String(value), headers));
  }
}

const AS_OF_COLUMN: Column<unknown> = { code: 'asOf', header: '截至日期', kind: 'date', value: () => null };

/** The table's CSV text, chunk by chunk: a large table (the audit trail) is never held whole. */
export async function* csvChunks<R>(table: Table<R>, headers: Headers = 'zh'): AsyncGenerator<string> {
  const { meta, columns } = table;
  const asOf = table.asOfColumn ? [asOfDate(meta)] : [];
  const header = [...(table.asOfColumn ? [AS_OF_COLUMN] : []), ...columns].map((c) => quote(headers === 'codes' ? c.code : c.header));
  let chunk = `${BOM}${header.join(',')}\r\n`;
  let count = 0;
  for await (const row of rowsOf(table.rows)) {
    const cells = columns.map((c) => csvCell(c.kind, c.value(row), headers, meta.utcOffsetMinutes));
    chunk += `${[...asOf, ...cells].join(',')}\r\n`;
    if (++count % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The CSV as a byte stream (for a response or a file), read as the consumer reads. */
export const csvStream = <R>(table: Table<R>, headers: Headers = 'zh'): Readable =>
  Readable.from((async function* () {
    for await (const text of csvChunks(table, headers)) yield Buffer.from(text, 'utf8');
  })());

export async function csvText<R>(table: Table<R>, headers: Headers = 'zh'): Promise<string> {
  let text = '';
  for await (const chunk of csvChunks(table, headers)) text += chunk;
  return text;
}
