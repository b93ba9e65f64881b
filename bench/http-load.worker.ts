import { parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/**
 * The load generator of bench/http.bench.ts, in a worker thread: autocannon on its own event loop (the other core),
 * so that the API's thread serves requests and does nothing else. Every request is taken in turn from the planned
 * list (commands, or the same GET over and over); latencies of 2xx answers are kept exactly.
 */
export interface LoadRequest {
  /** POST unless said (a command); a GET sends no body. */
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  /** A bearer token, unless the route is public. */
  readonly token?: string;
  readonly body?: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: readonly LoadRequest[];
  /** Where in the list to start, so that a warm-up and the measured run do not repeat the same commands. */
  readonly offset: number;
  /** Requests per second across all connections, when the load should be steady rather than as much as it takes. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly status: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
  /** Every 2xx answer's latency, ascending: runs of the same target are merged from these. */
  readonly latencies: Float64Array;
}

export const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** The result of several runs of one target, as if it were one run of their total length. */
/** Runs one load on a worker thread of its own (this file), so that the load generator has its own event loop. */
export function loadInWorker(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./http-load.worker.js', import.meta.url), { workerData: options });
    worker.once('message', (message: { result?: LoadResult; error?: string }) => {
      if (message.result) resolve(message.result);
      else reject(new Error(`load generator failed: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export function merged(runs: readonly LoadResult[]): LoadResult {
  const latencies = Float64Array.from(runs.flatMap((r) => Array.from(r.latencies))).sort();
  const status: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.status)) status[code] = (status[code] ?? 0) + n;
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  return {
    seconds: sum((r) => r.seconds),
    sent: sum((r) => r.sent),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    status,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
      max: latencies.length ? latencies[latencies.length - 1] : NaN,
    },
    latencies,
  };
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const { requests } = options;
  let next = options.offset;
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  const started = performance.now();
  // In a worker thread autocannon answers its raw counts (it aggregates histograms only on the main thread), so the
  // statuses and latencies are counted here from its 'response' events.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        ...(options.rate ? { overallRate: options.rate } : {}),
        requests: [
          {
            setupRequest: (request) => {
              const r = requests[next++ % requests.length];
              const headers: Record<string, string> = {};
              if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
              if (r.body !== undefined) headers['content-type'] = 'application/json';
              return { ...request, method: r.method ?? 'POST', path: r.path, headers, ...(r.body !== undefined ? { body: r.body } : {}) };
            },
          },
        ],
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      status[statusCode] = (status[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    seconds,
    sent: Object.values(status).reduce((a, b) => a + b, 0) + result.errors,
    ok: latencies.length,
    non2xx: Object.values(status).reduce((a, b) => a + b, 0) - latencies.length,
    status,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      max: sorted.length ? sorted[sorted.length - 1] : NaN,
    },
    latencies: sorted,
  };
}

if (parentPort && workerData) {
  const port = parentPort;
  load(workerData as LoadOptions).then(
    (result) => port.postMessage({ result }),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}
