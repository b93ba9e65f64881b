import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { publicOnlyLookup } from './target.js';

export interface PostOutcome {
  /** The receiver's status; null when none came (refused, reset, timed out). */
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error?: string;
}

/**
 * POSTs one body to a receiver: its own keep-alive connections (one agent per subscription, so a slow receiver
 * holds only its own sockets), a timeout for the whole exchange, and, unless private targets are allowed, a lookup
 * that refuses to connect to a non-public address. Never throws: every failure is an outcome.
 */
export class Poster {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly url: URL;

  constructor(
    target: string,
    private readonly options: { readonly timeoutMs: number; readonly allowPrivate: boolean },
  ) {
    this.url = new URL(target);
    const agentOptions = { keepAlive: true, maxSockets: 1, ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }) };
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  post(body: string, headers: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<PostOutcome> {
    const started = performance.now();
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number | null, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, latencyMs: Math.round((performance.now() - started) * 10) / 10, ...(error ? { error } : {}) });
      };
      const req = send(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
          signal,
        },
        (response: IncomingMessage) => {
          // The answer's body is not read for anything but to free the connection; a huge one is cut off.
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > 65_536) response.destroy();
          });
          response.on('end', () => done(response.statusCode ?? null));
          response.on('close', () => done(response.statusCode ?? null));
          response.on('error', () => done(response.statusCode ?? null));
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      req.on('error', (error: Error) => done(null, error.message));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
