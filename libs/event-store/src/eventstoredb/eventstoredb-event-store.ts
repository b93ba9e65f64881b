import {
  ANY,
  BACKWARDS,
  CancelledError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type CurrentRevision,
  type EventData,
  type Filter,
  type JSONType,
  type Position,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadPosition,
  type ReadStreamOptions as ClientReadStreamOptions,
  type RecordedEvent as ClientRecordedEvent,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import {
  DuplicateEventId,
  WrongExpectedRevision,
  matchesFilter,
  type AppendResult,
  type EventFilter,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';

/** A read of the client: a Node stream in object mode that is async-iterable and can be cancelled. */
export interface EsdbRead<E> extends AsyncIterable<E> {
  cancel?(): Promise<void>;
}

/** A catch-up subscription of the client. */
export interface EsdbSubscription extends AsyncIterable<AllStreamResolvedEvent> {
  unsubscribe(): Promise<void>;
  destroy?(error?: Error): unknown;
}

/**
 * The part of `EventStoreDBClient` (@eventstore/db-client 6.x) this adapter uses. The real client satisfies it;
 * unit tests pass a hand-written fake.
 */
export interface EventStoreDbClientLike {
  appendToStream(streamName: string, events: EventData[], options?: AppendToStreamOptions): Promise<ClientAppendResult>;
  readStream(streamName: string, options?: ClientReadStreamOptions): EsdbRead<ResolvedEvent>;
  readAll(options?: ClientReadAllOptions): EsdbRead<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): EsdbSubscription;
  dispose(): Promise<void>;
}

export interface EventStoreDbEventStoreOptions {
  /** How many events one `readAll` round trip asks for (the client of 6.2 filters `$all` reads on this side). */
  readonly pageSize?: number;
  /** How `subscribeToAll` waits before subscribing again after the server ended or dropped its call. */
  readonly resubscribe?: ResubscribeOptions;
}

/**
 * Bounded exponential backoff with jitter: the n-th attempt in a row without an event waits a random time between
 * half and all of `min(maxDelayMs, initialDelayMs * 2^(n-1))`. An event received resets the count.
 */
export interface ResubscribeOptions {
  /** Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Default 5 000 ms. */
  readonly maxDelayMs?: number;
  /** Told of every interruption before the wait, e.g. to log it. */
  readonly onInterruption?: (interruption: SubscriptionInterruption) => void;
}

export interface SubscriptionInterruption {
  /** What the client reported (`UnavailableError`, `CancelledError`, `NotLeaderError`); undefined when the server ended the call. */
  readonly error?: unknown;
  /** 1 for the first interruption since the last event received. */
  readonly attempt: number;
  readonly delayMs: number;
  /** The port's position the next call resumes after (0: from the start). */
  readonly resumeAfter: number;
}

/** `$correlationId` / `$causationId`: the metadata keys EventStoreDB's projections (`$by_correlation_id`) read. */
const SYSTEM_METADATA = [
  ['$correlationId', 'correlationId'],
  ['$causationId', 'causationId'],
] as const;

/** Commit positions at or above 2^63 are the server's "no position" (ulong max); they are no real place in the log. */
const NO_POSITION = 1n << 63n;
const TICKS_PER_MILLISECOND = 10_000n;

/**
 * The event store on EventStoreDB, through the official gRPC client `@eventstore/db-client`.
 *
 * Positions. The port's position is one number; EventStoreDB's is a pair {commit, prepare}. This adapter reports the
 * commit position (`Number(position.commit)`). EventStoreDB's engineers say commit equals prepare for every event
 * not written in an explicit transaction, and this application never uses explicit transactions (the gRPC API has
 * none), so the commit position alone names an event's place in `$all`; to resume, the pair is rebuilt as
 * `{ commit: BigInt(p), prepare: BigInt(p) }`. Commit positions are byte offsets in the transaction log, so they
 * stay below 2^53 (8 PiB of log) and a JS number holds them exactly. They increase strictly but are not dense:
 * `p - 1` is usually not the place of any record, and the server refuses to read from such a place; `readAll`
 * and `subscribeToAll` then fall back to scanning from the start (see `isInvalidPosition`).
 *
 * System events (streams or types starting with `$`: statistics, projections' links, stream metadata) are never
 * returned by `readAll`, `subscribeToAll` or counted by `headPosition`.
 *
 * Subscriptions outlive the server's calls (restarts, leader changes, dropped connections): `subscribeToAll`
 * subscribes again after a backoff from the last event received (see there and `ResubscribeOptions`).
 *
 * Idempotence is the server's: the event ids are the application's deterministic ids, so a retried append is
 * answered with the first append's result. With `any`, the server only recognises a retry while the first append is
 * in its cache of recent commits; with an expected revision it always does.
 */
export class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<() => Promise<void>>();
  private readonly resubscribe: Required<Omit<ResubscribeOptions, 'onInterruption'>> &
    Pick<ResubscribeOptions, 'onInterruption'>;

  constructor(
    private readonly client: EventStoreDbClientLike,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.pageSize = Math.max(2, options.pageSize ?? 500);
    const initialDelayMs = Math.max(0, options.resubscribe?.initialDelayMs ?? 100);
    this.resubscribe = {
      initialDelayMs,
      maxDelayMs: Math.max(initialDelayMs, options.resubscribe?.maxDelayMs ?? 5_000),
      onInterruption: options.resubscribe?.onInterruption,
    };
  }

  /** E.g. `esdb://localhost:2113?tls=false`. */
  static connect(connectionString: string, options?: EventStoreDbEventStoreOptions): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision = 'any',
  ): Promise<AppendResult> {
    if (this.closed) throw new Error('event store is closed');
    if (events.length === 0) throw new RangeError('nothing to append');
    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(stream, events.map(toEventData), {
        expectedRevision: toClientRevision(expectedRevision),
      });
    } catch (error) {
      if (isWrongExpectedVersion(error))
        throw await this.refusal(stream, events, expectedRevision, fromCurrentRevision(error.actualVersion));
      throw error;
    }
    // A client built with `throwOnAppendFailure: false` answers instead of throwing; its revision is not reliable then.
    if (!result.success) throw await this.refusal(stream, events, expectedRevision, undefined);
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    const commit = result.position?.commit;
    const position =
      commit !== undefined && commit >= 0n && commit < NO_POSITION
        ? Number(commit)
        : ((await this.readStream(stream, { fromRevision: nextExpectedRevision, maxCount: 1 }))[0]?.position ?? 0);
    return { nextExpectedRevision, position };
  }

  /**
   * The server answers "wrong expected version" both for a real conflict and for ids that repeat only part of an
   * earlier append (its "corrupted idempotency"); the port tells the two apart, so look at what the stream holds.
   */
  private async refusal(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    reported: number | 'no_stream' | undefined,
  ): Promise<Error> {
    const actual = reported ?? (await this.lastRevision(stream));
    if (actual === 'no_stream') return new WrongExpectedRevision(stream, expected, actual);
    if (expected === 'any' || expected === 'stream_exists') {
      // Against an existing stream these never fail a version check: the ids clashed.
      const stored = new Set((await this.readStream(stream)).map((e) => e.id));
      const clash = events.find((e) => stored.has(e.id));
      return clash ? new DuplicateEventId(stream, clash.id) : new WrongExpectedRevision(stream, expected, actual);
    }
    const start = expected === 'no_stream' ? 0 : expected + 1;
    const stored = await this.readStream(stream, { fromRevision: start, maxCount: events.length });
    if (stored[0]?.id === events[0].id) {
      const differing = events.find((e, i) => stored[i]?.id !== e.id) ?? events[0];
      return new DuplicateEventId(stream, differing.id);
    }
    return new WrongExpectedRevision(stream, expected, actual);
  }

  private async lastRevision(stream: string): Promise<number | 'no_stream'> {
    try {
      const read = this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      for await (const resolved of read) {
        if (resolved.event) return Number(resolved.event.revision);
      }
      return 'no_stream';
    } catch (error) {
      if (isStreamNotFound(error)) return 'no_stream';
      throw error;
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? -1;
    if (maxCount === 0) return [];
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: FORWARDS,
        fromRevision: options.fromRevision && options.fromRevision > 0 ? BigInt(options.fromRevision) : START,
        ...(maxCount > 0 ? { maxCount } : {}),
      });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event, resolved.commitPosition));
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    return events;
  }

  /**
   * `$all` forwards, after `fromPosition`. The 6.2 client has no server-side filter for reads (only for
   * subscriptions), so the filter is applied here, a page at a time.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromPosition ?? 0;
    const max = options.maxCount === undefined || options.maxCount < 0 ? Infinity : options.maxCount;
    const filter = options.filter;
    const events: RecordedEvent[] = [];
    if (max === 0 || !canMatch(filter)) return events;
    // The server's read starts AT the given position (inclusive); the port's starts after it: `seen` drops it.
    let seen = from;
    let cursor: ReadPosition = from > 0 ? toPosition(from) : START;
    for (;;) {
      const count = filter ? this.pageSize : Math.min(this.pageSize, max - events.length + 1);
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: cursor,
        maxCount: count,
        resolveLinkTos: false,
      });
      let received = 0;
      let last: Position | undefined;
      try {
        for await (const resolved of read) {
          received += 1;
          const event = resolved.event;
          if (!event) continue;
          const position = positionOf(event, resolved.commitPosition);
          if (event.position) last = event.position;
          if (position <= seen) continue;
          seen = position;
          if (!wanted(event, filter)) continue;
          events.push(toRecordedEvent(event, resolved.commitPosition));
          if (events.length >= max) {
            await read.cancel?.();
            return events;
          }
        }
      } catch (error) {
        if (received === 0 && cursor !== START && isInvalidPosition(error)) {
          cursor = START;
          continue;
        }
        throw error;
      }
      if (received < count || !last) return events;
      cursor = last;
    }
  }

  /**
   * A catch-up subscription that outlives the server's calls. EventStoreDB ends a subscription call when it
   * restarts, steps down as leader or drops the connection, and the client then either finishes the stream or
   * fails it with `UnavailableError`, `CancelledError` or `NotLeaderError` (the errors on which the client itself
   * reconnects). Each of these is followed here by a new call after a backoff (`ResubscribeOptions`), resuming
   * after the last event received, so that every event is delivered once and in order across interruptions. The
   * iteration ends only when unsubscribed (or the store closed); any other error ends it by being thrown.
   */
  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const from = options.fromPosition ?? 0;
    const filter = options.filter;
    const client = this.client;
    const backoff = this.resubscribe;
    let active = !this.closed;
    let current: EsdbSubscription | undefined;
    // A fresh promise per wait, so that a long-lived subscription does not pile reactions onto one pending promise.
    let interrupt: (() => void) | undefined;
    const interrupted = () =>
      new Promise<IteratorReturnResult<undefined>>((resolve) => {
        interrupt = () => resolve({ done: true, value: undefined });
      });
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const unsubscribe = async (): Promise<void> => {
      if (!active) return;
      active = false;
      this.subscriptions.delete(unsubscribe);
      interrupt?.();
      const subscription = current;
      current = undefined;
      if (subscription) await release(subscription);
    };
    this.subscriptions.add(unsubscribe);

    async function* iterate(): AsyncGenerator<RecordedEvent> {
      try {
        if (!canMatch(filter)) {
          if (active) await interrupted();
          return;
        }
        // A catch-up subscription starts after the given position (exclusive), as the port does. `seen` is the
        // newest position received (delivered or not wanted): it guards against a server that would repeat an
        // event, and `resumeFrom`, the place of that event in the server's own terms, is where a new call starts.
        let seen = from;
        let resumeFrom: ReadPosition = from > 0 ? toPosition(from) : START;
        let attempt = 0;
        while (active) {
          const subscription = client.subscribeToAll({
            fromPosition: resumeFrom,
            resolveLinkTos: false,
            filter: serverFilter(filter),
          });
          current = subscription;
          const iterator = subscription[Symbol.asyncIterator]();
          let received = false;
          let failure: unknown;
          try {
            for (;;) {
              const next = await Promise.race([iterator.next(), interrupted()]);
              interrupt = undefined;
              if (!active) return;
              if (next.done) break; // the server ended the call
              received = true;
              attempt = 0;
              const resolved = next.value;
              const event = resolved.event;
              if (!event) continue; // a link whose event is gone; checkpoints never come through as data
              const position = positionOf(event, resolved.commitPosition);
              if (position <= seen) continue;
              seen = position;
              resumeFrom = event.position ?? toPosition(position);
              if (!wanted(event, filter)) continue;
              yield toRecordedEvent(event, resolved.commitPosition);
              if (!active) return;
            }
          } catch (error) {
            if (!active) return;
            if (!received && resumeFrom !== START && isInvalidPosition(error)) {
              // Only a caller's position can be no record boundary: scan from the start, `seen` skips up to it.
              await release(subscription);
              resumeFrom = START;
              continue;
            }
            if (!isTransient(error)) throw error;
            failure = error;
          }
          current = undefined;
          await release(subscription);
          attempt += 1;
          const delayMs = backoffDelay(attempt, backoff.initialDelayMs, backoff.maxDelayMs);
          try {
            backoff.onInterruption?.({ error: failure, attempt, delayMs, resumeAfter: seen });
          } catch {
            // A failing log line must not end the subscription it reports on.
          }
          if (!active) return;
          await pause(delayMs);
          interrupt = undefined;
        }
      } finally {
        await unsubscribe();
      }
    }

    const iterator = iterate();
    return { [Symbol.asyncIterator]: () => iterator, unsubscribe };
  }

  /** The position of the newest event that is not a system event (statistics are written every few seconds). */
  async headPosition(): Promise<number> {
    let cursor: ReadPosition = END;
    let seen = Infinity;
    for (;;) {
      const read = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: cursor,
        maxCount: this.pageSize,
        resolveLinkTos: false,
      });
      let received = 0;
      let last: Position | undefined;
      for await (const resolved of read) {
        received += 1;
        const event = resolved.event;
        if (!event) continue;
        const position = positionOf(event, resolved.commitPosition);
        if (event.position) last = event.position;
        if (position >= seen) continue; // backwards reads exclude their start, but do not rely on it
        seen = position;
        if (!isSystemEvent(event)) {
          await read.cancel?.();
          return position;
        }
      }
      if (received < this.pageSize || !last) return 0;
      cursor = last;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((unsubscribe) => unsubscribe()));
    await this.client.dispose();
  }
}

async function release(subscription: EsdbSubscription): Promise<void> {
  try {
    await subscription.unsubscribe();
  } catch {
    // The call had already failed (its error reached the iteration); nothing is left to cancel.
  } finally {
    // Ends a read still waiting on the cancelled gRPC call.
    subscription.destroy?.();
  }
}

function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0)
        throw new RangeError(`invalid expected revision ${expected}`);
      return BigInt(expected);
  }
}

const fromCurrentRevision = (current: CurrentRevision | undefined): number | 'no_stream' | undefined =>
  current === undefined ? undefined : current === NO_STREAM ? 'no_stream' : Number(current);

const toPosition = (position: number): Position => ({ commit: BigInt(position), prepare: BigInt(position) });

function toEventData(event: NewEvent): EventData {
  const metadata: Record<string, unknown> = { ...event.metadata };
  for (const [system, own] of SYSTEM_METADATA) {
    if (typeof metadata[own] === 'string' && !(system in metadata)) metadata[system] = metadata[own];
  }
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata });
}

/** Removes the `$correlationId` / `$causationId` that `toEventData` added, so metadata reads back as appended. */
function ownMetadata(raw: unknown): EventMetadata {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) return {};
  const metadata: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [system, own] of SYSTEM_METADATA) {
    if (system in metadata && metadata[system] === metadata[own]) delete metadata[system];
  }
  return metadata;
}

function positionOf(event: ClientRecordedEvent, commitPosition?: bigint): number {
  const commit = event.position?.commit ?? commitPosition;
  // Stream reads carry the $all position only from server 22.6 on; 0 ("before the first event") otherwise.
  return commit !== undefined && commit >= 0n && commit < NO_POSITION ? Number(commit) : 0;
}

/** `created` is a `Date` in client 6.x (it converts the server's ticks); ticks are accepted too. */
function createdIso(created: Date | bigint | number | string | undefined): string {
  if (created instanceof Date) return created.toISOString();
  if (typeof created === 'bigint') return new Date(Number(created / TICKS_PER_MILLISECOND)).toISOString();
  if (typeof created === 'number') return new Date(Math.floor(created / 10_000)).toISOString();
  if (typeof created === 'string') return new Date(created).toISOString();
  return new Date(0).toISOString();
}

function toRecordedEvent(event: ClientRecordedEvent, commitPosition?: bigint): RecordedEvent {
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: positionOf(event, commitPosition),
    type: event.type,
    data: event.data,
    metadata: ownMetadata(event.metadata),
    created: createdIso(event.created),
  };
}

const isSystemEvent = (event: { streamId: string; type: string }): boolean =>
  event.streamId.startsWith('$') || event.type.startsWith('$');

/** `fieldRange` too is checked here, on the client: see docs/eventstoredb.md (Field filters) for what that costs. */
const wanted = (event: { streamId: string; type: string; data?: unknown; metadata?: unknown }, filter?: EventFilter): boolean =>
  !isSystemEvent(event) && matchesFilter({ stream: event.streamId, type: event.type, data: event.data, metadata: event.metadata }, filter);

/** An empty list of prefixes or types matches nothing. */
const canMatch = (filter?: EventFilter): boolean =>
  filter?.streamPrefixes?.length !== 0 && filter?.eventTypes?.length !== 0;

/**
 * One server-side filter per subscription: stream prefixes when given (they leave out system streams too), else
 * event-type prefixes, else "no system events". Prefixes are prefixes, so `matchesFilter` checks exact types and
 * whatever the server did not filter on.
 */
function serverFilter(filter?: EventFilter): Filter {
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  return excludeSystemEvents();
}

function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof WrongExpectedVersionError ||
    (error as { type?: unknown } | null)?.type === 'wrong-expected-version'
  );
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError || (error as { type?: unknown } | null)?.type === 'stream-not-found';
}

/**
 * Reading or subscribing to `$all` from a place that is no record boundary. Servers answer, by generation,
 * InvalidArgument "Trying to read from an invalid position.", or Unknown "Unexpected ReadAllResult: Error" /
 * "Unexpected FilteredReadAllResult: Error" (older servers; reported for 22.10), or Unknown
 * "Unexpected FilteredReadAllResult: InvalidPosition" (reported for 24.10); the 6.2 client wraps each as an
 * UnknownError whose message carries the details. Subscriptions are filtered calls, `readAll` unfiltered ones.
 */
function isInvalidPosition(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /invalid ?position|ReadAllResult(?:\.|: *)(?:Error|InvalidPosition)\b/i.test(message);
}

/**
 * The errors after which the 6.2 client itself reconnects (`Client.shouldReconnect`): the server is unavailable
 * (down, restarting, connection dropped), it cancelled the call, or it is not the leader (the client then connects
 * to the leader it named). A subscription interrupted by one of these is resumed; any other error is the caller's.
 */
function isTransient(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return (
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError ||
    type === 'unavailable' ||
    type === 'cancelled' ||
    type === 'not-leader'
  );
}

/** Exponential, bounded, with "equal jitter": between half and all of the bound, so waits never collapse to 0. */
function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const bound = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(bound / 2 + Math.random() * (bound / 2));
}
