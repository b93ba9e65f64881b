import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { actorView, localTime, namesOf, stepLabelOf, stepOf } from '@app/projections';
import { parseUtcOffset, type EventMetadata } from '@app/proposals';
import { parseEventStream } from './sse.js';

export const TAIL_USAGE = `usage: npm run -s tail -- --token TOKEN [--url http://localhost:3000] [--checkpoint ./data/tail.position]
                   [--types proposal.answered.v1,…] [--prefix proposal] [--utc-offset +08:00]
Follows the event feed and prints one line per event — position, when it happened in business time
(--utc-offset, default BUSINESS_UTC_OFFSET or +08:00), the step, the proposal's number and title once seen, who
did it with the names of the time, the clerk and the recording time of a paper entry, and the event's hash;
remembers the last position in the checkpoint file and resumes from it next time. Stops on Ctrl-C.`;

interface FeedEvent {
  readonly position: number;
  readonly stream: string;
  readonly type: string;
  readonly data?: { readonly title?: unknown; readonly number?: unknown };
  readonly metadata: Partial<EventMetadata>;
}

/** The number and title of the proposals this run has seen filed or registered, by stream; bounded. */
class Headings {
  private readonly byStream = new Map<string, { number?: string; title?: string }>();
  constructor(private readonly max = 10_000) {}

  learn(e: FeedEvent): { number?: string; title?: string } | undefined {
    const step = stepOf(e.type);
    const known = this.byStream.get(e.stream);
    if ((step === 'ProposalFiled' && typeof e.data?.title === 'string') || (step === 'ProposalRegistered' && typeof e.data?.number === 'string')) {
      const next = { ...known, ...(step === 'ProposalFiled' ? { title: e.data?.title as string } : { number: e.data?.number as string }) };
      this.byStream.delete(e.stream);
      this.byStream.set(e.stream, next);
      if (this.byStream.size > this.max) this.byStream.delete(this.byStream.keys().next().value as string);
      return next;
    }
    return known;
  }
}

/** One line per event, readable (the same labels, names and business time as the API's history). */
export function tailLine(e: FeedEvent, heading: { number?: string; title?: string } | undefined, utcOffsetMinutes: number): string {
  const m = e.metadata;
  const names = namesOf(m as EventMetadata);
  const who = (actor: NonNullable<EventMetadata['actor']>) => {
    const view = actorView(actor, names);
    return `${view.name}（${view.roleLabel}${view.unitName !== undefined ? `·${view.unitName}` : ''}）`;
  };
  const subject = heading ? `${heading.number ?? '未编号'}${heading.title !== undefined ? ` 《${heading.title}》` : ''}` : e.stream;
  const paper = m.recorder ? `  代录 ${who(m.recorder)} ${m.recordedAt ? localTime(m.recordedAt, utcOffsetMinutes) : ''}` : '';
  return [
    String(e.position).padStart(8),
    m.occurredAt ? localTime(m.occurredAt, utcOffsetMinutes) : '',
    `${stepLabelOf(e.type)} ${e.type}`,
    subject,
    `${m.actor ? who(m.actor) : ''}${paper}`,
    `hash ${m.hash ?? ''}`,
  ].join('  ');
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
      'utc-offset': { type: 'string', default: process.env.BUSINESS_UTC_OFFSET || '+08:00' },
    },
    strict: true,
  });
  if (!values.token) throw new Error(`--token is required (npm run -s token -- --role service --sub my-service)\n${TAIL_USAGE}`);
  const utcOffsetMinutes = parseUtcOffset(values['utc-offset'] as string);
  if (utcOffsetMinutes === undefined) throw new Error(`--utc-offset must look like +08:00\n${TAIL_USAGE}`);
  const headings = new Headings();
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
        out(tailLine(e, headings.learn(e), utcOffsetMinutes));
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
