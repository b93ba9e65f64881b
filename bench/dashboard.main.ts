import 'reflect-metadata';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { mintToken } from '@app/identity';
import { createApp } from '../apps/api/src/create-app.js';
import { replayCommand } from '../apps/cli/src/replay/replay.command.js';
import { figure, runBench, type BenchFigure } from './result.js';

/**
 * `npm run bench:dashboard`: the overview page in headless Chromium (Debian's, CHROMIUM_PATH or /usr/bin/chromium)
 * against the API serving the built dashboard, over the demo replay (the 2019 figures):
 * - the JavaScript the overview loads, as gzip (the .gz the API sends to a client that accepts gzip only);
 * - the time from navigation (the sign-in link `/#token=…`, redirect included) to the overview's figures on screen,
 *   in a fresh browser context each time (nothing cached): the first run (the API computes the figures), then the
 *   median of the next ones (the API serves them from its cache, as it does for every reader after the first).
 * Both go to bench/results.json (replacing the figures of the same names), beside the other benchmarks'.
 */
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 9);
const JS_BUDGET_KB = 400;
const TIME_BUDGET_MS = 1_500;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const root = process.cwd();
const dist = join(root, 'dist', 'dashboard');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The time, from the navigation's start, at which the overview shows the number of proposals filed. */
async function figuresOnScreen(page: Page, url: string, filed: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  // Runs in the page, polled at every frame: a function, not a string (the page's CSP forbids eval), typed by hand
  // (this file is compiled without the DOM's types).
  type Element = { textContent: string | null; getBoundingClientRect(): { height: number } };
  const shown = await page.waitForFunction(
    (expected: string) => {
      const value = (globalThis as unknown as { document: { querySelector(s: string): Element | null } }).document.querySelector('[data-testid="figure-filed"] [data-role="value"]');
      return value?.textContent === expected && value.getBoundingClientRect().height > 0 ? performance.now() : false;
    },
    String(filed),
    { polling: 'raf', timeout: 30_000 },
  );
  return (await shown.jsonValue()) as number;
}

function writeResults(figures: readonly BenchFigure[], machine: string): void {
  const file = join(root, 'bench', 'results.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { machine?: string; date?: string; figures?: BenchFigure[] }) : {};
  const names = new Set(figures.map((f) => f.name));
  const kept = (previous.figures ?? []).filter((f) => !names.has(f.name));
  writeFileSync(file, `${JSON.stringify({ machine: previous.machine ?? machine, date: previous.date ?? new Date().toISOString(), figures: [...kept, ...figures] }, null, 2)}\n`);
}

runBench(async (log) => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH)`);
  if (!existsSync(join(dist, 'index.html'))) throw new Error('the dashboard is not built: npm run build');
  const dataDir = mkdtempSync(join(tmpdir(), 'cppcc-bench-dashboard-'));
  const secret = 'bench-dashboard-secret-of-at-least-32-characters';
  const config = loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: secret, SQLITE_SYNCHRONOUS: 'normal', LOG_LEVEL: 'error' });
  const { chromium } = await import('playwright-core');
  try {
    log('bench:dashboard — replaying the demo sessions…');
    const code = await replayCommand(['all'], { out: () => undefined, err: log, config });
    if (code !== 0) throw new Error('the replay failed');
    const app = await createApp({ config, logLevel: 'silent' });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const token = mintToken(secret, { sub: 'bench-auditor', role: 'auditor', name: '审计' });
    const headers = { authorization: `Bearer ${token}` };
    // The read models catch up with the replayed log before anything is measured.
    const head = await app.get<EventStore>(EVENT_STORE).headPosition();
    for (;;) {
      const ready = (await (await fetch(`${base}/ready`)).json()) as { projections?: { position: number }[] };
      if (ready.projections?.every((p) => p.position >= head)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sessions = (await (await fetch(`${base}/sessions`, { headers })).json()) as { items: { id: string; counts: { filed: number } }[] };
    const latest = sessions.items.at(-1);
    if (!latest) throw new Error('no session after the replay');
    const url = `${base}/#token=${token}`;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const times: number[] = [];
    let scripts = new Map<string, number>();
    try {
      for (let run = 0; run <= RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        const loaded = new Map<string, number>();
        page.on('response', (response) => {
          if (response.request().resourceType() !== 'script') return;
          void response.request().sizes().then((s) => loaded.set(new URL(response.url()).pathname, s.responseBodySize));
        });
        const ms = await figuresOnScreen(page, url, latest.counts.filed);
        // The overview is complete once its two charts are drawn (ECharts loads after the figures).
        await page.locator('canvas').nth(1).waitFor({ timeout: 30_000 });
        times.push(ms);
        if (run === 0) scripts = loaded;
        log(`  run ${run}: figures on screen after ${ms.toFixed(0)} ms${run === 0 ? ' (the API computes the figures)' : ''}`);
        await context.close();
      }
    } finally {
      await browser.close();
      await app.close();
    }

    // What a gzip-only client is sent for those scripts: the .gz files the API serves (dashboard/serve.ts).
    let gzip = 0;
    let raw = 0;
    let br = 0;
    for (const [path, transferred] of scripts) {
      const file = join(dist, path.replace(/^\/dashboard\//, ''));
      raw += statSync(file).size;
      gzip += existsSync(`${file}.gz`) ? statSync(`${file}.gz`).size : statSync(file).size;
      br += transferred;
    }
    const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
    log(`  overview scripts: ${scripts.size} files, ${kb(raw)} KB raw, ${kb(gzip)} KB gzip, ${kb(br)} KB as Chromium received them (brotli)`);
    const first = times[0];
    const warm = median(times.slice(1));
    const machine = `Node ${process.version}, Chromium headless (${CHROMIUM})`;
    const figures = [
      figure({
        name: 'dashboard overview: JavaScript transferred (gzip)',
        value: kb(gzip),
        unit: 'KB',
        reference: `the ${JS_BUDGET_KB} KB budget (${scripts.size} scripts, ${kb(raw)} KB uncompressed, ${kb(br)} KB as brotli)`,
        referenceValue: JS_BUDGET_KB,
        target: `≤ ${JS_BUDGET_KB} KB`,
        met: kb(gzip) <= JS_BUDGET_KB,
      }),
      figure({
        name: `dashboard overview: navigation to the 2019 figures on screen, median of ${RUNS} fresh browser contexts`,
        value: Math.round(warm),
        unit: 'ms',
        reference: `the ${TIME_BUDGET_MS} ms budget (first run, the API computing the figures: ${Math.round(first)} ms)`,
        referenceValue: TIME_BUDGET_MS,
        target: `≤ ${TIME_BUDGET_MS} ms`,
        met: warm <= TIME_BUDGET_MS && first <= TIME_BUDGET_MS,
      }),
    ];
    if (!process.argv.includes('--json')) writeResults(figures, machine);
    return figures;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
