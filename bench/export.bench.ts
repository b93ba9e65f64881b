import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@app/identity';
import { ensureEventLog } from './generate.js';
import { figure, runBench, type BenchFigure } from './result.js';

/**
 * Large exports stream: the whole audit trail of a generated log of EVENTS events (default 1,000,000) exported over
 * HTTP as `GET /audit?format=xlsx` and `?format=csv`, by the API in a process of its own (as `npm start` runs it, the
 * read models already built, and with npm start's Node.js flags: its heap bound), the response read and dropped by this
 * process. Each format gets a fresh API process, whose peak resident set (getrusage maxrss, start-up included) is the
 * figure, against the 250 MB budget.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dataRoot = process.env.BENCH_DATA ?? join(tmpdir(), 'cppcc-bench');
const BUDGET_MB = 250;
const here = dirname(fileURLToPath(import.meta.url));
const server = join(here, 'export-server.main.js');
const SECRET = 'bench-secret-of-at-least-thirty-two-characters';
/** The Node.js flags `npm start` gives the API (package.json), so that the process measured is the one that runs. */
const START_FLAGS = (JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startRss: number;
}

function startServer(dataDir: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = fork(server, ['serve', dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: START_FLAGS });
    child.once('message', (m: { port: number; maxRss: number }) => resolve({ child, port: m.port, startRss: m.maxRss }));
    child.once('exit', (code) => reject(new Error(`the API exited with ${code}`)));
  });
}

const ask = (child: ChildProcess): Promise<{ maxRss: number; rss: number; peak: NodeJS.MemoryUsage }> =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send('memory');
  });

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });

async function exportOnce(dataDir: string, format: 'xlsx' | 'csv', log: (line: string) => void) {
  const { child, port, startRss } = await startServer(dataDir);
  try {
    const token = mintToken(SECRET, { sub: 'bench-auditor', role: 'auditor', tenant: 'jinshan' });
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/audit?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200 || !response.body) throw new Error(`GET /audit?format=${format}: ${response.status} ${await response.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (format === 'csv') for (const b of chunk) if (b === 0x0a) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const { maxRss, peak } = await ask(child);
    log(
      `  GET /audit?format=${format.padEnd(4)}  ${(bytes / 1e6).toFixed(0).padStart(5)} MB in ${seconds.toFixed(1).padStart(5)} s` +
        `${format === 'csv' ? ` (${fmt(lines - 1)} entries)` : ''}; API peak RSS ${mb(maxRss)} MB (${mb(startRss)} MB after start;` +
        ` at the highest sample: V8 heap ${mb(peak.heapUsed)} of ${mb(peak.heapTotal)} MB, external ${mb(peak.external)} MB)`,
    );
    return { bytes, seconds, maxRss, startRss, entries: format === 'csv' ? lines - 1 : undefined };
  } finally {
    await stop(child);
  }
}

runBench(async (log) => {
  const eventLog = ensureEventLog(join(dataRoot, `events-${EVENTS}.sqlite`), EVENTS);
  const dataDir = join(dataRoot, `export-${EVENTS}`);
  if (!existsSync(join(dataDir, 'read-models.sqlite'))) {
    log(`bench:export — building the read models of ${fmt(EVENTS)} events once (kept in ${dataDir})`);
    const made = spawnSync(process.execPath, [server, 'prepare', dataDir, eventLog], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (made.status !== 0) throw new Error('building the read models failed');
  }
  log(`bench:export — the audit trail of ${fmt(EVENTS)}+ generated events over HTTP, Node ${process.version}, API flags ${START_FLAGS.join(' ') || '(none)'}`);
  const csv = await exportOnce(dataDir, 'csv', log);
  const xlsx = await exportOnce(dataDir, 'xlsx', log);
  const figures: BenchFigure[] = [];
  for (const [format, run] of [['XLSX', xlsx], ['CSV', csv]] as const)
    figures.push(
      figure({
        name: `peak resident memory of the API exporting the audit trail of ${fmt(csv.entries ?? EVENTS)} events as ${format} (GET /audit?format=${format.toLowerCase()}, ${(run.bytes / 1e6).toFixed(0)} MB in ${run.seconds.toFixed(0)} s)`,
        value: mb(run.maxRss),
        unit: 'MB',
        reference: `the ${BUDGET_MB} MB budget`,
        referenceValue: BUDGET_MB,
        target: `< ${BUDGET_MB} MB`,
        met: mb(run.maxRss) < BUDGET_MB,
      }),
    );
  return figures;
});
