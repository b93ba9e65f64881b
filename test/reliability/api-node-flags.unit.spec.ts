import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The API runs with a bound on V8's old generation (docs/deployment.md, "Memory"): below 2 GB, V8 lets the heap grow
 * to ~1.4 times what is live before a full collection instead of up to 4 times, which is what keeps the export of a
 * million audit entries under 250 MB (`npm run bench:export`). `npm start` and the image's CMD must give the same
 * flags, and this Node.js must take them.
 */
const root = process.cwd();
const startScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
const startFlags = startScript.split(/\s+/).filter((word) => word.startsWith('--'));

function dockerCmd(): string[] {
  const line = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CMD '))
    .pop();
  if (!line) throw new Error('docker/Dockerfile has no CMD');
  return JSON.parse(line.slice(4)) as string[];
}

describe('the API process and its heap bound', () => {
  it('npm start bounds the old generation', () => {
    expect(startFlags).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
    expect(startScript).toMatch(/^node (--\S+ )+scripts\/run-built\.mjs dist\/apps\/api\/src\/main\.js$/);
  });

  it('the image runs the API with the same flags as npm start', () => {
    expect(dockerCmd()).toEqual(['node', ...startFlags, 'dist/apps/api/src/main.js']);
  });

  it('this Node.js takes the flags: the heap limit is the bound (plus the young generation), not the machine default', () => {
    const bound = Number(/--max-old-space-size=(\d+)/.exec(startScript)?.[1]);
    const limit = Number(
      execFileSync(process.execPath, [...startFlags, '-e', "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))"], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    );
    expect(limit / 2 ** 20).toBeGreaterThanOrEqual(bound);
    expect(limit / 2 ** 20).toBeLessThan(bound + 128);
  });
});
