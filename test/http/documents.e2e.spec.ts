import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { eventStoreFile, loadConfig } from '@app/config';
import { SqliteEventStore } from '@app/event-store';
import { anchorNow } from '../../apps/cli/src/anchor.command.js';
import { replayCommand } from '../../apps/cli/src/replay/replay.command.js';
import { TEST_SECRET, TestApi } from '../support/api.js';

/**
 * The office's documents over HTTP, on the demo sessions (replayed once): the annual report and the answer
 * compilation as Word files, and every read route's table as CSV and XLSX — each opened as the office's programs
 * open them, under the same access rules as the JSON, with file names that keep their Chinese.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

interface FileReply {
  readonly status: number;
  readonly type: string;
  readonly disposition: string;
  readonly vary: string;
  readonly body: Buffer;
}

/** The file name a browser saves as: `filename*` (RFC 5987) when there is one, else `filename`. */
function savedAs(disposition: string): { name: string; ascii: string } {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="([^"]*)"/i.exec(disposition);
  return { name: star ? decodeURIComponent(star[1]) : (plain?.[1] ?? ''), ascii: plain?.[1] ?? '' };
}

async function docxText(body: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(body);
  const xml = await (zip.file('word/document.xml') as JSZip.JSZipObject).async('string');
  return xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '');
}

async function sheetOf(body: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook.worksheets[0];
}

describe('office documents over HTTP', () => {
  const api = new TestApi();
  let dir: string;
  let head: number;
  let anchorRoot: string;
  let tokens: Record<'office' | 'member' | 'unit' | 'auditor' | 'committee', string>;

  /** A GET as a browser or a script fetches a file: the body as bytes. Waits for the read models to reach the replay. */
  async function fetchFile(path: string, token?: string, headers: Record<string, string> = {}): Promise<FileReply> {
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${api.baseUrl}${path}${separator}minPosition=${head}`, {
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      disposition: response.headers.get('content-disposition') ?? '',
      vary: response.headers.get('vary') ?? '',
      body: Buffer.from(await response.arrayBuffer()),
    };
  }

  const json = async (path: string, token?: string) => JSON.parse((await fetchFile(path, token)).body.toString('utf8'));
  const csvLines = (reply: FileReply) => reply.body.toString('utf8').replace(/^\ufeff/, '').split('\r\n').filter(Boolean);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-documents-'));
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = { DATA_DIR: dir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal', TRAIL_SIGNING_KEY: key };
    const err: string[] = [];
    const config = loadConfig(env);
    if ((await replayCommand(['all'], { out: () => {}, err: (t) => err.push(t), config })) !== 0) throw new Error(err.join('\n'));
    // The trail signed once, as the daily anchor or npm run anchor would have.
    const store = new SqliteEventStore({ path: eventStoreFile(config), synchronous: 'normal' });
    try {
      head = await store.headPosition(); // the replay's last event: the read models wait for it (not for the anchor's own)
      const anchored = await anchorNow(config, store, 'jinshan', 'npm run anchor');
      if (!('recorded' in anchored)) throw new Error(anchored.refused);
      anchorRoot = anchored.recorded.statement.root;
    } finally {
      await store.close();
    }
    api.clock.set('2020-01-10T02:00:00.000Z');
    await api.start(env);
    tokens = {
      office: api.token({ sub: 'o-1', role: 'office', name: '区政府办公室' }),
      committee: api.token({ sub: 'c-1', role: 'committee' }),
      auditor: api.token({ sub: 'a-1', role: 'auditor' }),
      member: api.token({ sub: 'member-6-001', role: 'member' }),
      unit: api.token({ sub: 'u-fgw', role: 'unit', unit: 'fgw' }),
    };
  }, 120_000);

  afterAll(async () => {
    await api.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('GET /sessions/:id/report.docx', () => {
    let reply: FileReply;
    let text: string;
    beforeAll(async () => {
      reply = await fetchFile('/sessions/6-3/report.docx', tokens.member);
      text = await docxText(reply.body);
    });

    it('is the annual report as a Word file, named in Chinese', () => {
      expect(reply.status).toBe(200);
      expect(reply.type).toBe(DOCX);
      expect(savedAs(reply.disposition)).toEqual({ name: '区政协六届三次会议提案办理情况报告.docx', ascii: 'report-6-3.docx' });
      expect(reply.disposition).toMatch(/^attachment; filename="report-6-3\.docx"; filename\*=UTF-8''%E5%8C%BA/);
    });

    it('holds every 2019 figure of the seed and the year-on-year changes, computed from the event log', () => {
      for (const figure of ['184', '155', '86.5%', '5.2%', '8.4%', '77.4%', '19', '14', '97', '10', '+2.1', '+8.7']) expect(text).toContain(figure);
      expect(text).toContain('区领导领办提案19件');
      expect(text).toMatch(/日志位置 \d+（含）及以前的全部事件/);
      expect(text).toContain('生成方式：GET /sessions/6-3/report.docx');
    });

    it('cites the newest anchor at or before the position it was computed at', () => {
      expect(text).toMatch(/默克尔根（root）\n[0-9a-f]{64}/);
      expect(text).toContain(anchorRoot);
      expect(text).toMatch(/(锚点位置即计算位置|晚于最近的锚点)/);
    });

    it('is for those signed in, as the statistics are; an unknown session is a 404', async () => {
      expect((await fetchFile('/sessions/6-3/report.docx')).status).toBe(401);
      const missing = await fetchFile('/sessions/9-9/report.docx', tokens.office);
      expect(missing.status).toBe(404);
      expect(missing.type).toMatch(/^application\/problem\+json/);
    });
  });

  describe('GET /public/answers.docx', () => {
    let reply: FileReply;
    let text: string;
    beforeAll(async () => {
      reply = await fetchFile('/public/answers.docx?session=6-3');
      text = await docxText(reply.body);
    });

    it('is every published answer of the session, by number, for anyone', async () => {
      expect(reply.status).toBe(200);
      expect(reply.type).toBe(DOCX);
      expect(savedAs(reply.disposition).name).toBe('区政协六届三次会议提案答复汇编.docx');
      const numbers = [...text.matchAll(/^(6-3-\d{3})　/gm)].map((m) => m[1]);
      const published = await json('/public/answers?session=6-3&pageSize=200');
      expect(numbers).toEqual(published.items.map((a: { number: string }) => a.number).sort());
      expect(numbers).toHaveLength(120);
    });

    it('holds no withheld answer, and neither does the report', async () => {
      const events = await api.store.readAll({ filter: { streamPrefixes: ['proposal-jinshan:'], eventTypes: ['proposal.filed.v2', 'proposal.answered.v1'] } });
      const of63 = new Set(events.filter((e) => (e.data as { session?: string }).session === '6-3').map((e) => e.stream));
      const answers = events.filter((e) => e.type === 'proposal.answered.v1' && of63.has(e.stream)).map((e) => e.data as { text: string; publish: boolean });
      const withheld = answers.filter((a) => !a.publish).map((a) => a.text);
      expect(withheld.length).toBeGreaterThan(0);
      const report = await docxText((await fetchFile('/sessions/6-3/report.docx', tokens.office)).body);
      // Each answer is its own paragraph (a line here): a withheld text is none of them.
      const paragraphs = new Set([...text.split('\n'), ...report.split('\n')]);
      for (const secret of withheld) expect(paragraphs).not.toContain(secret);
      expect(paragraphs).toContain(answers.find((a) => a.publish)?.text);
    });
  });

  describe('read routes as CSV and XLSX', () => {
    it('GET /sessions/:id/statistics?format=csv: BOM, Chinese headers, the as-of date, the same figures as the JSON', async () => {
      const reply = await fetchFile('/sessions/6-3/statistics?asOf=2019-12-31&format=csv', tokens.member);
      expect(reply.status).toBe(200);
      expect(reply.type).toBe('text/csv; charset=utf-8; header=present');
      expect(reply.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const lines = csvLines(reply);
      expect(lines[0]).toBe('截至日期,指标代码,指标,数量,百分比(%),口径');
      const figures = await json('/sessions/6-3/statistics?asOf=2019-12-31', tokens.member);
      expect(lines.find((l) => l.startsWith('2019-12-31,solveRate,'))).toMatch(new RegExp(`^2019-12-31,solveRate,解决率,134,${figures.solveRate},`));
      expect(lines.find((l) => l.startsWith('2019-12-31,registered,'))).toMatch(/^2019-12-31,registered,立案,155,,/);
      expect(savedAs(reply.disposition)).toEqual({ name: '区政协六届三次会议提案办理统计（截至2019-12-31）.csv', ascii: 'statistics-6-3-2019-12-31.csv' });
      expect(reply.vary).toMatch(/Accept/i);
    });

    it('answers the Accept types as it answers ?format=, and ?format= wins', async () => {
      const csv = await fetchFile('/sessions/6-3/statistics', tokens.member, { accept: 'text/csv' });
      expect(csv.type).toMatch(/^text\/csv/);
      const xlsx = await fetchFile('/sessions/6-3/statistics', tokens.member, { accept: `${XLSX}, application/json;q=0.5` });
      expect(xlsx.type).toBe(XLSX);
      const plain = await fetchFile('/sessions/6-3/statistics', tokens.member, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
      expect(plain.type).toMatch(/^application\/json/);
      const asked = await fetchFile('/sessions/6-3/statistics?format=json', tokens.member, { accept: 'text/csv' });
      expect(asked.type).toMatch(/^application\/json/);
    });

    it('refuses a format it does not have, naming the parameter', async () => {
      const reply = await fetchFile('/sessions/6-3/statistics?format=pdf', tokens.member);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body.toString())).toMatchObject({ errors: [{ field: 'format' }] });
      expect((await fetchFile('/sessions/6-3/statistics?format=csv&headers=en', tokens.member)).status).toBe(400);
    });

    it('GET /statistics/year-over-year?format=xlsx: a workbook with a title row, frozen headers, percent and point formats', async () => {
      const reply = await fetchFile('/statistics/year-over-year?sessions=6-2,6-3&format=xlsx', tokens.office);
      expect(reply.type).toBe(XLSX);
      expect(savedAs(reply.disposition).name).toMatch(/^提案办理情况历年对比（6-2、6-3）（截至2020-01-10）\.xlsx$/);
      const sheet = await sheetOf(reply.body);
      expect(String(sheet.getCell('A1').value)).toBe('辖区：jinshan · 提案办理情况历年对比（6-2、6-3） · 截至生成时（2020-01-10） · 生成于2020-01-10 10:00');
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      const header = sheet.getRow(2).values as unknown[];
      expect(header).toEqual([undefined, '指标代码', '指标', '区政协六届二次会议 数量', '区政协六届二次会议 百分比(%)', '区政协六届三次会议 数量', '区政协六届三次会议 百分比(%)', '数量变化（6-2→6-3）', '百分点变化（6-2→6-3）']);
      let published: ExcelJS.Row | undefined;
      sheet.eachRow((row) => {
        if (row.getCell(1).value === 'published') published = row;
      });
      expect(published?.getCell(7).value).toBe(19);
      expect(published?.getCell(7).numFmt).toBe('+0;-0;0');
      expect(published?.getCell(8).value).toBe(8.7);
      expect(published?.getCell(8).numFmt).toBe('+0.0;-0.0;0.0');
      expect(published?.getCell(6).value).toBeCloseTo(0.774, 10);
    });

    it('GET /units?format=csv: every unit for the office, its own row for a unit, as in the JSON', async () => {
      const all = csvLines(await fetchFile('/units?session=6-3&format=csv', tokens.office));
      expect(all[0].split(',').slice(0, 5)).toEqual(['截至日期', '单位代码', '承办单位（办理时名称）', '现名称', '主办件数']);
      expect(all.length - 1).toBe((await json('/units?session=6-3', tokens.office)).length);
      const own = csvLines(await fetchFile('/units?session=6-3&format=csv', tokens.unit));
      expect(own.slice(1).map((l) => l.split(',')[1])).toEqual(['fgw']);
      expect((await fetchFile('/units?session=6-3&format=csv', tokens.member)).status).toBe(403);
    });

    it('GET /proposals?format=xlsx: every proposal the filters select (not one page), only those the caller may see', async () => {
      const reply = await fetchFile('/proposals?session=6-3&status=answered&format=xlsx', tokens.office);
      const sheet = await sheetOf(reply.body);
      expect(String(sheet.getCell('A1').value)).toContain(' · 提案清单（届次 6-3，状态 已答复） · ');
      expect(savedAs(reply.disposition).name).toBe('提案清单（届次 6-3，状态 已答复）（截至2020-01-10）.xlsx');
      const page = await json('/proposals?session=6-3&status=answered', tokens.office);
      expect(page.total).toBeGreaterThan(page.pageSize);
      expect(sheet.rowCount - 2).toBe(page.total);
      const dueDate = sheet.getRow(3).getCell(9);
      expect(dueDate.value).toBeInstanceOf(Date);
      expect(dueDate.numFmt).toBe('yyyy-mm-dd');
      const mine = csvLines(await fetchFile('/proposals?format=csv', tokens.member));
      expect(mine.length - 1).toBe((await json('/proposals', tokens.member)).total);
    });

    it('GET /supervision/overdue and /due-soon as files, for supervisors only', async () => {
      for (const path of ['/supervision/overdue?format=csv', '/supervision/due-soon?days=30&format=xlsx']) {
        expect((await fetchFile(path, tokens.committee)).status).toBe(200);
        expect((await fetchFile(path, tokens.member)).status).toBe(403);
      }
      const overdue = csvLines(await fetchFile('/supervision/overdue?format=csv&headers=codes', tokens.office));
      expect(overdue[0]).toBe('asOf,number,title,session,category,proposers,status,leadUnit,coUnits,dueDate,overdue,key,claimed,latestCategory,published,filedAt,updatedAt,id');
      expect(overdue.length - 1).toBe((await json('/supervision/overdue', tokens.office)).length);
    });

    it('GET /audit?format=csv: every entry the query selects, streamed, for the auditor, the office and the committee', async () => {
      const reply = await fetchFile('/audit?type=proposal.answered.v1&format=csv', tokens.auditor);
      expect(reply.status).toBe(200);
      const lines = csvLines(reply);
      expect(lines[0]).toBe('日志位置,发生时间,录入时间,补录滞后天数,步骤,事件类型,提案编号,提案标题,对象,操作人,角色,所在单位,录入员,事件流,流内序号,哈希');
      expect(lines.length - 1).toBe((await json('/audit?type=proposal.answered.v1', tokens.auditor)).total);
      expect(lines[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+08:00,/);
      expect((await fetchFile('/audit?format=csv', tokens.member)).status).toBe(403);
      expect(savedAs(reply.disposition).ascii).toBe('audit-2020-01-10.csv');
    });
  });
});
