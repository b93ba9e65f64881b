import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ensurePrivateDir, loadConfig } from '@app/config';
import { actorView, localTime, namesOf, stepLabelOf, stepOf } from '@app/projections';
import { parseUtcOffset, type EventMetadata } from '@app/proposals';
import { declareCommand, parseCommandLine, UsageError } from './command-line.js';
import { parseEventStream } from './sse.js';

/** `npm run tail`: its command line, declared once (the program's help and parsing, and tailCommand's). */
export const tailCommandLine = (): Command =>
  declareCommand(
    'tail',
    'follow the event feed, one line per event, resuming where it stopped',
    [
      'A small consumer of GET /feed, the way another service would subscribe. Prints one line per event: position, when it happened in business time, the step, the proposal\'s number and title once seen, who did it with the names of the time, the clerk and the recording time of a paper entry, and the event\'s hash. Remembers the last position in its checkpoint file and resumes from it next time; reconnects after errors. Stops on Ctrl-C.',
      'The service is the one this environment configures, http://localhost:PORT, and the checkpoint is kept in DATA_DIR, beside the service\'s own files.',
    ],
    ['npm run -s tail -- --token "$(npm run -s token -- --role service --sub my-service)"', 'npm run -s tail -- --token "$SERVICE" --url http://feed.example:8080 --types proposal.answered.v1'],
  )
    .usage('--token TOKEN [options]')
    .option('--token <token>', 'a token of a role that may read the feed: service, auditor or office (required)')
    .option('--url <url>', 'the service (default http://localhost:PORT, PORT 3000 unless set)')
    .option('--checkpoint <file>', 'where the last position is kept (default DATA_DIR/tail.position)')
    .option('--types <types>', 'only these stored types, separated by commas (proposal.answered.v1,…)')
    .option('--prefix <prefix>', 'only streams starting with this (proposal, session, directory)')
    .option('--utc-offset <offset>', 'business time of the lines (default BUSINESS_UTC_OFFSET, +08:00)');

export interface TailOptions {
  readonly token?: string;
  readonly url?: string;
  readonly checkpoint?: string;
  readonly types?: string;
  readonly prefix?: string;
  readonly utcOffset?: string;
}

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
  return tail(parseCommandLine<TailOptions>(tailCommandLine(), argv).options, out, stop);
}

/** Follows the feed for options already parsed, until `stop`. */
export async function tail(
  values: TailOptions,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  stop: AbortController = stopOnSignals(),
): Promise<number> {
  if (!values.token) throw new UsageError('--token is required (npm run -s token -- --role service --sub my-service)');
  const config = loadConfig();
  const url = values.url ?? `http://localhost:${config.port}`;
  const utcOffsetMinutes = values.utcOffset === undefined ? config.utcOffsetMinutes : parseUtcOffset(values.utcOffset);
  if (utcOffsetMinutes === undefined) throw new UsageError('--utc-offset must look like +08:00');
  const headings = new Headings();
  // By default beside the service's files; a first run before the service's makes DATA_DIR as the service would.
  if (values.checkpoint === undefined) ensurePrivateDir(config.dataDir);
  const checkpoint = values.checkpoint ?? join(config.dataDir, 'tail.position');
  let position = readCheckpoint(checkpoint);
  let delay = 500;
  while (!stop.signal.aborted) {
    const query = new URLSearchParams({ ...(values.types ? { types: values.types } : {}), ...(values.prefix ? { prefix: values.prefix } : {}) });
    try {
      const response = await fetch(`${url}/feed?${query}`, {
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
