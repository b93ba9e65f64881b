/** The heap bound of the rebuild (package.json's `rebuild` script runs with the same). */
export const REBUILD_HEAP = '--max-old-space-size=192';

/** One figure of `npm run bench`, as written to bench/results.json. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is measured against, in the same run on the same machine. */
  readonly reference: string;
  readonly referenceValue: number;
  /** value / referenceValue. */
  readonly ratio: number;
  /** The target, in words (e.g. "≥ 60% of the reference", "p99 ≤ 25 ms"). */
  readonly target: string;
  readonly met: boolean;
}

export const figure = (f: Omit<BenchFigure, 'ratio'>): BenchFigure => ({
  ...f,
  ratio: f.referenceValue === 0 ? 0 : Math.round((f.value / f.referenceValue) * 1000) / 1000,
});

/**
 * The entry point of one benchmark: its progress and human-readable lines go to stderr; with `--json` the figures go
 * to stdout as one JSON line (for `npm run bench`), otherwise as a short list.
 */
export function runBench(measure: (log: (line: string) => void) => Promise<BenchFigure[]>): void {
  const json = process.argv.includes('--json');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  measure(log).then(
    (figures) => {
      if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
      else for (const f of figures) console.log(`${f.met ? 'met    ' : 'NOT met'}  ${f.name}: ${f.value} ${f.unit} (reference ${f.referenceValue}, ${f.reference}; target ${f.target})`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
