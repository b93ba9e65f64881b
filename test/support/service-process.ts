import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

/** A port nobody listens on right now (the OS's pick, released at once). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

/** The Node.js flags `npm start` gives the API (package.json's start script): its heap bound. */
export const START_FLAGS: readonly string[] = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/**
 * The built API as `npm start` runs it (its entry point and Node.js flags, or `nodeFlags`) in a child process, with
 * its output kept line by line: for what only a real process shows — signals, exit codes, its log, a port taken.
 */
export class ServiceProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiting = new Set<() => void>();

  constructor(env: Record<string, string>, nodeFlags: readonly string[] = START_FLAGS) {
    this.child = spawn(process.execPath, [...nodeFlags, 'scripts/run-built.mjs', 'dist/apps/api/src/main.js'], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'development', LOG_LEVEL: 'log', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts);
        for (const wake of this.waiting) wake();
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.lines.join('\n');
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first line (so far or to come) that matches; rejects after `timeoutMs` or if the process ends. */
  line(matches: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(matches);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no such line within ${timeoutMs} ms; output:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(check);
      };
      this.waiting.add(check);
      void this.exited.then(() => {
        check();
        if (this.waiting.has(check)) {
          done();
          reject(new Error(`the process ended first; output:\n${this.output}`));
        }
      });
      check();
    });
  }

  /** Waits until GET /health answers (the build, if stale, is made first: allow for it). */
  async healthy(base: string, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => (ended = true));
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      if (ended) throw new Error(`the service exited before it served; output:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`the service did not start; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** For afterAll: makes sure no child outlives the spec. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
