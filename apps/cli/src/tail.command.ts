import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseEventStream } from './sse.js';

export const TAIL_USAGE = `usage: npm run -s tail -- --token TOKEN [--url http://localhost:3000] [--checkpoint ./data/tail.position]
                   [--types proposal.answered.v1,…] [--prefix proposal]
Follows the event feed and prints one line per event; remembers the last position in the checkpoint file and
resumes from it next time. Stops on Ctrl-C.`;

interface FeedEvent {
  readonly position: number;
  readonly stream: string;
  readonly type: string;
  readonly metadata: { readonly occurredAt?: string; readonly actor?: { readonly id: string; readonly role: string; readonly unit?: string } };
}

function readCheckpoint(file: string): number {
  if (!existsSync(file)) return 0;
  const value = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

function writeCheckpoint(file: string, position: number): void {
  writeFileSync(`${file}.tmp`, `${position}\n`, { mode: 0o600 }); // private like the rest of ./data
  renameSync(`${file}.tmp`, file);
}

/**
 * `npm run tail`: a small consumer of GET /feed, the way another service would subscribe. It resumes from its
 * checkpoint with Last-Event-ID, stores the position after each event it handled, and reconnects after errors.
 */
export async function tailCommand(
  argv: string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  stop: AbortController = stopOnSignals(),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://localhost:3000' },
      token: { type: 'string' },
      checkpoint: { type: 'string', default: './data/tail.position' },
      types: { type: 'string' },
      prefix: { type: 'string' },
    },
    strict: true,
  });
  if (!values.token) throw new Error(`--token is required (npm run -s token -- --role service --sub my-service)\n${TAIL_USAGE}`);
  const checkpoint = values.checkpoint as string;
  let position = readCheckpoint(checkpoint);
  let delay = 500;
  while (!stop.signal.aborted) {
    const query = new URLSearchParams({ ...(values.types ? { types: values.types } : {}), ...(values.prefix ? { prefix: values.prefix } : {}) });
    try {
      const response = await fetch(`${values.url}/feed?${query}`, {
        headers: { authorization: `Bearer ${values.token}`, accept: 'text/event-stream', 'last-event-id': String(position) },
        signal: stop.signal,
      });
      if (!response.ok || !response.body) {
        const problem = await response.text();
        if (response.status >= 400 && response.status < 500) throw new Error(`the feed refused: ${response.status} ${problem}`);
        throw new Error(`the feed answered ${response.status}`);
      }
      delay = 500;
      for await (const message of parseEventStream(response.body)) {
        if (stop.signal.aborted) break;
        const e = JSON.parse(message.data) as FeedEvent;
        const actor = e.metadata.actor ? `${e.metadata.actor.role}:${e.metadata.actor.unit ?? e.metadata.actor.id}` : '';
        out(`${String(e.position).padStart(8)}  ${e.metadata.occurredAt ?? ''}  ${e.type.padEnd(38)} ${e.stream}  ${actor}`);
        position = e.position;
        writeCheckpoint(checkpoint, position);
      }
    } catch (error) {
      if (stop.signal.aborted) break;
      if (error instanceof Error && error.message.startsWith('the feed refused')) throw error;
      process.stderr.write(`feed interrupted (${error instanceof Error ? error.message : String(error)}); reconnecting from ${position}\n`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
  return 0;
}

function stopOnSignals(): AbortController {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  return stop;
}
