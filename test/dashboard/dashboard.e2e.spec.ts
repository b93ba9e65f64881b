import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';
import { loadConfig } from '@app/config';
import { mintToken } from '@app/identity';
import { replayCommand } from '../../apps/cli/src/replay/replay.command.js';
import { TEST_SECRET, TestApi } from '../support/api.js';
import { CHROMIUM, CHROMIUM_FOUND, ensureBuilt, INSTALL_HINT, launchChromium, screenshot, watchProblems } from './support/browser.js';

/**
 * The dashboard as a person uses it: headless Chromium against the API serving the built dashboard, over the demo
 * replay (the 2019 figures of the seed report). One replay, one server, one browser; each test a fresh browser
 * context (its own sessionStorage). Screenshots of every page go to test/artifacts/ (git-ignored).
 */
/** What the functions run in the page use of it (this file is compiled without the DOM's types). */
type PageGlobals = { document: { querySelector(selector: string): { textContent: string | null } | null } };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

if (!CHROMIUM_FOUND) {
  const reason = `skipped: dashboard browser specs — no Chromium at ${CHROMIUM}: ${INSTALL_HINT}`;
  process.stdout.write(`${reason}\n`);
  describe('the dashboard in a browser', () => {
    it(`is ${reason}`, () => {
      expect(CHROMIUM_FOUND).toBe(false);
    });
  });
} else {
  describe('the dashboard in a browser', () => {
    const api = new TestApi();
    let dataDir: string;
    let browser: Browser;
    let base: string;
    let auditor: string;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      ensureBuilt();
      dataDir = mkdtempSync(join(tmpdir(), 'cppcc-dashboard-e2e-'));
      const config = loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal' });
      const errors: string[] = [];
      const code = await replayCommand(['all'], { out: () => undefined, err: (line) => errors.push(line), config });
      if (code !== 0) throw new Error(errors.join('\n'));
      await api.start({ DATA_DIR: dataDir });
      base = api.baseUrl;
      auditor = api.token({ sub: 'a-1', role: 'auditor', name: '审计员甲' });
      // The read models catch up with the replayed log at start: wait for all of it.
      const head = await api.store.headPosition();
      for (let tries = 0; ; tries++) {
        const reply = await api.get(`/sessions?minPosition=${head}`, auditor);
        if (reply.status === 200) break;
        if (tries > 20) throw new Error(`the read models did not catch up: ${reply.status}`);
      }
      browser = await launchChromium();
    }, 300_000);

    // Each test's browser contexts close with it: an open page holds the auditor's event feed, and the API allows a
    // caller 20 (GET /feed answers 429 past that), fewer than this file's tests.
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    });

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await api.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    async function open(viewport = DESKTOP): Promise<{ page: Page; problems: string[] }> {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      const page = await context.newPage();
      return { page, problems: watchProblems(page) };
    }
    const signedIn = async (token: string, viewport = DESKTOP) => {
      const opened = await open(viewport);
      await opened.page.goto(`${base}/#token=${token}`);
      await opened.page.waitForURL('**/dashboard/overview');
      return opened;
    };
    const figure = (page: Page, key: string) => page.getByTestId(`figure-${key}`).locator('[data-role="value"]');
    const statistics = async (asOf?: string) => (await api.get(`/sessions/6-3/statistics${asOf ? `?asOf=${asOf}` : ''}`, auditor)).body;
    const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);
    /** What the page shows settles on the expected text (it re-renders after the URL changed). */
    async function shows(read: () => Promise<string | null>, expected: string, timeoutMs = 10_000): Promise<void> {
      let last: string | null = null;
      for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
        last = await read();
        if (last === expected) return;
      }
      expect(last).toBe(expected);
    }

    it('signs in from a token link, shows who and until when, and signs out', async () => {
      const { page, problems } = await signedIn(auditor);
      expect(page.url()).toBe(`${base}/dashboard/overview`); // the token left the address bar
      const who = page.getByTestId('who');
      await expect(who.textContent()).resolves.toContain('审计员甲');
      const expiry = new Date(Date.now() + 8 * 3600_000);
      await expect(who.textContent()).resolves.toContain(`有效至 ${expiry.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })}`);
      expect(await page.evaluate('sessionStorage.length')).toBe(1);
      // The tab keeps the sign-in across a reload; another tab (context) does not have it.
      await page.reload();
      await expect(page.getByTestId('who').textContent()).resolves.toContain('审计员甲');

      await page.getByTestId('sign-out').click();
      await page.waitForURL('**/dashboard/sign-in');
      await expect(page.getByTestId('sign-in-reason').textContent()).resolves.toContain('您已退出登录');
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      await page.goto(`${base}/dashboard/units`);
      await page.waitForURL('**/dashboard/sign-in?next=/units');
      await expect(page.getByTestId('sign-in-reason').textContent()).resolves.toContain('请先登录');
      await screenshot(page, 'sign-in');
      expect(problems).toEqual([]);
    });

    it('goes back to sign-in when the API refuses the token (401), saying why', async () => {
      const forged = mintToken('another-secret-that-this-service-never-had', { sub: 'a-1', role: 'auditor' });
      const { page, problems } = await open();
      await page.goto(`${base}/#token=${forged}`);
      await page.waitForURL(/\/dashboard\/sign-in\?next=/);
      await expect(page.getByTestId('sign-in-reason').textContent()).resolves.toContain('登录已失效');
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      // Refused requests are what this test makes; Chromium logs each as "Failed to load resource".
      expect(problems.filter((p) => !/^HTTP 401|status of 401/.test(p))).toEqual([]);
    });

    it('retries a read the read models could not answer yet (503 with Retry-After)', async () => {
      const { page, problems } = await open();
      let refused = 0;
      await page.route('**/sessions/6-3/statistics*', async (route) => {
        if (refused++ > 0) return route.continue();
        return route.fulfill({
          status: 503,
          headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the read models have not caught up yet; retry' }),
        });
      });
      await page.goto(`${base}/#token=${auditor}`);
      await expect(figure(page, 'filed').textContent()).resolves.toBe('184');
      expect(refused).toBe(2);
      expect(problems.filter((p) => !/^HTTP 503|status of 503/.test(p))).toEqual([]);
    });

    it('shows every figure of the 2019 report, and others when the as-of date changes', async () => {
      const { page, problems } = await open();
      const asked: string[] = [];
      page.on('request', (r) => {
        if (/\/(statistics|progress)/.test(r.url())) asked.push(new URL(r.url()).pathname);
      });
      await page.goto(`${base}/#token=${auditor}`);
      await expect(figure(page, 'filed').textContent()).resolves.toBe('184');
      await page.locator('canvas').nth(1).waitFor();
      // Each figure asked for once, however the session list and the URL arrive.
      expect(asked.sort()).toEqual(['/sessions/6-2/statistics', '/sessions/6-3/progress', '/sessions/6-3/statistics']);
      const expected: Record<string, string> = {
        filed: '184',
        registered: '155',
        answeredOnTime: '100.0%',
        categoryA: '86.5%',
        categoryB: '5.2%',
        categoryC: '8.4%',
        solveRate: '86.5%',
        firstTimeSatisfaction: '97.4%',
        satisfaction: '100.0%',
        agreement: '100.0%',
        leaderClaimed: '19',
        principalVisitRate: '100.0%',
        published: '77.4%',
        keyUnitsVisited: '14',
        keyProposals: '97',
        substantiveProgress: '10',
      };
      for (const [key, value] of Object.entries(expected)) await expect(figure(page, key).textContent()).resolves.toBe(value);
      // Against 2018 (六届二次): A +2.1 points, published +8.7 points, registered +8.
      await expect(page.getByTestId('figure-categoryA').locator('[data-role="delta"]').textContent()).resolves.toContain('+2.1 个百分点');
      await expect(page.getByTestId('figure-published').locator('[data-role="delta"]').textContent()).resolves.toContain('+8.7 个百分点');
      await expect(page.getByTestId('figure-registered').locator('[data-role="delta"]').textContent()).resolves.toContain('+8');
      await page.locator('canvas').first().waitFor(); // the charts drew
      await page.locator('canvas').nth(1).waitFor();
      await screenshot(page, 'overview');

      const input = page.locator('#overview-as-of');
      await input.fill('2019-04-30');
      await input.press('Enter');
      await page.waitForURL('**/dashboard/overview?*asOf=2019-04-30*');
      const then = await statistics('2019-04-30');
      await shows(() => figure(page, 'published').textContent(), pct(then.published.percent));
      await shows(() => figure(page, 'answeredOnTime').textContent(), pct(then.answeredOnTime.percent));
      await shows(() => figure(page, 'categoryA').textContent(), pct(then.categories.A.percent));
      expect(pct(then.categories.A.percent)).not.toBe('86.5%'); // it did change
      expect(await page.getByTestId('report-table').textContent()).toContain(pct(then.categories.A.percent));
      // Printing prints the report: its table, without the navigation, the controls, the cards or the charts.
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByTestId('report-table').isVisible()).toBe(true);
      for (const hidden of ['nav', '.toolbar', '[data-testid="figures"]', 'canvas']) expect({ hidden, visible: await page.locator(hidden).first().isVisible() }).toEqual({ hidden, visible: false });
      await page.emulateMedia({ media: 'screen' });
      expect(problems).toEqual([]);
    });

    it('sorts the units table by any column, by keyboard too', async () => {
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/units?session=6-3`);
      const table = page.getByTestId('units-table');
      const column = async (key: string) => table.locator(`tbody td[data-column="${key}"]`).allTextContents();
      await table.locator('tbody tr').first().waitFor();
      const assigned = (await column('assigned')).map(Number);
      expect(assigned).toEqual([...assigned].sort((a, b) => b - a)); // most assigned first
      expect(await table.locator('th[data-column="assigned"]').getAttribute('aria-sort')).toBe('descending');

      await table.locator('th[data-column="assigned"] button').click();
      const ascending = (await column('assigned')).map(Number);
      expect(ascending).toEqual([...assigned].sort((a, b) => a - b));

      await table.locator('th[data-column="unit"] button').focus();
      await page.keyboard.press('Enter');
      expect(await table.locator('th[data-column="unit"]').getAttribute('aria-sort')).toBe('ascending');
      const names = (await column('unit')).map((n) => n.replace(/（现名.*$/, '').trim());
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'zh-CN')));
      await screenshot(page, 'units');

      // A unit opens its proposals.
      await table.locator('tbody td[data-column="unit"] a').first().click();
      await page.waitForURL(/\/dashboard\/proposals\?session=6-3&leadUnit=/);
      await page.getByTestId('proposals-table').locator('tbody tr').first().waitFor();
      expect(problems).toEqual([]);
    });

    /** Clicks a download button and catches the file the browser saves: its name and its bytes. */
    async function downloaded(page: Page, button: Locator): Promise<{ name: string; body: Buffer }> {
      const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, button.click()]);
      const path = await download.path();
      return { name: download.suggestedFilename(), body: readFileSync(path) };
    }
    /** The name the API gives a file: Content-Disposition's filename* (RFC 5987), as a browser reads it. */
    async function apiFilename(path: string, token: string): Promise<string> {
      const reply = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await reply.arrayBuffer();
      const star = /filename\*=UTF-8''([^;]+)/i.exec(reply.headers.get('content-disposition') ?? '');
      expect(star).not.toBeNull();
      return decodeURIComponent((star as RegExpExecArray)[1]);
    }

    it('downloads the annual report of the session as Word, with its figures, under the API’s Chinese name', async () => {
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/overview?session=6-3&asOf=2019-12-31`);
      await expect(figure(page, 'filed').textContent()).resolves.toBe('184');
      const button = page.getByTestId('download-report-docx');
      const file = await downloaded(page, button);
      expect(file.name).toBe(await apiFilename('/sessions/6-3/report.docx?asOf=2019-12-31', auditor));
      expect(file.name).toBe('区政协六届三次会议提案办理情况报告（截至2019-12-31）.docx');
      const xml = await (((await JSZip.loadAsync(file.body)).file('word/document.xml')) as JSZip.JSZipObject).async('string');
      const text = xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '');
      expect(text).toContain('委员共提交提案184件');
      expect(text).toContain('（A类）134件，占86.5%，比上届提高2.1个百分点');
      expect(text).toContain('主动公开提案答复120件，占立案提案的77.4%');
      expect(await button.isDisabled()).toBe(false); // enabled again once saved

      // The statistics as CSV: what the page shows, as of the same date.
      const csv = await downloaded(page, page.getByTestId('download-statistics-csv'));
      expect(csv.name).toBe(await apiFilename('/sessions/6-3/statistics?asOf=2019-12-31&format=csv', auditor));
      const lines = csv.body.toString('utf8').split('\r\n');
      expect(lines[0]).toBe('\ufeff截至日期,指标代码,指标,数量,百分比(%),口径');
      expect(lines.find((l) => l.startsWith('2019-12-31,solveRate,'))).toMatch(/^2019-12-31,solveRate,解决率,134,86\.5,/);
      await screenshot(page, 'downloads-overview');
      expect(problems).toEqual([]);
    });

    it('downloads the proposals list with the page’s filters as a workbook: Chinese headers, only the filtered rows', async () => {
      const { page, problems } = await signedIn(auditor);
      const filters = 'session=6-3&status=answered&key=true';
      await page.goto(`${base}/dashboard/proposals?${filters}&pageSize=20`);
      const expected = (await api.get(`/proposals?${filters}&sort=-updatedAt&pageSize=200`, auditor)).body as { items: { id: string; number: string }[]; total: number };
      expect(expected.total).toBeGreaterThan(20); // more than the page shows: the file holds them all
      await expect(page.getByTestId('proposals-total').textContent()).resolves.toBe(`共 ${expected.total} 件`);
      const file = await downloaded(page, page.getByTestId('download-proposals-xlsx'));
      expect(file.name).toBe(await apiFilename(`/proposals?${filters}&sort=-updatedAt&format=xlsx`, auditor));
      expect(file.name).toMatch(/^提案清单（届次 6-3，状态 已答复，重点提案）.*\.xlsx$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(file.body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const header = (sheet.getRow(2).values as unknown[]).slice(1);
      expect(header.slice(0, 6)).toEqual(['编号', '标题', '届次', '类别', '提案人', '状态']);
      const rows: { id: string; status: string; key: string }[] = [];
      sheet.eachRow((row, n) => {
        if (n > 2) rows.push({ id: String(row.getCell(header.indexOf('提案ID') + 1).value), status: String(row.getCell(6).value), key: String(row.getCell(header.indexOf('重点提案') + 1).value) });
      });
      expect(rows.map((r) => r.id)).toEqual(expected.items.map((p) => p.id));
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['已答复']));
      expect(new Set(rows.map((r) => r.key))).toEqual(new Set(['是']));
      await screenshot(page, 'downloads-proposals');
      expect(problems).toEqual([]);
    });

    it('says why a download failed, with the problem’s detail, and keeps the button disabled while it runs', async () => {
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/supervision?session=6-3`);
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route((url: URL) => url.pathname === '/supervision/overdue' && url.searchParams.get('format') === 'xlsx', async (route) => {
        await held;
        await route.fulfill({
          status: 403,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: '测试：该角色无权导出逾期清单' }),
        });
      });
      const button = page.getByTestId('download-overdue-xlsx');
      await button.click();
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="download-overdue-xlsx"][aria-disabled="true"], [data-testid="download-overdue-xlsx"]:disabled') !== null);
      expect(await page.getByTestId('download-overdue-csv').isDisabled()).toBe(true);
      release();
      const message = page.locator('.el-message--error');
      await message.waitFor();
      await expect(message.textContent()).resolves.toContain('下载失败：测试：该角色无权导出逾期清单');
      expect(await button.isDisabled()).toBe(false);
      expect(problems.filter((p) => !/^HTTP 403|status of 403/.test(p))).toEqual([]);

      // The due-soon list downloads as it is.
      const file = await downloaded(page, page.getByTestId('download-due-soon-csv'));
      expect(file.name).toBe(await apiFilename('/supervision/due-soon?session=6-3&days=14&format=csv', auditor));
      expect(file.body.toString('utf8').split('\r\n')[0]).toMatch(/^\ufeff截至日期,编号,标题,/);
    });

    it('lists a proposal’s handling trail in order, with names and business dates, and verifies its chain', async () => {
      const list = await api.get('/proposals?session=6-3&key=true&claimed=true&sort=number&pageSize=1', auditor);
      const id = list.body.items[0].id as string;
      const history = (await api.get(`/proposals/${id}/history`, auditor)).body;
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/proposals/${id}`);
      const steps = page.getByTestId('trail-step');
      await steps.first().waitFor();
      expect(await steps.count()).toBe(history.events.length);
      const titles = await steps.locator('.step-title').allTextContents();
      expect(titles).toEqual(history.events.map((e: { stepLabel: string }) => e.stepLabel));
      const actors = await steps.locator('[data-role="actor"]').allTextContents();
      expect(actors).toEqual(history.events.map((e: { actor: { name: string } }) => e.actor.name));
      const stamps = await page.locator('.el-timeline-item__timestamp').allTextContents();
      expect(stamps.map((s) => s.trim().slice(0, 10))).toEqual(history.events.map((e: { occurredAtDate: string }) => e.occurredAtDate));
      expect(stamps.map((s) => s.trim().slice(0, 10))).toEqual([...stamps.map((s) => s.trim().slice(0, 10))].sort()); // in order
      // The demo's paper records were typed in years after the fact: marked.
      await expect(page.getByTestId('paper-record').first().textContent()).resolves.toMatch(/演示录入员 于 .* 录入，晚于办理 [\d,]+ 天/);
      await expect(page.getByTestId('verification-result').textContent()).resolves.toContain(`完好：${history.events.length} 个事件`);
      await expect(page.getByTestId('proposal-number').textContent()).resolves.toBe(list.body.items[0].number);
      await screenshot(page, 'proposal');
      expect(problems).toEqual([]);
    });

    it('shows a member only their own proposals, and not the pages that are not for them', async () => {
      const some = await api.get('/proposals?session=6-3&sort=number&pageSize=1&status=answered', auditor);
      const doc = (await api.get(`/proposals/${some.body.items[0].id}`, auditor)).body;
      const member = doc.proposers[0] as { id: string; name: string };
      const token = api.token({ sub: member.id, role: 'member', name: member.name });
      const theirs = await api.get('/proposals?pageSize=1', token);
      expect(theirs.body.total).toBeGreaterThan(0);
      expect(theirs.body.total).toBeLessThan(20);

      const { page, problems } = await signedIn(token);
      const nav = await page.locator('nav a').allTextContents();
      expect(nav.map((n) => n.trim())).toEqual(['总览', '历年对比', '提案', '公开答复']);
      await page.goto(`${base}/dashboard/proposals`);
      await expect(page.getByTestId('proposals-total').textContent()).resolves.toBe(`共 ${theirs.body.total} 件`);
      const proposers = await page.getByTestId('proposals-table').locator('tbody td[data-column="proposers"]').allTextContents();
      expect(proposers.length).toBe(Math.min(theirs.body.total, 20));
      for (const names of proposers) expect(names).toContain(member.name);
      // The list they see, as a file; the report, which everyone signed in may read.
      expect(await page.getByTestId('download-proposals-xlsx').count()).toBe(1);
      await page.goto(`${base}/dashboard/overview`);
      await page.getByTestId('download-report-docx').waitFor();
      // A page the role may not open says so, without asking the API, and offers none of its files.
      await page.goto(`${base}/dashboard/audit`);
      await expect(page.locator('[data-state="forbidden"]').textContent()).resolves.toContain('无权查看');
      expect(await page.getByTestId('downloads').count()).toBe(0);
      expect(problems).toEqual([]);
    });

    it('shows the public answers to anyone signed out, searchable', async () => {
      const total = (await api.get('/public/answers?pageSize=1')).body.total as number;
      const { page, problems } = await open();
      await page.goto(`${base}/dashboard/public`);
      await expect(page.getByTestId('public-total').textContent()).resolves.toBe(`共 ${total.toLocaleString('zh-CN')} 件`);
      expect(await page.getByTestId('who').count()).toBe(0);
      await page.locator('#p-q').fill('养老');
      await page.locator('#p-q').press('Enter');
      await page.waitForURL('**/dashboard/public?q=*');
      const titles = await page.getByTestId('public-answer').allTextContents();
      expect(titles.length).toBeGreaterThan(0);
      for (const t of titles) expect(t).toContain('养老');
      await screenshot(page, 'public');
      // Sessions by their names, on the compilation's button and in the session menu, not by their codes.
      expect(await page.getByTestId('download-answers-docx').textContent()).toContain('六届三次会议答复汇编');
      await page.goto(`${base}/dashboard/public?session=6-3`);
      await page.getByTestId('public-answer').first().waitFor();
      const chosen = page.locator('.toolbar .field').first();
      await expect(chosen.textContent()).resolves.toContain('六届三次会议');
      await expect(chosen.textContent()).resolves.not.toContain('6-3');
      // The answer compilation, public as the answers are: no token needed.
      const file = await downloaded(page, page.getByTestId('download-answers-docx'));
      expect(file.name).toBe('区政协六届三次会议提案答复汇编.docx');
      const xml = await ((await JSZip.loadAsync(file.body)).file('word/document.xml') as JSZip.JSZipObject).async('string');
      expect(xml).toContain('区政协六届三次会议提案答复汇编');
      expect(problems).toEqual([]);
    });

    it('refreshes the figures when the event feed reports a change, without a reload', async () => {
      const { page, problems } = await signedIn(auditor);
      await expect(figure(page, 'filed').textContent()).resolves.toBe('184');
      const before = await page.getByTestId('updated-at').textContent();
      await page.evaluate('window.__sameDocument = true');
      const member = api.token({ sub: 'member-6-001', role: 'member', name: '委员' });
      const filed = await api.post('/proposals', member, { session: '6-3', title: '关于看板实时更新的测试建议', body: '测试。', category: 'other' });
      expect(filed.status).toBe(201);
      await page.waitForFunction(
        ([selector, expected]) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent === expected,
        ['[data-testid="figure-filed"] [data-role="value"]', '185'] as const,
        { timeout: 15_000 },
      );
      expect(await page.evaluate('window.__sameDocument')).toBe(true); // no full reload
      expect(await page.getByTestId('updated-at').textContent()).not.toBe(before);
      expect(problems).toEqual([]);
    });

    it('sends a page past the end of a list (a shared link, a bookmark) to the list’s last page, not to “nothing matches”', async () => {
      const { page, problems } = await signedIn(auditor);
      const answered = (await api.get('/proposals?session=6-3&status=answered&pageSize=20', auditor)).body as { total: number };
      const last = Math.ceil(answered.total / 20);
      expect(last).toBeGreaterThan(1);
      await page.goto(`${base}/dashboard/proposals?session=6-3&status=answered&page=${last + 40}`);
      await page.waitForURL(`**/dashboard/proposals?*page=${last}`, { timeout: 10_000 });
      const rows = page.getByTestId('proposals-table').locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(answered.total - (last - 1) * 20);
      await expect(page.getByTestId('proposals-total').textContent()).resolves.toBe(`共 ${answered.total} 件`);
      expect(await page.locator('.pager .el-pager li.is-active').textContent()).toBe(String(last));
      expect(await page.locator('[data-state="empty"]').count()).toBe(0);

      const trail = (await api.get('/audit?pageSize=50', auditor)).body as { total: number };
      await page.goto(`${base}/dashboard/audit?page=99999`);
      await page.waitForURL(`**/dashboard/audit?page=${Math.ceil(trail.total / 50)}`, { timeout: 10_000 });
      await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
      expect(await page.locator('[data-state="empty"]').count()).toBe(0);

      await page.goto(`${base}/dashboard/public?page=999`);
      await page.getByTestId('public-answer').first().waitFor();
      expect(await page.locator('.pager li.is-active').textContent()).toBe(String(Math.ceil((await api.get('/public/answers?pageSize=1')).body.total / 10)));
      await screenshot(page, 'page-past-the-end');
      expect(problems).toEqual([]);
    });

    it('shows today’s figures for an as-of date in the URL that is no date, saying so, without asking the API for it', async () => {
      const { page, problems } = await signedIn(auditor);
      const asked: string[] = [];
      page.on('request', (r) => {
        if (/\/(statistics|progress)/.test(r.url())) asked.push(decodeURIComponent(new URL(r.url()).search));
      });
      await page.goto(`${base}/dashboard/overview?session=6-3&asOf=2019-02-30`);
      const today = (await statistics()).filed as number;
      await expect(figure(page, 'filed').textContent()).resolves.toBe(String(today));
      await expect(page.getByTestId('bad-as-of').textContent({ timeout: 10_000 })).resolves.toContain('“2019-02-30”不是有效日期');
      expect(asked.filter((q) => /2019-02-30|NaN/.test(q))).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('refuses a typed as-of date that is no date or after today, keeping the field on the figures’ date', async () => {
      const { page, problems } = await signedIn(auditor);
      const warnings: string[] = [];
      page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
      await page.goto(`${base}/dashboard/overview?session=6-3&asOf=2019-06-30`);
      await expect(figure(page, 'filed').textContent()).resolves.toBe(String((await statistics('2019-06-30')).filed));
      const input = page.locator('#overview-as-of');
      for (const [typed, said] of [
        ['2019-13-45', '“2019-13-45”不是有效日期'], // Element Plus read it as 2020-02-14
        ['abc', '“abc”不是有效日期'],
        ['2999-01-01', '截至日期不能晚于今天'],
      ]) {
        await input.fill(typed);
        await input.press('Enter');
        await expect(page.locator('.el-message').last().textContent({ timeout: 10_000 })).resolves.toContain(said);
        expect(page.url()).toBe(`${base}/dashboard/overview?session=6-3&asOf=2019-06-30`);
        await shows(() => page.locator('#overview-as-of').inputValue(), '2019-06-30');
      }
      expect(warnings).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('draws no result pie before any answer: it says there is none yet, not three equal thirds', async () => {
      const early = await statistics('2019-02-01');
      expect(early.registered).toBeGreaterThan(0);
      expect(early.categories.A.count + early.categories.B.count + early.categories.C.count).toBe(0);
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/overview?session=6-3&asOf=2019-02-01`);
      await expect(figure(page, 'registered').textContent()).resolves.toBe(String(early.registered));
      const panel = page.locator('section[aria-labelledby="categories-title"]');
      await expect(panel.locator('[data-state="empty"]').textContent({ timeout: 10_000 })).resolves.toContain('截至所选日期还没有答复');
      await page.locator('section[aria-labelledby="progress-title"] canvas').waitFor(); // the other chart drew: this one had its turn
      expect(await panel.locator('canvas').count()).toBe(0);
      expect(problems).toEqual([]);
    });

    it('says in Chinese which parameter of a hand-edited link the API refused, and names the directory in the audit trail', async () => {
      const { page, problems } = await signedIn(auditor);
      for (const [path, field] of [
        ['proposals?session=6-3&status=bogus', 'status'],
        ['audit?from=2019-13-01', 'from'],
      ]) {
        await page.goto(`${base}/dashboard/${path}`);
        const refused = page.locator('[data-state="invalid"]');
        await expect(refused.textContent({ timeout: 10_000 })).resolves.toContain('查询条件有误');
        const text = (await refused.textContent()) as string;
        expect(text).toContain(`有误的参数：${field}`);
        expect(text).not.toMatch(/must|should|YYYY/); // the API's English detail is not the reader's
        expect(await refused.getByRole('button', { name: '重试' }).count()).toBe(0); // the same query would be refused again
      }
      await page.goto(`${base}/dashboard/audit?type=directory.unit-registered.v1`);
      const subjects = page.getByTestId('audit-table').locator('tbody td[data-column="subject"]');
      await subjects.first().waitFor();
      expect(new Set(await subjects.allTextContents())).toEqual(new Set(['单位和委员名录']));
      expect(problems.filter((p) => !/^HTTP 400|status of 400/.test(p))).toEqual([]);
    });

    it('shows a unit its own row of the units page, titled as what it is, and opens its proposals from it', async () => {
      const unit = api.token({ sub: 'staff-jtw', role: 'unit', unit: 'jtw', name: '提案办理联络员' });
      const own = (await api.get('/units?session=6-3', unit)).body as { unit: string; unitName: string; asLead: { assigned: number } }[];
      expect(own.map((u) => u.unit)).toEqual(['jtw']);
      const { page, problems } = await signedIn(unit);
      await page.goto(`${base}/dashboard/units?session=6-3`);
      const rows = page.getByTestId('units-table').locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
      expect(await page.locator('#units-chart-title').textContent()).toBe('主办件数与办理结果'); // not "前 15 家" of one unit
      await rows.first().getByRole('link', { name: own[0].unitName }).click();
      await page.waitForURL('**/dashboard/proposals?*leadUnit=jtw*');
      await expect(page.getByTestId('proposals-total').textContent()).resolves.toBe(`共 ${own[0].asLead.assigned} 件`);
      expect(problems).toEqual([]);
    });

    it('says there is no session yet on the units and supervision pages of a store without one', async () => {
      const { page, problems } = await open();
      // A fresh store: the jurisdiction has opened no session.
      await page.route((url: URL) => url.pathname === '/sessions', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [] }) }));
      const asked: string[] = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      await page.goto(`${base}/#token=${auditor}`);
      for (const name of ['units', 'supervision']) {
        await page.goto(`${base}/dashboard/${name}`);
        await expect(page.locator('[data-state="empty"]').first().textContent({ timeout: 10_000 })).resolves.toContain('还没有会议');
        expect(await page.locator('[data-state="empty"]').count()).toBe(1);
        expect(await page.getByTestId('downloads').count()).toBe(0);
      }
      expect(asked.filter((p) => p.startsWith('/supervision'))).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('keeps the keyboard’s focus on the pager and the sort button of the proposals list while the next page loads', async () => {
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/proposals?session=6-3`);
      await page.getByTestId('proposals-table').locator('tbody tr').first().waitFor();
      const focused = () => page.evaluate('[document.activeElement?.tagName, document.activeElement?.textContent?.trim(), document.activeElement?.closest(".pager, th")?.className ?? null]') as Promise<[string, string, string | null]>;
      let onPager = false;
      for (let tab = 0; tab < 80 && !onPager; tab++) {
        await page.keyboard.press('Tab');
        const [, text, within] = await focused();
        onPager = text === '2' && (within ?? '').includes('pager');
      }
      expect(onPager).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL('**/dashboard/proposals?session=6-3&page=2');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]') === null);
      expect((await focused())[2]).toContain('pager'); // still on the pager: the next Enter or arrow goes on from there
      await page.locator('th[data-column="dueDate"] button').focus();
      await page.keyboard.press('Enter');
      await page.waitForURL('**/dashboard/proposals?*sort=dueDate*');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]') === null);
      expect(await page.locator('th[data-column="dueDate"]').getAttribute('aria-sort')).toBe('ascending');
      expect(await focused()).toEqual(['BUTTON', expect.stringContaining('办理期限'), expect.any(String)]);
      expect(problems).toEqual([]);
    });

    it('tells a role that polls for changes (no feed) whether its last poll reached the service', async () => {
      const leader = api.token({ sub: 'l-1', role: 'leader', name: '区领导' });
      const { page, problems } = await signedIn(leader);
      await figure(page, 'filed').waitFor();
      await expect(page.getByTestId('updated-at').textContent()).resolves.toMatch(/^\s*更新于 \d\d:\d\d:\d\d · 自动刷新\s*$/);
      expect(problems).toEqual([]);

      const away = await open();
      // The service out of reach for the poll (GET /ready): the page does not claim to refresh itself.
      await away.page.route((url: URL) => url.pathname === '/ready', (route) => route.abort('connectionrefused'));
      await away.page.goto(`${base}/#token=${leader}`);
      await figure(away.page, 'filed').waitFor();
      await shows(async () => ((await away.page.getByTestId('updated-at').textContent()) ?? '').replace(/^.*· /s, '').trim(), '连接中断');
      expect(away.problems.filter((p) => !/ERR_CONNECTION_REFUSED|ERR_FAILED/.test(p))).toEqual([]);
    });

    it('shows the year-over-year table as the API computes it, its change columns named by years', async () => {
      const yoy = (await api.get('/statistics/year-over-year?sessions=6-1,6-2,6-3', auditor)).body as {
        sessions: { session: string; year: number; filed: number; categories: { A: { percent: number } } }[];
        changes: { categoryA: number; registered: number }[];
      };
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/trends`);
      const table = page.getByTestId('trends-table');
      await table.locator('tbody tr').first().waitFor();
      const headers = (await table.locator('thead th').allTextContents()).map((h) => h.trim());
      expect(headers.slice(-2)).toEqual(['2017年 → 2018年', '2018年 → 2019年']);
      const row = async (label: string) => (await table.locator('tbody tr', { hasText: label }).first().locator('td').allTextContents()).map((c) => c.trim());
      expect(await row('提案总数')).toEqual([...yoy.sessions.map((x) => String(x.filed)), ...[1, 2].map((i) => { const d = yoy.sessions[i].filed - yoy.sessions[i - 1].filed; return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d)}`; })]);
      expect(await row('A类')).toEqual([...yoy.sessions.map((x) => pct(x.categories.A.percent)), ...yoy.changes.map((c) => `${c.categoryA > 0 ? '+' : c.categoryA < 0 ? '−' : '±'}${Math.abs(c.categoryA).toFixed(1)} 个百分点`)]);
      await screenshot(page, 'trends-table');
      expect(problems).toEqual([]);
    });

    it('finds a proposal’s audit entries by its number, as a reader knows it, and says when no proposal has that number', async () => {
      const first = (await api.get('/proposals?session=6-3&status=answered&sort=number&pageSize=1', auditor)).body.items[0] as { id: string; number: string };
      const entries = (await api.get(`/audit?proposal=${first.id}&pageSize=1`, auditor)).body.total as number;
      expect(entries).toBeGreaterThan(0);
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/audit`);
      await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
      await page.locator('#a-proposal').fill(first.number);
      await page.locator('#a-proposal').press('Enter');
      await page.waitForURL(`**/dashboard/audit?proposal=${first.id}`, { timeout: 10_000 });
      await shows(() => page.getByTestId('audit-total').textContent(), `共 ${entries} 条记录（按位置先后）`);

      await page.locator('#a-proposal').fill('6-3-999');
      await page.locator('#a-proposal').press('Enter');
      await expect(page.locator('.el-message--error').textContent({ timeout: 10_000 })).resolves.toContain('没有编号为 6-3-999 的提案');
      expect(page.url()).toBe(`${base}/dashboard/audit?proposal=${first.id}`);
      expect(problems).toEqual([]);
    });

    it('queries the audit trail for a time range typed by keyboard, without a console warning', async () => {
      const { page, problems } = await signedIn(auditor);
      const warnings: string[] = [];
      page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
      await page.goto(`${base}/dashboard/audit`);
      await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
      const start = page.locator('#a-range');
      await start.fill('2019-03-01');
      const end = page.locator('#a-range-end'); // the range's second input has its own id
      await end.fill('2019-03-31', { timeout: 10_000 });
      await end.press('Enter');
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL('**/dashboard/audit?from=2019-03-01&to=2019-03-31');
      const expected = (await api.get('/audit?from=2019-03-01&to=2019-03-31&pageSize=1', auditor)).body.total as number;
      await shows(() => page.getByTestId('audit-total').textContent(), `共 ${expected.toLocaleString('zh-CN')} 条记录（按位置先后）`);
      expect(warnings).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('offers the proposals search for what the API searches: words of the title', async () => {
      const { page, problems } = await signedIn(auditor);
      await page.goto(`${base}/dashboard/proposals?session=6-3`);
      // GET /proposals?q= matches titles; a number or a proposer's name typed there found nothing.
      expect(await page.locator('#f-q').getAttribute('placeholder')).toBe('案由中的词语');
      expect(problems).toEqual([]);
    });

    it('follows changes by polling when the API refuses one more feed to this person (429: many tabs open)', async () => {
      const { page, problems } = await open();
      let feeds = 0;
      await page.route((url: URL) => url.pathname === '/feed', (route) => {
        feeds++;
        return route.fulfill({
          status: 429,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'this caller already holds 20 open feeds' }),
        });
      });
      await page.goto(`${base}/#token=${auditor}`);
      await figure(page, 'filed').waitFor();
      await shows(async () => ((await page.getByTestId('updated-at').textContent()) ?? '').replace(/^.*· /s, '').trim(), '自动刷新');
      await page.waitForTimeout(2_500); // a retrying feed would have asked again after 1 s and 2 s
      expect(feeds).toBe(1);
      expect(problems.filter((p) => !/^HTTP 429|status of 429/.test(p))).toEqual([]);
    });

    it('keeps a heading on a page the role may not open or that is not found, and no developer message offline', async () => {
      const leader = api.token({ sub: 'l-1', role: 'leader', name: '区领导' });
      const { page, problems } = await signedIn(leader);
      await page.goto(`${base}/dashboard/audit`);
      await page.locator('[data-state="forbidden"]').waitFor();
      expect(await page.locator('main h1').allTextContents()).toEqual(['审计']);
      await page.goto(`${base}/dashboard/proposals/no-such-proposal`);
      await page.locator('[data-state="not-found"]').waitFor();
      expect(await page.locator('main h1').allTextContents()).toEqual(['提案详情']);
      // The service cannot be reached: the page says so in Chinese; the browser's "TypeError: Failed to fetch" is not for the reader.
      await page.route('**/statistics/year-over-year*', (route) => route.abort('connectionrefused'));
      await page.goto(`${base}/dashboard/trends`);
      const offline = page.locator('[data-state="offline"]');
      await offline.waitFor();
      await expect(offline.textContent()).resolves.toContain('无法连接服务');
      expect(await offline.textContent()).not.toMatch(/TypeError|fetch/i);
      expect(problems.filter((p) => !/^HTTP 404 GET .*no-such-proposal|status of 404/.test(p) && !/ERR_CONNECTION_REFUSED|ERR_FAILED/.test(p))).toEqual([]);
    });

    it('opens every page without an error, at 1280×800 and on a 390-wide phone, and keeps the keyboard path', async () => {
      const first = (await api.get('/proposals?session=6-3&sort=number&pageSize=1&status=answered', auditor)).body.items[0].id as string;
      const pages = ['overview', 'trends', 'units', 'supervision', 'proposals?session=6-3', `proposals/${first}`, 'audit?recordedLaterThanDays=365', 'public'];
      for (const viewport of [DESKTOP, PHONE]) {
        const { page, problems } = await signedIn(auditor, viewport);
        for (const path of pages) {
          await page.goto(`${base}/dashboard/${path}`);
          await page.locator('main h1').first().waitFor();
          // Loaded: no skeleton left (the feed stays open, so the network is never idle).
          await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]') === null, undefined, { timeout: 10_000 });
          expect(await page.locator('[data-state="error"], [data-state="offline"]').count()).toBe(0);
          const name = path.replace(/\?.*$/, '').replace(/^proposals\/.+$/, 'proposal');
          if (viewport === PHONE) {
            // Nothing wider than the phone: tables scroll inside their own frame.
            expect({ page: name, overflow: await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth') }).toEqual({ page: name, overflow: 0 });
            if (['overview', 'proposals', 'proposal', 'supervision'].includes(name)) await screenshot(page, `${name}-phone`);
          } else if (!['overview', 'units', 'public', 'proposal'].includes(name)) await screenshot(page, name);
        }
        // Keyboard: the first Tab reaches the skip link, which moves to the page's content.
        await page.goto(`${base}/dashboard/overview`);
        await page.locator('main h1').waitFor();
        await page.keyboard.press('Tab');
        expect(await page.evaluate('document.activeElement?.textContent')).toBe('跳到主要内容');
        await page.keyboard.press('Enter');
        expect(await page.evaluate('document.activeElement?.id')).toBe('main');
        expect(problems).toEqual([]);
      }
    }, 120_000);
  });
}
