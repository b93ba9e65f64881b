import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { createApp } from '../../apps/api/src/create-app.js';
import type { Logger } from '../../apps/api/src/operations/logger.js';
import type { ApiMetrics } from '../../apps/api/src/operations/metrics.js';

export const OPERATIONS_SECRET = 'operations-test-secret-of-32-chars-or-more';

/** Everything a logger wrote, line by line. */
export class CapturedLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  /** The lines as objects (JSON format). */
  get entries(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, any>);
  }
}

/** An API started in process, as main.ts starts it but with the logger and metrics the spec reads. */
export class OperatedApi {
  app!: NestFastifyApplication;
  config!: AppConfig;
  base = '';
  private dir = '';

  async start(options: { logger?: Logger; metrics?: ApiMetrics; env?: Record<string, string> }): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'cppcc-ops-'));
    this.config = loadConfig({ DATA_DIR: this.dir, AUTH_SECRET: OPERATIONS_SECRET, SQLITE_SYNCHRONOUS: 'normal', ...options.env });
    this.app = await createApp({ config: this.config, logLevel: 'silent', ...(options.logger ? { logger: options.logger } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) });
    await this.app.listen(0, '127.0.0.1');
    this.base = `http://127.0.0.1:${(this.app.getHttpServer().address() as { port: number }).port}`;
    return this;
  }

  get store(): EventStore {
    return this.app.get<EventStore>(EVENT_STORE);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  async send(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}
