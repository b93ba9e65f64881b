import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { SqliteEventStore, type EventStore } from '@app/event-store';
import { anchorStream, type Anchor } from '@app/command-handling';
import { reportCommand } from './report.command.js';
import { replayCommand } from './replay/replay.command.js';
import { runCli } from './program.js';
import { TestApi } from '../../../test/support/api.js';

/**
 * The office's documents from the reporting job, opened as a person's program would open them: the demo sessions
 * replayed once, then `npm run report` writes the annual report (DOCX), the statistics (XLSX, CSV) and the answer
 * compilation, each read back.
 */
describe('npm run report: the office documents, from the event log', () => {
  let dir: string;
  let config: AppConfig;
  const saved = { ...process.env };

  const withStore = async <T>(use: (store: EventStore) => Promise<T>): Promise<T> => {
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };

  /** Runs the command as `npm run report -- …` would, with stdout and stderr captured. */
  async function report(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await reportCommand(args);
      const text = (spy: typeof out) => spy.mock.calls.map((c) => (Buffer.isBuffer(c[0]) ? c[0].toString('utf8') : String(c[0]))).join('');
      return { code, out: text(out), err: text(err) };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  /** The text of word/document.xml, tags removed, as a reader would search it. */
  async function docxText(path: string): Promise<{ xml: string; text: string; styles: string; zip: JSZip }> {
    const zip = await JSZip.loadAsync(readFileSync(path));
    const xml = await (zip.file('word/document.xml') as JSZip.JSZipObject).async('string');
    const styles = await (zip.file('word/styles.xml') as JSZip.JSZipObject).async('string');
    const text = xml
      .replace(/<\/w:p>/g, '\n')
      .replace(/<[^>]+>/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    return { xml, text, styles, zip };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-report-'));
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: 'report-test-secret-0123456789abcdef', SQLITE_SYNCHRONOUS: 'normal', TRAIL_SIGNING_KEY: key });
    config = loadConfig();
    const err: string[] = [];
    if ((await replayCommand(['all'], { out: () => {}, err: (t) => err.push(t), config })) !== 0) throw new Error(err.join('\n'));
  }, 120_000);

  afterAll(() => {
    process.env = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('the annual handling report (DOCX)', () => {
    let path: string;
    let doc: Awaited<ReturnType<typeof docxText>>;
    let anchor: Anchor & { position: number };

    beforeAll(async () => {
      path = join(dir, 'report.docx');
      const run = await report('--session', '6-3', '--format', 'docx', '--out', path);
      expect(run).toMatchObject({ code: 0 });
      expect(run.err).toMatch(/^anchor of jinshan at position \d+/m);
      doc = await docxText(path);
      const recorded = await withStore((store) => store.readStream(anchorStream('jinshan')));
      expect(recorded.map((e) => e.metadata.recordedBy)).toEqual(['npm run report']);
      anchor = { ...(recorded[0].data as Anchor), position: (recorded[0].data as Anchor).statement.position };
    });

    it('holds every 2019 figure of the seed and the year-on-year changes', () => {
      for (const figure of ['184', '155', '86.5%', '5.2%', '8.4%', '77.4%', '19', '14', '97', '10', '+2.1', '+8.7']) expect(doc.text).toContain(figure);
      // … in the sentences the report makes of them.
      expect(doc.text).toContain('委员共提交提案184件');
      expect(doc.text).toContain('立案155件，比上届增加8件');
      expect(doc.text).toContain('（A类）134件，占86.5%，比上届提高2.1个百分点');
      expect(doc.text).toContain('（B类）8件，占5.2%');
      expect(doc.text).toContain('（C类）13件，占8.4%');
      expect(doc.text).toContain('区领导领办提案19件，比上届增加3件');
      expect(doc.text).toContain('对14家重点承办单位开展督办走访');
      expect(doc.text).toContain('确定重点提案97件');
      expect(doc.text).toContain('主动公开提案答复120件，占立案提案的77.4%，比上届提高8.7个百分点');
      expect(doc.text).toContain('本年度有10件取得实质性新进展');
      expect(doc.text).toMatch(/解决率\n?86\.5%\n84\.4%\n—\n\+2\.1个百分点/);
    });

    it('has the structure of such reports, with the office’s own sections left as marked placeholders', () => {
      const headings = ['关于区政协六届三次会议提案办理情况的报告', '一、基本情况', '二、主要做法', '三、办理成效', '四、存在问题和下一步工作', '附件', '指标定义与计算依据'];
      let at = -1;
      for (const heading of headings) {
        const next = doc.text.indexOf(heading, at + 1);
        expect(next).toBeGreaterThan(at);
        at = next;
      }
      expect(doc.text).toMatch(/【待填写：办理工作中存在的问题/);
      expect(doc.text).toMatch(/【待填写：下一步工作打算/);
      expect(doc.xml).toContain('w:rStyle w:val="ReportPlaceholder"');
    });

    it('is set in Chinese typography an office restyles by style: 仿宋 body, 黑体 and 楷体 headings, A4, page numbers', async () => {
      for (const name of ['报告正文', '报告副标题', '表格文字', '待填写', '落款']) expect(doc.styles).toContain(`w:name w:val="${name}"`);
      expect(doc.styles).toMatch(/w:styleId="Heading1"[\s\S]*?w:eastAsia="黑体"/);
      expect(doc.styles).toMatch(/w:styleId="Heading2"[\s\S]*?w:eastAsia="楷体"/);
      expect(doc.styles).toMatch(/w:styleId="ReportBody"[\s\S]*?w:eastAsia="仿宋"[\s\S]*?w:sz w:val="32"/);
      expect(doc.xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
      const footers = Object.keys(doc.zip.files).filter((f) => /^word\/footer\d+\.xml$/.test(f));
      expect(footers.length).toBeGreaterThanOrEqual(2);
      const footer = await (doc.zip.file(footers[0]) as JSZip.JSZipObject).async('string');
      expect(footer).toMatch(/PAGE/);
    });

    it('names, in its appendix, each figure’s definition and the log position and anchor it was computed at', async () => {
      const appendix = doc.text.slice(doc.text.indexOf('指标定义与计算依据'));
      expect(appendix).toContain('cppcc-handling-report@2');
      expect(appendix).toContain('首次答复的业务日期不晚于当时有效办理期限的立案提案');
      expect(appendix).toContain(`日志位置 ${anchor.position}（含）及以前的全部事件`);
      expect(appendix).toContain(`默克尔根（root）\n${anchor.statement.root}`);
      expect(appendix).toContain(`签名（signature）\n${anchor.signature}`);
      expect(appendix).toContain(`签名公钥指纹（key）\n${anchor.statement.key}`);
      expect(appendix).toContain(`--session 6-2,6-3 --at-position ${anchor.position} --tenant jinshan --format json`);
      // The auditor's recomputation at that position gives the same figures.
      const again = await report('--session', '6-3', '--at-position', String(anchor.position), '--format', 'json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.out)).toMatchObject({ filed: 184, registered: 155, solveRate: 86.5, published: { count: 120, percent: 77.4 } });
      expect(again.err).not.toMatch(/anchor of/);
    });
  });

  it('writes the statistics as a workbook: a title row with the as-of date, Chinese headers, frozen, percent formats', async () => {
    const path = join(dir, 'statistics.xlsx');
    expect((await report('--session', '6-3', '--as-of', '2019-12-31', '--format', 'xlsx', '--out', path)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.worksheets[0];
    expect(String(sheet.getCell('A1').value)).toMatch(/^辖区：jinshan · 区政协六届三次会议 · 提案办理统计 · 截至2019-12-31 · 生成于\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(sheet.getRow(2).values).toEqual([undefined, '指标代码', '指标', '数量', '百分比(%)', '口径']);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    const rows = new Map<string, ExcelJS.Row>();
    sheet.eachRow((row, n) => n > 2 && rows.set(String(row.getCell(1).value), row));
    expect(rows.get('filed')?.getCell(3).value).toBe(184);
    const solve = rows.get('solveRate') as ExcelJS.Row;
    expect(solve.getCell(2).value).toBe('解决率');
    expect(solve.getCell(4).value).toBeCloseTo(0.865, 10);
    expect(solve.getCell(4).numFmt).toBe('0.0%');
    expect(rows.get('categoryB')?.getCell(4).value).toBeCloseTo(0.052, 10);
    expect(sheet.getColumn(5).width).toBeGreaterThan(40);
  });

  it('writes CSV for Excel and for machines: BOM, Chinese or code headers, the as-of date, counts and point changes apart', async () => {
    const zh = await report('--session', '6-2,6-3', '--as-of', '2019-12-31', '--format', 'csv');
    expect(zh.code).toBe(0);
    expect(zh.out.startsWith('\ufeff截至日期,指标代码,指标,区政协六届二次会议 数量,区政协六届二次会议 百分比(%),区政协六届三次会议 数量,区政协六届三次会议 百分比(%),数量变化（6-2→6-3）,百分点变化（6-2→6-3）\r\n')).toBe(true);
    const line = (key: string) => zh.out.split('\r\n').find((l) => l.split(',')[1] === key)?.split(',');
    expect(line('solveRate')).toEqual(['2019-12-31', 'solveRate', '解决率', '124', '84.4', '134', '86.5', '10', '2.1']);
    expect(line('published')).toEqual(['2019-12-31', 'published', '主动公开答复', '101', '68.7', '120', '77.4', '19', '8.7']);
    expect(line('registered')).toEqual(['2019-12-31', 'registered', '立案', '147', '', '155', '', '8', '']);
    const codes = await report('--session', '6-3', '--format', 'csv', '--headers', 'codes');
    expect(codes.out.split('\r\n')[0]).toBe('\ufeffasOf,figure,label,count,percent,definition');
  });

  describe('the answer compilation (DOCX)', () => {
    let text: string;
    let answered: { stream: string; text: string; publish: boolean }[];

    beforeAll(async () => {
      const path = join(dir, 'answers.docx');
      expect((await report('--session', '6-3', '--answers', '--out', path)).code).toBe(0);
      ({ text } = await docxText(path));
      answered = await withStore(async (store) => {
        const events = await store.readAll({ filter: { streamPrefixes: ['proposal-jinshan:'], eventTypes: ['proposal.filed.v2', 'proposal.answered.v1'] } });
        const of63 = new Set(events.filter((e) => (e.data as { session?: string }).session === '6-3').map((e) => e.stream));
        return events
          .filter((e) => e.type === 'proposal.answered.v1' && of63.has(e.stream))
          .map((e) => ({ stream: e.stream, text: (e.data as { text: string }).text, publish: (e.data as { publish: boolean }).publish }));
      });
    });

    it('holds every published answer of the session, in the order of the numbers', () => {
      expect(text).toContain('区政协六届三次会议提案答复汇编');
      expect(text).toContain('（共120件，按提案编号排列');
      const numbers = [...text.matchAll(/^(6-3-\d{3})　/gm)].map((m) => m[1]);
      expect(numbers).toHaveLength(120);
      expect(numbers).toEqual([...numbers].sort());
      expect(text).toMatch(/提案人：.+\n主办单位：.+\n/);
    });

    it('never holds a withheld answer', () => {
      const published = new Set(answered.filter((a) => a.publish).map((a) => a.text));
      const withheld = answered.filter((a) => !a.publish && !published.has(a.text));
      expect(withheld.length).toBeGreaterThan(0);
      // Each answer is its own paragraph (a line here): a withheld text is none of them.
      const paragraphs = new Set(text.split('\n'));
      for (const a of withheld) expect(paragraphs).not.toContain(a.text);
      expect(paragraphs).toContain(answered.find((a) => a.publish)?.text);
    });
  });
  it('warns when the read models a table comes from stand behind the log (no service has projected the replay yet)', async () => {
    const run = await report('--table', 'overdue');
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^warning: the read models stand behind the log \(proposals@\d+ at 0, \d+ events behind/m);
    expect(run.err).toContain('start the service, or npm run rebuild');
  });

  describe('the read routes’ tables (--table), from the code the routes run', () => {
    const api = new TestApi();
    let auditor: string;

    /** The first worksheet's rows below the title row (the header, then the data), as plain values. */
    async function sheetRows(body: Buffer | string): Promise<{ title: string; rows: unknown[][] }> {
      const workbook = new ExcelJS.Workbook();
      if (typeof body === 'string') await workbook.xlsx.readFile(body);
      else await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const rows: unknown[][] = [];
      sheet.eachRow((row, n) => n > 1 && rows.push((row.values as unknown[]).slice(1)));
      return { title: String(sheet.getCell('A1').value), rows };
    }
    /** The route's file, as the API answers it to an auditor. */
    async function routeFile(path: string): Promise<Buffer> {
      const reply = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(reply.status).toBe(200);
      return Buffer.from(await reply.arrayBuffer());
    }
    const withoutGeneratedAt = (title: string) => title.replace(/ · 生成于.*$/, '');

    beforeAll(async () => {
      // The service on the same stores, on today's clock (the lists' overdue and due-soon are as of today), catching
      // its read models up with the replayed log: the command line reads those read models.
      api.clock.set(new Date().toISOString());
      await api.start({ DATA_DIR: dir });
      auditor = api.token({ sub: 'a-1', role: 'auditor' });
      // Caught up: no event the projections read after their checkpoints (anchors, recorded above, none reads).
      for (let tries = 0; ; tries++) {
        const { body } = await api.get('/projections', auditor);
        if (body.projections.every((p: { eventsBehind: number }) => p.eventsBehind === 0)) break;
        if (tries > 100) throw new Error(`the read models did not catch up: ${JSON.stringify(body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }, 120_000);

    afterAll(async () => {
      await api.stop();
    });

    it('writes every table as CSV for Excel: a BOM, then the Chinese headers', async () => {
      const first: Record<string, [string[], string]> = {
        units: [['--session', '6-3'], '截至日期,单位代码,承办单位（办理时名称）,现名称,主办件数,'],
        proposals: [['--session', '6-3'], '截至日期,编号,标题,届次,类别,提案人,状态,主办单位,'],
        overdue: [[], '截至日期,编号,标题,'],
        'due-soon': [['--session', '6-3'], '截至日期,编号,标题,'],
        audit: [['--filter', 'recordedLaterThanDays=365'], '日志位置,发生时间,录入时间,补录滞后天数,步骤,'],
        // Last: computed from the log, these anchor it first (TRAIL_SIGNING_KEY), and the log moves ahead of the read models.
        statistics: [['--session', '6-3'], '截至日期,指标代码,指标,数量,百分比(%),口径'],
        'year-over-year': [['--session', '6-2,6-3'], '截至日期,指标代码,指标,区政协六届二次会议 数量,'],
      };
      for (const [table, [args, header]] of Object.entries(first)) {
        const run = await report('--table', table, ...args);
        expect({ table, code: run.code, warned: /warning/.test(run.err) }).toEqual({ table, code: 0, warned: false });
        expect({ table, start: run.out.slice(0, header.length + 1) }).toEqual({ table, start: `\ufeff${header}` });
      }
      const units = await report('--table', 'units', '--session', '6-3');
      expect(units.out.split('\r\n').filter(Boolean).length).toBeGreaterThan(10); // a line per unit
    });

    it('writes the columns’ codes for machines with --headers codes', async () => {
      const units = await report('--table', 'units', '--session', '6-3', '--headers', 'codes');
      expect(units.out.split('\r\n')[0]).toBe(
        '\ufeffasOf,unit,unitName,currentName,leadAssigned,leadAnswered,leadOnTime,leadOverdue,categoryA,categoryB,categoryC,withFeedback,satisfied,satisfaction,coAssigned,coOpinionsSent,visitsPrincipal,visitsDeputy,visitsStaff',
      );
      const audit = await report('--table', 'audit', '--filter', 'recordedLaterThanDays=365', '--headers', 'codes');
      expect(audit.out.split('\r\n')[0]).toMatch(/^\ufeffposition,occurredAt,recordedAt,lagDays,step,type,/);
    });

    it('writes each workbook with the rows the HTTP route answers for the same query', async () => {
      const cases: { table: string; args: string[]; route: string; title: RegExp }[] = [
        {
          table: 'proposals',
          args: ['--session', '6-3', '--filter', 'status=answered', '--filter', 'key=true', '--filter', 'sort=number'],
          route: '/proposals?session=6-3&status=answered&key=true&sort=number',
          title: /提案清单（届次 6-3，状态 已答复，重点提案）/,
        },
        { table: 'units', args: ['--session', '6-3'], route: '/units?session=6-3', title: /承办单位办理情况（6-3）/ },
        { table: 'overdue', args: [], route: '/supervision/overdue', title: /逾期未办结提案/ },
        { table: 'due-soon', args: ['--filter', 'days=60'], route: '/supervision/due-soon?days=60', title: /即将到期提案（60天内到期）/ },
        {
          table: 'audit',
          args: ['--filter', 'type=proposal.answered.v1', '--filter', 'from=2019-01-01', '--filter', 'to=2019-06-30'],
          route: '/audit?type=proposal.answered.v1&from=2019-01-01&to=2019-06-30',
          title: /审计记录/,
        },
      ];
      for (const { table, args, route, title } of cases) {
        const path = join(dir, `${table}.xlsx`);
        expect((await report('--table', table, ...args, '--format', 'xlsx', '--out', path)).code).toBe(0);
        const cli = await sheetRows(path);
        const http = await sheetRows(await routeFile(`${route}${route.includes('?') ? '&' : '?'}format=xlsx`));
        expect({ table, rows: cli.rows }).toEqual({ table, rows: http.rows });
        expect(withoutGeneratedAt(cli.title)).toBe(withoutGeneratedAt(http.title));
        expect(cli.title).toMatch(title);
      }
      // Not empty comparisons: the filtered list and the trail hold rows, and only those the filters select.
      const proposals = await sheetRows(join(dir, 'proposals.xlsx'));
      const header = proposals.rows[0];
      expect(header.slice(0, 6)).toEqual(['编号', '标题', '届次', '类别', '提案人', '状态']);
      const data = proposals.rows.slice(1);
      expect(data.length).toBeGreaterThan(20);
      expect(new Set(data.map((r) => r[header.indexOf('状态')]))).toEqual(new Set(['已答复']));
      expect(new Set(data.map((r) => r[header.indexOf('重点提案')]))).toEqual(new Set(['是']));
      const audit = (await sheetRows(join(dir, 'audit.xlsx'))).rows;
      expect(audit.length).toBeGreaterThan(10);
      expect(new Set(audit.slice(1).map((r) => r[audit[0].indexOf('事件类型')]))).toEqual(new Set(['proposal.answered.v1']));
    });

    it('lists the tables in --help, and refuses a wrong table or filter naming the option (exit 2)', async () => {
      const io = () => {
        const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
        return io;
      };
      const help = io();
      expect(await runCli(['report', '--help'], help)).toBe(0);
      expect(help.out).toContain('--table <name>');
      for (const table of ['statistics', 'year-over-year', 'units', 'proposals', 'overdue', 'due-soon', 'audit']) expect(help.out).toContain(`"${table}"`);

      const wrong = io();
      expect(await runCli(['report', '--session', '6-3', '--table', 'budgets'], wrong)).toBe(2);
      expect(wrong.err).toMatch(/option '--table <name>' argument 'budgets' is invalid/);

      const filter = io();
      expect(await runCli(['report', '--session', '6-3', '--table', 'proposals', '--filter', 'colour=red'], filter)).toBe(2);
      expect(filter.err).toContain('--filter: the proposals table takes no filter colour');
      const value = io();
      expect(await runCli(['report', '--table', 'audit', '--filter', 'from=yesterday'], value)).toBe(2);
      expect(value.err).toContain('--filter: filter from must be a date YYYY-MM-DD or an ISO instant');
    });
  });
});
