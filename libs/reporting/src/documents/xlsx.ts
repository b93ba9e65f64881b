import { PassThrough, type Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { displayWidth, rowsOf, titleLine, type CellKind, type CellValue, type Column, type Headers, type Table } from './table.js';
import { xmlSafeText } from './xml-text.js';

/**
 * A table as an Excel workbook, written row by row with exceljs's streaming writer: each row is committed to the zip
 * as soon as it is made, so a table of a million rows (the audit trail) goes out in bounded memory. Row 1 is the
 * title (jurisdiction, session, as-of, generated at), row 2 the header, frozen and filterable; numbers, percentages,
 * changes and dates are typed cells with their formats, so that Excel sums, sorts and filters them.
 */
const NUMBER_FORMATS: Partial<Record<CellKind, string>> = {
  integer: '0',
  percent: '0.0%',
  points: '+0.0;-0.0;0.0',
  change: '+0;-0;0',
  date: 'yyyy-mm-dd',
  instant: 'yyyy-mm-dd hh:mm:ss',
};

/** Rows written between two looks at the consumer: enough to keep zlib busy, few enough to bound the buffers. */
const ROWS_PER_BATCH = 500;

/** A cell's value as Excel holds it: a percentage as a fraction, a date or instant as a (wall-clock) Date. */
export function xlsxCell(kind: CellKind, value: CellValue, utcOffsetMinutes: number): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  switch (kind) {
    case 'percent':
      return typeof value === 'number' ? Math.round(value * 10) / 1000 : String(value);
    case 'date': {
      const ms = Date.parse(`${String(value)}T00:00:00Z`);
      return Number.isNaN(ms) ? String(value) : new Date(ms);
    }
    case 'instant': {
      // Excel has no time zones: the cell shows the business wall-clock time (exceljs writes a Date as UTC).
      const ms = Date.parse(String(value));
      return Number.isNaN(ms) ? String(value) : new Date(ms + utcOffsetMinutes * 60_000);
    }
    case 'boolean':
      return value === true ? '是' : '否';
    case 'integer':
    case 'points':
    case 'change':
      return typeof value === 'number' ? value : String(value);
    case 'text':
      return String(value);
  }
}

const columnWidth = (c: Column<unknown>): number => Math.min(80, Math.max(c.width ?? 0, displayWidth(c.header) + 2, 6));

/**
 * Writes the workbook into `out` as its rows arrive, waiting whenever the consumer has not taken what was written;
 * resolves when the workbook is complete.
 */
export async function writeXlsx<R>(table: Table<R>, out: PassThrough, headers: Headers = 'zh'): Promise<void> {
  const columns = table.columns as readonly Column<R>[];
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'cppcc-proposals';
  workbook.created = new Date(table.meta.generatedAt);
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', xSplit: 0, ySplit: 2, activeCell: 'A3' }] });
  sheet.columns = columns.map((c) => ({ key: c.code, width: columnWidth(c as Column<unknown>), style: NUMBER_FORMATS[c.kind] ? { numFmt: NUMBER_FORMATS[c.kind] } : {} }));
  const title = sheet.addRow([titleLine(table as Table)]);
  title.font = { bold: true, size: 13 };
  title.height = 22;
  sheet.mergeCells(1, 1, 1, Math.max(1, columns.length));
  title.commit();
  const header = sheet.addRow(columns.map((c) => (headers === 'codes' ? c.code : c.header)));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
    cell.border = { bottom: { style: 'thin' } };
  });
  header.commit();
  sheet.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: Math.max(1, columns.length) } };
  const rowXml = dataRows(sheet, columns, table.meta.utcOffsetMinutes);
  let count = 0;
  for await (const row of rowsOf(table.rows)) {
    rowXml(row);
    if (++count % ROWS_PER_BATCH === 0) {
      await drained(sheet, out);
      if (out.destroyed) return; // the consumer went away: no more rows are read
    }
  }
  sheet.commit();
  await workbook.commit();
}

/** What the data rows need of exceljs's streaming sheet writer beyond its public API. */
interface SheetWriterInternals {
  readonly stream: { write(xml: string): void };
  readonly startedData: boolean;
  readonly _workbook: { readonly styles: { addStyleModel(model: { numFmt: string }, cellType: number): number } };
}

const EXCEL_EPOCH_DAYS = 25_569;
/** Without the characters XML 1.0 does not allow, and with the three it must escape escaped. */
const xmlText = (text: string): string => xmlSafeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A1-style column letters. */
function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * The data rows, written as sheet XML straight into the sheet's stream after the title and header (which exceljs
 * writes): its Row and Cell objects — a model, a value and a style object per cell — were most of the garbage of a
 * million-row export, and garbage is what grows a process's heap. The cells are the ones `xlsxCell` describes: numbers
 * with their column's number format, dates and instants as Excel serial days in business time, text inline.
 */
function dataRows<R>(sheet: ExcelJS.Worksheet, columns: readonly Column<R>[], utcOffsetMinutes: number): (row: R) => void {
  const writer = sheet as unknown as SheetWriterInternals;
  if (!writer.startedData) throw new Error('the header row is written first');
  const letters = columns.map((_, i) => columnLetters(i));
  const styles = columns.map((c) => {
    const numFmt = NUMBER_FORMATS[c.kind];
    return numFmt ? ` s="${writer._workbook.styles.addStyleModel({ numFmt }, c.kind === 'date' || c.kind === 'instant' ? 4 : 2)}"` : '';
  });
  let rowNumber = 2;
  return (row) => {
    rowNumber++;
    let xml = `<row r="${rowNumber}">`;
    columns.forEach((c, i) => {
      const value = xlsxCell(c.kind, c.value(row), utcOffsetMinutes);
      if (value === null || value === undefined) return;
      const ref = `${letters[i]}${rowNumber}`;
      if (typeof value === 'number') xml += `<c r="${ref}"${styles[i]}><v>${value}</v></c>`;
      else if (value instanceof Date) xml += `<c r="${ref}"${styles[i]}><v>${EXCEL_EPOCH_DAYS + value.getTime() / 86_400_000}</v></c>`;
      else xml += `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(String(value))}</t></is></c>`;
    });
    writer.stream.write(`${xml}</row>`);
  };
}

/**
 * Waits until what was written has gone on: through the zip (exceljs's sheet buffer writes into the zip entry without
 * heeding its `false`, so rows made faster than zlib compresses them would pile up there — a million rows, a gigabyte)
 * and to the consumer.
 */
async function drained(sheet: ExcelJS.Worksheet, out: PassThrough): Promise<void> {
  const pipes = (sheet as unknown as { stream?: { pipes?: Streamish[] } }).stream?.pipes ?? [];
  for (const pipe of pipes) await below(pipe);
  await below(out);
}

/** What a stream holds, written but not yet taken on (archiver's streams are readable-stream 2: no public getters). */
type Streamish = Writable & { _writableState?: { length: number }; _readableState?: { length: number } };
const buffered = (s: Streamish): number =>
  (s.writableLength ?? s._writableState?.length ?? 0) + ((s as unknown as { readableLength?: number }).readableLength ?? s._readableState?.length ?? 0);

/** Bytes a stream on the way may hold before the rows wait for it. */
const HOLD = 256 * 1024;

/** Until the stream holds less than HOLD: it empties as the next stream reads it (no event says so for its readable side). */
async function below(stream: Streamish): Promise<void> {
  while (!stream.destroyed && buffered(stream) > HOLD) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setImmediate(resolve));
}

/** The workbook as a byte stream: written while it is read; a failure on the way destroys the stream with it. */
export function xlsxStream<R>(table: Table<R>, headers: Headers = 'zh'): Readable {
  const out = new PassThrough();
  writeXlsx(table, out, headers).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

export async function xlsxBuffer<R>(table: Table<R>, headers: Headers = 'zh'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = xlsxStream(table, headers);
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
