import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  readonly raw: string;
  readonly body: { id: string; type: string; position: number; stream: string; data: unknown; metadata: Record<string, unknown> };
  /** When it arrived (ms, performance clock). */
  readonly at: number;
}

/**
 * A webhook receiver on 127.0.0.1 for the specs: records every delivery, answers what `answer` says (200 unless told
 * otherwise), and can go down (connections refused) and come back on the same port.
 */
export class Receiver {
  readonly received: Received[] = [];
  /** The status to answer a delivery with; may wait first. */
  answer: (r: Received) => number | Promise<number> = () => 200;
  private server?: Server;
  private port = 0;
  private waiters: { done: () => boolean; resolve: () => void }[] = [];

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const received: Received = { headers: request.headers, raw, body: JSON.parse(raw), at: performance.now() };
        const status = await this.answer(received);
        if (status >= 200 && status < 300) {
          this.received.push(received);
          this.waiters = this.waiters.filter((w) => (w.done() ? (w.resolve(), false) : true));
        }
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /**
   * Resolves once `n` deliveries were accepted (answered 2xx), or once every one of these event ids was; rejects
   * after `timeoutMs`.
   */
  until(n: number | readonly string[], timeoutMs = 20_000): Promise<void> {
    const done = typeof n === 'number' ? () => this.received.length >= n : () => {
      const seen = new Set(this.received.map((r) => r.body.id));
      return n.every((id) => seen.has(id));
    };
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the receiver had ${this.received.length} deliveries, not all it waited for, after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ done, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Refuses connections until `up()`. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }

  up(): Promise<this> {
    return this.start(this.port);
  }

  stop(): Promise<void> {
    return this.down();
  }
}
