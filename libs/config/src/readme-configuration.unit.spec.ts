import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's configuration table is the operator's list of what the processes read from the environment: every
 * variable config.ts (and its helpers) reads, and every one a process reads from process.env directly, has its row;
 * and no row names a variable nothing reads any more.
 */

const root = process.cwd();
const NAME = /^[A-Z][A-Z0-9_]+$/;
/** Set by npm itself for the scripts it runs (the folder `npm run` was typed in), not by an operator. */
const SET_BY_NPM = new Set(['INIT_CWD']);

function sourcesUnder(dir: string, found: string[] = []): string[] {
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (!['node_modules', 'dist', 'testing'].includes(item.name)) sourcesUnder(path, found);
    } else if (/\.(ts|mts|mjs|js|cjs)$/.test(item.name) && !/\.spec\.ts$/.test(item.name)) found.push(path);
  }
  return found;
}

const matches = (text: string, pattern: RegExp): string[] => [...text.matchAll(pattern)].map((m) => m[1]);

/** What libs/config reads: `env.NAME`, `env['NAME']`, and helpers called as `helper(env, 'NAME', …)`. */
function readByConfig(): Set<string> {
  const names = new Set<string>();
  for (const file of sourcesUnder(join(root, 'libs/config/src'))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of [/\benv\.([A-Z][A-Z0-9_]+)/g, /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g, /\(env, '([A-Z][A-Z0-9_]+)'/g]) for (const n of matches(text, pattern)) names.add(n);
  }
  return names;
}

/** What the apps, libs and scripts read straight from process.env. */
function readDirectly(): Map<string, string> {
  const names = new Map<string, string>();
  for (const dir of ['apps', 'libs', 'scripts'])
    for (const file of sourcesUnder(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [/process\.env\.([A-Z][A-Z0-9_]+)/g, /process\.env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g])
        for (const n of matches(text, pattern)) if (!SET_BY_NPM.has(n)) names.set(n, file.slice(root.length + 1));
    }
  return names;
}

/** The variables named in the first column of the table under `## Configuration`. */
function documented(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const rows = section.split('\n').filter((line) => line.startsWith('|'));
  const [header, rule, ...body] = rows;
  expect(header).toMatch(/^\| variable \| default \| meaning \|$/);
  expect(rule).toMatch(/^\|(-+\|)+$/);
  const names = new Set<string>();
  for (const row of body) {
    const first = row.split('|')[1];
    for (const n of matches(first, /`([^`]+)`/g)) {
      expect(n).toMatch(NAME);
      names.add(n);
    }
  }
  return names;
}

describe('the README configuration table', () => {
  const config = readByConfig();
  const direct = readDirectly();
  const table = documented();

  it('is found, and so are the variables read (the parsers find what they must)', () => {
    expect([...config]).toEqual(expect.arrayContaining(['PORT', 'DATA_DIR', 'AUTH_SECRET', 'TRAIL_SIGNING_KEY', 'REMINDER_SCHEDULE', 'WEBHOOK_MAX_ATTEMPTS']));
    expect([...direct.keys()]).toContain('PROJECTOR_STATUS_PORT');
    expect(table.has('DATA_DIR')).toBe(true);
  });

  it('has a row for every variable libs/config reads', () => {
    expect([...config].filter((n) => !table.has(n)).sort()).toEqual([]);
  });

  it('has a row for every variable read from process.env directly', () => {
    expect([...direct].filter(([n]) => !table.has(n) && !config.has(n)).map(([n, file]) => `${n} (${file})`)).toEqual([]);
  });

  it('names no variable that nothing reads', () => {
    expect([...table].filter((n) => !config.has(n) && !direct.has(n)).sort()).toEqual([]);
  });
});
