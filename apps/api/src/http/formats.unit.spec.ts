import { contentDisposition, headersOption, negotiate } from './formats.js';
import { HttpProblem } from './problem.js';

/** The file name a browser saves as (RFC 6266): `filename*` when given, else `filename`. */
function savedAs(header: string): string {
  const star = /filename\*=UTF-8''([^;]+)/.exec(header);
  if (star) return decodeURIComponent(star[1]);
  return /filename="([^"]*)"/.exec(header)?.[1] ?? '';
}

describe('content negotiation of the read routes', () => {
  it('takes ?format= first, then the best Accept range, and JSON when nothing listed is served', () => {
    expect(negotiate('csv', 'application/json')).toBe('csv');
    expect(negotiate(undefined, 'text/csv')).toBe('csv');
    expect(negotiate(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(negotiate(undefined, 'application/json;q=0.4, text/csv;q=0.9')).toBe('csv');
    expect(negotiate(undefined, 'text/csv;q=0, application/json')).toBe('json');
    expect(negotiate(undefined, 'text/html,application/xhtml+xml,*/*;q=0.8')).toBe('json');
    expect(negotiate(undefined, 'image/png')).toBe('json');
    expect(negotiate(undefined, undefined)).toBe('json');
  });

  it('refuses a format or headers it does not have, naming the parameter', () => {
    expect(() => negotiate('pdf', undefined)).toThrow(HttpProblem);
    expect(() => negotiate(['csv', 'xlsx'], undefined)).toThrow(/format/);
    expect(headersOption(undefined)).toBe('zh');
    expect(headersOption('codes')).toBe('codes');
    expect(() => headersOption('en')).toThrow(/headers/);
  });
});

describe('Content-Disposition (RFC 6266, RFC 5987)', () => {
  it.each([
    '区政协六届三次会议提案办理统计（截至2019-12-31）.csv',
    "提案清单（标题含“O'Brien (test) * 100%”）.xlsx",
    '审计记录 2020;a=b,c.csv',
  ])('carries %s through the round trip', (name) => {
    const header = contentDisposition(name, 'statistics-6-3.csv');
    expect(header).toMatch(/^attachment; filename="statistics-6-3\.csv"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(savedAs(header)).toBe(name);
  });

  it('keeps the ASCII name a quoted string: no quote, backslash or non-ASCII character in it', () => {
    expect(contentDisposition('x.csv', 'a"b\\c-统计.csv')).toContain('filename="a_b_c-__.csv"');
  });
});
