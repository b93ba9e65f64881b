import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { SqliteEventStore, type RecordedEvent } from '@app/event-store';
import { directoryStream } from '@app/proposals';
import { directoryCommand, type DirectoryIo } from './directory.command.js';

/**
 * `npm run directory -- import <file>`: the office's spreadsheet through the command path into a fresh store, read
 * back from the event log as the trail would show it.
 */
describe('npm run directory -- import', () => {
  let dir: string;
  let config: AppConfig;
  let out: string[];
  let err: string[];
  const io = (): DirectoryIo => ({ out: (t) => out.push(t), err: (t) => err.push(t), config });
  const run = async (...argv: string[]) => {
    out = [];
    err = [];
    return directoryCommand(argv, io());
  };
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const events = async (): Promise<RecordedEvent[]> => {
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    try {
      return await store.readStream(directoryStream(config.defaultTenant));
    } finally {
      await store.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-directory-'));
    config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 'directory-test-secret-0123456789abcdef', SQLITE_SYNCHRONOUS: 'normal' });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('imports units from an .xlsx workbook with English headers, dates as Excel stores them', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('units');
    sheet.addRow(['code', 'fullName', 'shortName', 'kind', 'activeFrom']);
    sheet.addRow(['fgw', '区发展和改革委员会', '区发改委', 'government-department', new Date(Date.UTC(2016, 11, 1))]);
    sheet.addRow(['zjz', '朱泾镇人民政府', '朱泾镇', '街道镇', '2016/12/1']);
    sheet.addRow([]);
    sheet.addRow(['cl', '区残疾人联合会', { richText: [{ text: '区' }, { text: '残联', font: { bold: true } }] }, '人民团体', null]);
    const path = join(dir, 'units.xlsx');
    await workbook.xlsx.writeFile(path);

    expect(await run('import', path)).toBe(0);
    expect(out).toEqual([`${path}: 3 units: 3 registered`]);
    const recorded = await events();
    expect(recorded.map((e) => e.type)).toEqual(['directory.unit-registered.v1', 'directory.unit-registered.v1', 'directory.unit-registered.v1']);
    expect(recorded.map((e) => e.data)).toEqual([
      { code: 'fgw', fullName: '区发展和改革委员会', shortName: '区发改委', kind: 'government-department', activeFrom: '2016-12-01' },
      { code: 'zjz', fullName: '朱泾镇人民政府', shortName: '朱泾镇', kind: 'township', activeFrom: '2016-12-01' },
      expect.objectContaining({ code: 'cl', shortName: '区残联', kind: 'people-organisation' }),
    ]);
    // One command of the office, as the trail shows it.
    expect(new Set(recorded.map((e) => (e.metadata as { commandId: string }).commandId)).size).toBe(1);
    expect(recorded[0].metadata).toMatchObject({ commandType: 'ImportDirectory', actor: { id: 'directory-import', role: 'office' } });
  });

  it('imports members from a UTF-8 CSV with a BOM and Chinese headers, quoted fields and terms as people write them', async () => {
    const csv =
      '\uFEFF委员编号,姓名,界别,小组,届别\r\n' +
      'm-001,王建国,经济界,第一组,"5,6"\r\n' +
      'm-002,李丽,"中共",,第六届\r\n' +
      '"m-003","张""小""华",医药卫生界,第二组,5、6\r\n';
    const path = file('members.csv', csv);

    expect(await run('import', path, '--as', 'office-li')).toBe(0);
    expect(out).toEqual([`${path}: 3 members: 3 registered`]);
    const recorded = await events();
    expect(recorded.map((e) => e.data)).toEqual([
      { id: 'm-001', name: '王建国', sector: '经济界', group: '第一组', terms: ['5', '6'] },
      { id: 'm-002', name: '李丽', sector: '中共', terms: ['6'] },
      { id: 'm-003', name: '张"小"华', sector: '医药卫生界', group: '第二组', terms: ['5', '6'] },
    ]);
    expect(recorded[0].metadata).toMatchObject({ actor: { id: 'office-li', role: 'office' } });
  });

  it('reports every bad row by its line in the file and writes nothing', async () => {
    const path = file(
      'units.csv',
      [
        '单位代码,全称,简称,类型',
        'fgw,区发展和改革委员会,区发改委,政府部门',
        // A quoted field spanning two lines: the rows after it keep their lines in the file.
        'jyj,"区教育局',
        '（区教委）",区教育局,政府部门',
        '区发改委,区发展和改革委员会,区发改委,政府部门',
        'czj,区财政局,区财政局,局',
        'fgw,区发改委,区发改委,政府部门',
        'mzj,区民政局,   ,政府部门',
      ].join('\n'),
    );

    expect(await run('import', path)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `${path}: line 5: 单位代码 "区发改委" must be 2 to 32 lower-case letters, digits and dashes, starting with a letter`,
      `${path}: line 6: 类型 "局" must be one of 政府部门 (government-department), 街道镇 (township), 人民团体 (people-organisation), 事业单位 (public-institution), 企业 (enterprise), 其他 (other)`,
      `${path}: line 7: 单位代码 "fgw" is on line 2 already`,
      `${path}: line 8: 简称 "   " must contain visible characters`,
      `${path}: nothing imported: 4 lines have errors`,
    ]);
    expect(await events()).toEqual([]);
  });

  it('appends nothing when the same file is imported again, and a changed short name as a UnitChanged', async () => {
    const header = 'code,fullName,shortName,kind,activeFrom\n';
    const rows = ['sthjj,区环境保护局,区环保局,government-department,2016-12-01', 'fgw,区发展和改革委员会,区发改委,government-department,2016-12-01'];
    const path = file('units.csv', header + rows.join('\n') + '\n');
    expect(await run('import', path)).toBe(0);
    const first = await events();
    expect(first).toHaveLength(2);

    expect(await run('import', path)).toBe(0);
    expect(out).toEqual([`${path}: 2 units: nothing to change`]);
    expect(await events()).toEqual(first);

    // 机构改革: the unit keeps its code, its names change.
    const renamed = file('units-2019.csv', header + 'sthjj,区生态环境局,区生态环境局,government-department,2016-12-01\n' + rows[1] + '\n');
    expect(await run('import', renamed)).toBe(0);
    expect(out).toEqual([`${renamed}: 2 units: 1 changed, 1 unchanged`]);
    const after = await events();
    expect(after).toHaveLength(3);
    expect(after[2]).toMatchObject({
      type: 'directory.unit-changed.v1',
      data: { code: 'sthjj', fullName: '区生态环境局', shortName: '区生态环境局' },
    });
  });

  it('says which list it needs when the headers name neither, and takes --units for a list with no code column', async () => {
    const path = file('list.csv', '名称,类型\n区教育局,政府部门\n');
    expect(await run('import', path)).toBe(1);
    expect(err[0]).toMatch(/line 1: the headers must name a list of units \(单位代码\/code, .*\) or of members .*--units or --members/);
    expect(await run('import', path, '--units')).toBe(1);
    expect(err).toEqual([
      `${path}: line 1: column 1 "名称" is not one of 单位代码/code, 全称/fullName, 简称/shortName, 类型/kind, 启用日期/activeFrom`,
      `${path}: line 1: a list of units needs the columns 单位代码/code, 全称/fullName, 简称/shortName`,
      `${path}: nothing imported: 1 line has errors`,
    ]);
    expect(await events()).toEqual([]);
  });

  it('refuses a CSV that is not UTF-8 and a file that is neither .csv nor .xlsx, writing nothing', async () => {
    // 区教育局 in GBK, as Excel in Chinese saves plain "CSV".
    const gbk = join(dir, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([0xc7, 0xf8, 0xbd, 0xcc, 0xd3, 0xfd, 0xbe, 0xd6, 0x0a]));
    expect(await run('import', gbk)).toBe(1);
    expect(err).toEqual([`${gbk}: is not UTF-8 text: save it as "CSV UTF-8 (逗号分隔)" (Excel) or as .xlsx`]);
    const txt = file('units.txt', 'code\n');
    expect(await run('import', txt)).toBe(1);
    expect(err).toEqual([`${txt}: must be .xlsx or .csv, not ".txt"`]);
    expect(await events()).toEqual([]);
  });

  it('prints its usage with an example for --help, and exits 2 on a wrong call', async () => {
    expect(await run('--help')).toBe(0);
    expect(out.join('\n')).toMatch(/^usage: npm run -s directory -- import <file.xlsx\|file.csv>/);
    expect(out.join('\n')).toContain('example:\n  npm run -s directory -- import units.csv');
    expect(await run('export', 'units.csv')).toBe(2);
    expect(err.join('\n')).toMatch(/unknown action "export"/);
  });
});
