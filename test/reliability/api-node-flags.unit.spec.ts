import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_FLAGS as startFlags } from '../support/service-process.js';

/**
 * The API runs with a bound on V8's old generation (docs/deployment.md, "Memory"): below 2 GB, V8 lets the heap grow
 * to ~1.4 times what is live before a full collection instead of up to 4 times, which is what keeps the export of a
 * million audit entries under 250 MB (`npm run bench:export`). `npm start` and the image's CMD must give the same
 * flags (heap-bound.e2e.spec.ts starts the service with them and reads the limit it reports).
 */
const root = process.cwd();
const startScript = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;

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
});
