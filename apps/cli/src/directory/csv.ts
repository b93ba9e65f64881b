/**
 * CSV as spreadsheets save it (RFC 4180): comma-separated, fields in double quotes when they hold a comma, a quote
 * (doubled) or a line break; CRLF, LF or CR line ends; an optional UTF-8 byte order mark (Excel's "CSV UTF-8" writes
 * one). Each record keeps the line of the file it starts on, so that an error can name it.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (a quoted field may span lines). */
  readonly line: number;
  readonly cells: readonly string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Decodes a file's bytes as UTF-8, or says how to save it so: Excel in Chinese saves plain "CSV" in GBK. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Error('is not UTF-8 text: save it as "CSV UTF-8 (逗号分隔)" (Excel) or as .xlsx');
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = input.length;
  /** The length of a line break at `at` (CRLF, LF or CR), or 0. */
  const lineBreak = (at: number): number => (input[at] === '\r' ? (input[at + 1] === '\n' ? 2 : 1) : input[at] === '\n' ? 1 : 0);
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let value = '';
      if (input[i] === '"') {
        // Up to the closing quote, with "" for a quote and any line breaks inside.
        const opened = line;
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(opened, 'a quoted field is not closed');
          if (input[i] === '"') {
            if (input[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          const br = lineBreak(i);
          if (br > 0) line++;
          value += input.slice(i, i + Math.max(br, 1));
          i += Math.max(br, 1);
        }
        i++;
        if (i < n && input[i] !== ',' && lineBreak(i) === 0)
          throw new CsvSyntaxError(line, 'text after a closing quote: put the whole field in quotes, quotes inside doubled ("")');
      } else {
        const from = i;
        while (i < n && input[i] !== ',' && input[i] !== '\n' && input[i] !== '\r') {
          if (input[i] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field: put the whole field in quotes, quotes inside doubled ("")');
          i++;
        }
        value = input.slice(from, i);
      }
      cells.push(value);
      if (input[i] !== ',') break;
      i++;
    }
    records.push({ line: start, cells });
    const br = lineBreak(i);
    if (br > 0) line++;
    i += br;
  }
  return records;
}
