#!/usr/bin/env node
// Runs a built entry point (dist/...), building first when any source is newer than the build.
// Build output goes to stderr so that commands such as `npm run -s token` print only their result; a build says
// why it runs and, when done, what it wrote and how long it took: a build takes a while, and silence looks like a hang.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
const root = process.cwd();
const marker = join(root, 'dist', '.built');

/** Every file under `dir` (node_modules left out) that `keep` accepts, with its modification time. */
function filesUnder(dir, keep, found = []) {
  if (!existsSync(dir)) return found;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) {
      if (item.name !== 'node_modules') filesUnder(path, keep, found);
    } else if (keep(item.name)) found.push({ path, mtimeMs: statSync(path).mtimeMs });
  }
  return found;
}

// .vue: the dashboard's components (apps/dashboard), built by the same `npm run build`.
const isSource = (name) => (name.endsWith('.ts') || name.endsWith('.vue')) && !name.endsWith('.spec.ts');
const sources = [...['apps', 'libs', 'bench'].flatMap((d) => filesUnder(join(root, d), isSource)), { path: join(root, 'tsconfig.json'), mtimeMs: statSync(join(root, 'tsconfig.json')).mtimeMs }];
const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : undefined;
const changed = builtAt === undefined ? sources : sources.filter((s) => s.mtimeMs > builtAt);

if (changed.length > 0) {
  const newest = changed.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  const why =
    builtAt === undefined
      ? 'no build yet'
      : `${changed.length} source${changed.length === 1 ? '' : 's'} changed since the last build (newest ${relative(root, newest.path)})`;
  process.stderr.write(`build: ${why}: npm run build …\n`);
  const started = Date.now();
  const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: ['ignore', 2, 2] });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (build.status !== 0) {
    process.stderr.write(`build: failed after ${seconds} s (exit ${build.status ?? build.signal}); nothing was run\n`);
    process.exit(build.status ?? 1);
  }
  const written = filesUnder(join(root, 'dist'), () => true).filter((f) => f.mtimeMs >= started - 1000);
  const parts = [...new Set(written.map((f) => relative(join(root, 'dist'), f.path).split(/[\\/]/)[0]).filter((p) => !p.startsWith('.')))].sort();
  process.stderr.write(`build: done in ${seconds} s: ${written.length.toLocaleString('en-US')} files written to dist/ (${parts.join(', ')})\n`);
}
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(join(root, entry)).href);
