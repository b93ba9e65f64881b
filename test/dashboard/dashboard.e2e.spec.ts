import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
      // A page the role may not open says so, without asking the API.
      await page.goto(`${base}/dashboard/audit`);
      await expect(page.locator('[data-state="forbidden"]').textContent()).resolves.toContain('无权查看');
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
