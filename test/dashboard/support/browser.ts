import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

/**
 * The dashboard's browser specs drive Debian's Chromium (never a browser playwright would download) through
 * playwright-core: CHROMIUM_PATH, else /usr/bin/chromium. Without it they are skipped, saying how to install it.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_FOUND = existsSync(CHROMIUM);
export const INSTALL_HINT = 'install it with apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM_PATH';

/** Flags that let Chromium run headless as root in a container, and keep it from calling home. */
export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
}

const root = process.cwd();
export const ARTIFACTS = join(root, 'test', 'artifacts');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') newest = Math.max(newest, newestSource(path));
    } else if ((entry.name.endsWith('.ts') || entry.name.endsWith('.vue')) && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds (`npm run build`: the API, then the dashboard) when the build is missing or older than a source, by the
 * rule scripts/run-built.mjs follows; the specs serve the dashboard from dist/dashboard.
 */
export function ensureBuilt(): void {
  const marker = join(root, 'dist', '.built');
  const sources = Math.max(...['apps', 'libs', 'bench'].map((d) => newestSource(join(root, d))), statSync(join(root, 'tsconfig.json')).mtimeMs);
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources && existsSync(join(root, 'dist', 'dashboard', 'index.html'))) return;
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

/** What a person should never see: errors in the console, uncaught exceptions, failed requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `dashboard-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
