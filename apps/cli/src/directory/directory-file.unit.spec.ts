import { ValidationFailed } from '@app/proposals';
import { CsvSyntaxError, decodeUtf8, parseCsv } from './csv.js';
import { calendarDate, problemOfRefusal, readList, termsOf } from './rows.js';

describe('the CSV of an office spreadsheet', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, keeping the line each record starts on', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""",\r\n"two\r\nlines",2,3\n\nlast,,"" \n';
    expect(() => parseCsv(text)).toThrow(new CsvSyntaxError(6, 'text after a closing quote: put the whole field in quotes, quotes inside doubled ("")'));
    expect(parseCsv(text.replace('"" \n', '""\n'))).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['x, y', 'say "hi"', ''] },
      { line: 3, cells: ['two\r\nlines', '2', '3'] },
      { line: 5, cells: [''] },
      { line: 6, cells: ['last', '', ''] },
    ]);
  });

  it('takes CR line ends and a last line without one', () => {
    expect(parseCsv('a,b\rc,d')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['c', 'd'] },
    ]);
  });

  it('names the line of a quote left open and of a stray quote', () => {
    expect(() => parseCsv('a\n"open,b\nc\n')).toThrow(new CsvSyntaxError(2, 'a quoted field is not closed'));
    expect(() => parseCsv('a\nsay "hi"\n')).toThrow(/^line 2: a quote inside an unquoted field/);
  });

  it('reads UTF-8 and refuses other encodings with what to do', () => {
    expect(decodeUtf8(new TextEncoder().encode('\uFEFF区教育局'))).toBe('区教育局');
    expect(() => decodeUtf8(Uint8Array.from([0xc7, 0xf8, 0xbd, 0xcc]))).toThrow(/is not UTF-8 text: save it as "CSV UTF-8/);
  });
});

describe('the rows of a directory list', () => {
  const rec = (line: number, ...cells: string[]) => ({ line, cells });

  it('reads dates and terms as people write them in China', () => {
    expect(['2017-01-09', '2017/1/9', '2017.1.9', '2017年1月9日'].map(calendarDate)).toEqual(Array(4).fill('2017-01-09'));
    expect(calendarDate('9.1.2017')).toBe('9.1.2017');
    expect(termsOf('5,6')).toEqual(['5', '6']);
    expect(termsOf('第五届、第六届')).toEqual(['5', '6']);
    expect(termsOf('六届，十二')).toEqual(['6', '12']);
    expect(termsOf('二十一；06届')).toEqual(['21', '6']);
    expect(termsOf('')).toEqual([]);
    expect(termsOf('第六届委员')).toEqual(['第六届委员']);
  });

  it('tells units from members by their headers, and refuses a column it does not know', () => {
    expect(readList([rec(1, '单位代码', '全称', '简称', '类型'), rec(2, 'fgw', '区发展和改革委员会', '区发改委', '政府部门')]).list).toMatchObject({
      kind: 'units',
      rows: [{ line: 2, row: { code: 'fgw', kind: 'government-department' } }],
    });
    expect(readList([rec(1, 'ID', 'Name', 'Sector', 'Terms'), rec(2, 'm-1', '王芳', '教育界', '6')]).list).toMatchObject({
      kind: 'members',
      rows: [{ row: { id: 'm-1', terms: ['6'] } }],
    });
    expect(readList([rec(1, '委员编号', '姓名', '界别', '届别', '备注')]).problems).toEqual([
      { line: 1, message: 'column 5 "备注" is not one of 委员编号/id, 姓名/name, 界别/sector, 小组/group, 届别/terms' },
    ]);
    expect(readList([rec(1, '委员编号', '姓名', '界别')]).problems).toEqual([{ line: 1, message: 'a list of members needs the columns 届别/terms' }]);
    expect(readList([rec(3, '委员编号', '姓名', '界别', '届别', ''), rec(4, 'm-1', '王芳', '教育界', '6', 'x')]).problems).toEqual([
      { line: 4, message: 'column 5 has a value ("x") but no header' },
    ]);
  });

  it('maps a refusal of the import (units[1].code) to the line and the column of the file', () => {
    const { list } = readList([rec(1, '单位代码', '全称', '简称', '类型'), rec(2, 'fgw', 'a', 'b', '企业'), rec(5, 'FGW', 'a', 'b', '企业')]);
    const refusal = new ValidationFailed('must be 2 to 32 lower-case letters', 'units[1].code');
    expect(problemOfRefusal(list!, refusal)).toEqual({ line: 5, message: '单位代码 "FGW" must be 2 to 32 lower-case letters' });
    expect(problemOfRefusal(list!, new ValidationFailed('has no rows', 'rows'))).toEqual({ line: 0, message: 'has no rows' });
  });
});
