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
  /**
   * Only events whose data or metadata holds a string within this range at a field. A store that keeps a
   * `FieldIndex` of that field for these `eventTypes` (all of them among the index's types) reads only the matching
   * events; any other store or filter gets the same events by reading what the rest of the filter selects.
   */
  readonly fieldRange?: FieldRange;
}

/** A field of an event's JSON: `data.<name>` or `metadata.<name>`, with dots into nested objects. */
export type EventField = `data.${string}` | `metadata.${string}`;

export interface FieldRange {
  readonly field: EventField;
  /**
   * Inclusive bounds, compared as code points (the order of the strings' UTF-8 bytes, as SQLite compares them):
   * `from === to` for one value. A field that is absent, or holds anything but a string, is outside every range.
   */
  readonly from: string;
  readonly to: string;
}

/**
 * An index a store can keep of one field of some stored types' events, so that a `fieldRange` filter on those
 * types reads only the events it selects (the SQLite store's `fieldIndexes` option). Who queries declares it.
 */
export interface FieldIndex {
  readonly eventTypes: readonly string[];
  readonly field: EventField;
}

const FIELD = /^(data|metadata)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/;

/** The field's JSON path below `data` or `metadata` (`data.a.b` → `['data', '$.a.b']`); a `RangeError` for anything else. */
export function fieldPath(field: string): ['data' | 'metadata', string] {
  const match = FIELD.exec(field);
  if (!match) throw new RangeError(`not an event field: ${JSON.stringify(field)} (data.<name> or metadata.<name>)`);
  return [match[1] as 'data' | 'metadata', `$${match[2]}`];
}

/** Code-point order (= UTF-8 byte order). JavaScript's `<` compares UTF-16 units, which puts U+10000 and up before U+E000. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function inFieldRange(event: { data?: unknown; metadata?: unknown }, range: FieldRange): boolean {
  const [root, path] = fieldPath(range.field);
  let value: unknown = root === 'data' ? event.data : event.metadata;
  for (const key of path.slice(2).split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && compareCodePoints(value, range.from) >= 0 && compareCodePoints(value, range.to) <= 0;
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
  /**
   * An append that expects the stream's event at `expectedRevision` to be the one with id `previousId`, not only
   * some event: refused (WrongExpectedRevision) otherwise. For a writer that queues an append right behind one of
   * its own not yet committed: if that one is refused, so is this, even when another writer's event took its
   * revision. Only a store that checks it has it (the embedded one); without it, wait for the commit.
   */
  appendAfter?(stream: string, events: readonly NewEvent[], expectedRevision: number, previousId: string): Promise<AppendResult>;
  /** Events of one stream in revision order; empty when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the newest event, 0 when the store is empty. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
  /**
   * Whether the store answers this filter from an index, reading only the events it selects (a `fieldRange` on a
   * field it keeps a `FieldIndex` of). Absent or false: the filter costs a pass over the log, and a job with several
   * such filters had better combine them into one pass.
   */
  indexed?(filter: EventFilter): boolean;
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

export function matchesFilter(event: { stream: string; type: string; data?: unknown; metadata?: unknown }, filter?: EventFilter): boolean {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.stream.startsWith(p))) return false;
  if (filter.fieldRange && !inFieldRange(event, filter.fieldRange)) return false;
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
