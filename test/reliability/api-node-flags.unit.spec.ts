import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_FLAGS } from '../support/service-process.js';

/**
 * Every process of the service runs with a bound on V8's old generation (docs/deployment.md, "Memory"): below 2 GB,
 * V8 lets the heap grow to ~1.4 times what is live before a full collection instead of up to 4 times, which is what
 * keeps the export of a million audit entries under 250 MB (`npm run bench:export`). The npm scripts that run the
 * API, the projector and the CLI's jobs give it, and the image gives it to every process through NODE_OPTIONS
 * (heap-bound.e2e.spec.ts starts the service as npm start runs it and reads the limit it reports).
 */
const root = process.cwd();
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const HEAP_BOUND = /^--max-old-space-size=\d+$/;

function dockerEnv(name: string): string | undefined {
  const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  return new RegExp(`^(?:ENV)?\\s+${name}=(\\S+)`, 'm').exec(runtime)?.[1];
}

describe('the processes of the service and their heap bound', () => {
  it('npm start bounds the old generation', () => {
    expect(START_FLAGS).toContainEqual(expect.stringMatching(HEAP_BOUND));
    expect(scripts.start).toMatch(/^node (--\S+ )+scripts\/run-built\.mjs dist\/apps\/api\/src\/main\.js$/);
  });

  it('every npm script that runs the projector or a CLI job bounds it too', () => {
    const jobs = Object.entries(scripts).filter(([, command]) => command.includes('dist/apps/'));
    expect(jobs.map(([name]) => name)).toEqual(expect.arrayContaining(['start', 'projector', 'report', 'cli', 'rebuild', 'replay']));
    for (const [name, command] of jobs) expect({ name, flags: command.split(/\s+/).filter((w) => HEAP_BOUND.test(w)) }).toEqual({ name, flags: [expect.any(String)] });
  });

  it('the image gives every process the bound of npm start', () => {
    expect(dockerEnv('NODE_OPTIONS')).toBe(START_FLAGS.join(' '));
  });
});
