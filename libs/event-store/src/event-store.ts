/**
 * The event-store port, shaped after EventStoreDB: streams with 0-based revisions, one global log ordered by
 * position, appends guarded by an expected revision, idempotent by event id, and catch-up subscriptions.
 * The SQLite and EventStoreDB adapters both meet `testing/event-store.contract.ts`.
 */

/** `any`: no check. `no_stream`: the stream must not exist. `stream_exists`: it must. A number: the last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export type EventMetadata = Record<string, unknown>;

export interface NewEvent {
  /** A UUID; appending the same ids to the same stream again is a no-op that returns the first result. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /**
   * `data` and `metadata` already written by JSON.stringify, when the caller has that text (the hash chain hashes
   * it): a store that keeps JSON text stores this text rather than writing the same JSON again.
   */
  readonly json?: { readonly data: string; readonly metadata: string };
}

export interface RecordedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  /** Strictly increasing across the whole store; 0 is "before the first event". */
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** When the store wrote it (ISO 8601). */
  readonly created: string;
}

export interface AppendResult {
  /** The revision of the last event of the stream after the append. */
  readonly nextExpectedRevision: number;
  /** The position of the last event appended (or found, for an idempotent retry). */
  readonly position: number;
}

export interface EventFilter {
  /** Only streams whose name starts with one of these. */
  readonly streamPrefixes?: readonly string[];
  /** Only events of these stored types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. Default 0, the start. */
  readonly fromPosition?: number;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface ReadStreamOptions {
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive, as in `readAll`. */
  readonly fromPosition?: number;
  readonly filter?: EventFilter;
}

/** Catches up from its position, then follows live appends until unsubscribed. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  unsubscribe(): Promise<void>;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order; empty when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the newest event, 0 when the store is empty. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/** The stream is not at the expected revision. Every adapter throws this one error for it. */
export class WrongExpectedRevision extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream} is at revision ${String(actual)}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** Event ids that already exist but do not form the same append as before. */
export class DuplicateEventId extends Error {
  constructor(readonly stream: string, readonly eventId: string) {
    super(`event ${eventId} already exists and does not repeat an earlier append to ${stream}`);
    this.name = 'DuplicateEventId';
  }
}

export function matchesFilter(event: { stream: string; type: string }, filter?: EventFilter): boolean {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.stream.startsWith(p))) return false;
  return true;
}

export function checkExpectedRevision(stream: string, expected: ExpectedRevision, actual: number | 'no_stream'): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevision(stream, expected, actual);
}

/** The log from a position onwards, one page at a time: for jobs that walk all of it (rebuild, report, verify). */
export async function* pagesOf(store: EventStore, options: ReadAllOptions & { readonly maxCount: number }): AsyncGenerator<RecordedEvent[]> {
  let fromPosition = options.fromPosition ?? 0;
  for (;;) {
    const page = await store.readAll({ ...options, fromPosition });
    if (page.length > 0) yield page;
    if (page.length < options.maxCount) return;
    fromPosition = page[page.length - 1].position;
  }
}
