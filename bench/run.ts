import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REBUILD_HEAP, type BenchFigure } from './result.js';

/**
 * `npm run bench`: every benchmark, each in a process of its own (so that memory figures are its own), one after
 * another; then a markdown table (bench/results.md) and bench/results.json with every figure beside its reference.
 * `npm run bench -- append list` runs only those.
 */
const BENCHES: readonly (readonly [name: string, entry: string, node?: readonly string[]])[] = [
  ['append', 'append.bench.js'],
  ['http', 'http.main.js'],
  // With the heap bound `npm run rebuild` has: V8 otherwise grows its heap far beyond what the rebuild holds.
  ['rebuild', 'rebuild.bench.js', [REBUILD_HEAP]],
  ['report', 'report.bench.js'],
  ['list', 'list.bench.js'],
  ['list-http', 'list-http.bench.js'],
  ['export', 'export.bench.js'],
  ['peer', 'peer-emmett.main.js'],
  ['webhooks', 'webhooks.main.js'],
];

const here = join(process.cwd(), 'dist', 'bench');

function run(entry: string, node: readonly string[] = []): Promise<BenchFigure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, join(here, entry), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${entry} exited with ${code}`));
      else resolve(JSON.parse(last) as BenchFigure[]);
    });
  });
}

const number = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const figures: BenchFigure[] = [];
  const failures: string[] = [];
  for (const [name, entry, node] of BENCHES) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`\n== ${name} (load average ${loadavg()[0].toFixed(2)})\n`);
    try {
      figures.push(...(await run(entry, node)));
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const rows = figures.map(
    (f) => `| ${f.name} | ${number(f.value)} ${f.unit} | ${f.reference}: ${number(f.referenceValue)} | ${f.ratio} | ${f.target} | ${f.met ? 'met' : '**not met**'} |`,
  );
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.`,
    '',
    '| figure | value | reference (same run) | ratio | target | |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...(failures.length ? ['', ...failures.map((f) => `- failed: ${f}`)] : []),
  ].join('\n');
  writeFileSync(join(process.cwd(), 'bench', 'results.md'), `${table}\n`);
  writeFileSync(join(process.cwd(), 'bench', 'results.json'), `${JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2)}\n`);
  process.stdout.write(`\n${table}\n`);
  process.exit(failures.length ? 1 : 0);
}

void main();
