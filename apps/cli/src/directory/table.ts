import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import ExcelJS from 'exceljs';
import { decodeUtf8, parseCsv, type CsvRecord } from './csv.js';

/**
 * The office's list as a table of text cells, each row with the line people see it on: the row number in Excel,
 * the line in a CSV file. Blank rows are left out (spreadsheets end with some).
 */
export interface Table {
  readonly rows: readonly CsvRecord[];
}

export const TABLE_FORMATS = ['.xlsx', '.csv'] as const;

export async function readTable(path: string): Promise<Table> {
  const format = extname(path).toLowerCase();
  const bytes = await readFile(path);
  let rows: CsvRecord[];
  if (format === '.csv') rows = parseCsv(decodeUtf8(bytes));
  else if (format === '.xlsx') rows = await xlsxRows(bytes);
  else throw new Error(`must be ${TABLE_FORMATS.join(' or ')}, not "${format || 'no extension'}"`);
  return { rows: rows.filter((r) => r.cells.some((c) => c.trim() !== '')) };
}

/** The first worksheet that has rows; every cell as the text its value stands for. */
async function xlsxRows(bytes: Buffer): Promise<CsvRecord[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new Error(`is not a readable .xlsx workbook (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const sheet = workbook.worksheets.find((s) => s.actualRowCount > 0);
  if (!sheet) return [];
  const rows: CsvRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const values = row.values as ExcelJS.CellValue[];
    // `values` is 1-based and sparse: holes are empty cells.
    rows.push({ line, cells: Array.from({ length: Math.max(0, values.length - 1) }, (_, i) => cellText(values[i + 1])) });
  });
  return rows;
}

/**
 * A cell's value as text: dates as YYYY-MM-DD (Excel stores a date without a time zone and exceljs reads it as that
 * day at 00:00 UTC), numbers as written (6, not 6.0), formulas by their result, rich text and links by their text.
 */
export function cellText(value: ExcelJS.CellValue | { richText: ExcelJS.RichText[] } | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result);
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  return '';
}
