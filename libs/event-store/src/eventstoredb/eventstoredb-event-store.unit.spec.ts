import {
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  type AllStreamJSONRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type JSONEventData,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { DuplicateEventId, WrongExpectedRevision, type NewEvent, type RecordedEvent } from '../event-store.js';
import {
  EventStoreDbEventStore,
  type EsdbRead,
  type EsdbSubscription,
  type EventStoreDbClientLike,
  type SubscriptionInterruption,
} from './eventstoredb-event-store.js';

/** One record of the fake transaction log, kept as the server keeps it: JSON text, commit = prepare position. */
interface LogRecord {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly created: Date;
}

/**
 * A hand-written stand-in for `EventStoreDBClient`, doing what the server and client 6.2 are documented (and, for
 * the server's idempotence, coded) to do:
 * - appends check the expected revision and recognise a retry by its event ids (`IndexWriter.CheckCommit`:
 *   all ids already there = the first result; only some = "wrong expected version");
 * - `readStream` of a missing stream fails with `StreamNotFoundError` once iterated;
 * - `readAll` forwards starts AT the given position (inclusive), backwards excludes it, and a position that is no
 *   record boundary fails with the server's "invalid position";
 * - `subscribeToAll` starts after the position (exclusive), applies the prefix/regex filter, then follows appends;
 * - `$all` also holds system events (`$stats-…` streams, `$`-types).
 */
class FakeEsdbClient implements EventStoreDbClientLike {
  readonly log: LogRecord[] = [];
  readonly calls: { method: string; options: unknown }[] = [];
  readonly live = new Set<{ unsubscribed: boolean }>();
  disposed = false;
  private next = 1024n;
  private readonly wakeups = new Set<() => void>();

  private write(streamId: string, id: string, type: string, data: unknown, metadata: unknown, revision: bigint): LogRecord {
    const record: LogRecord = {
      streamId,
      id,
      type,
      data: JSON.stringify(data),
      metadata: metadata === undefined ? '' : JSON.stringify(metadata),
      revision,
      position: this.next,
      created: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, this.log.length)),
    };
    this.next += 80n + BigInt(record.data.length + record.metadata.length);
    this.log.push(record);
    return record;
  }

  /** Writes a system event, e.g. the statistics the server writes every few seconds. */
  systemEvent(streamId = '$stats-127.0.0.1:2113', type = '$statsCollected'): LogRecord {
    const revision = BigInt(this.log.filter((r) => r.streamId === streamId).length);
    const record = this.write(streamId, randomUUID(), type, {}, undefined, revision);
    this.wake();
    return record;
  }

  private wake(): void {
    for (const wake of [...this.wakeups]) wake();
  }

  async appendToStream(streamName: string, events: EventData[], options: AppendToStreamOptions = {}): Promise<ClientAppendResult> {
    this.calls.push({ method: 'appendToStream', options: { streamName, events, ...options } });
    const expected: AppendExpectedRevision = options.expectedRevision ?? 'any';
    const stored = this.log.filter((r) => r.streamId === streamName);
    const current = BigInt(stored.length - 1);
    const refuse = (): never => {
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current < 0n ? 'no_stream' : current,
      });
    };
    const repeat = (records: (LogRecord | undefined)[]): ClientAppendResult => {
      if (records.some((r) => r === undefined)) refuse();
      const last = records[records.length - 1] as LogRecord;
      return { success: true, nextExpectedRevision: last.revision, position: { commit: last.position, prepare: last.position } };
    };
    if (expected === 'stream_exists' && current < 0n) refuse();
    if (expected === 'any' || expected === 'stream_exists') {
      if (stored.some((r) => r.id === events[0].id)) return repeat(events.map((e) => stored.find((r) => r.id === e.id)));
    } else {
      const at = expected === 'no_stream' ? -1n : expected;
      if (at < current) return repeat(events.map((e, i) => stored[Number(at) + 1 + i]?.id === e.id ? stored[Number(at) + 1 + i] : undefined));
      if (at > current) refuse();
    }
    let last: LogRecord | undefined;
    events.forEach((e, i) => {
      const json = e as JSONEventData;
      last = this.write(streamName, e.id, e.type, json.data, json.metadata, current + 1n + BigInt(i));
    });
    this.wake();
    const record = last as LogRecord;
    return { success: true, nextExpectedRevision: record.revision, position: { commit: record.position, prepare: record.position } };
  }

  readStream(streamName: string, options: ClientReadStreamOptions = {}): EsdbRead<ResolvedEvent> {
    this.calls.push({ method: 'readStream', options: { streamName, ...options } });
    const log = this.log;
    return (async function* () {
      const stored = log.filter((r) => r.streamId === streamName);
      if (stored.length === 0) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const start = from === 'start' ? 0 : from === 'end' ? stored.length - 1 : Number(from);
      const page = backwards ? stored.slice(0, start + 1).reverse().slice(0, max) : stored.slice(start, start + max);
      for (const record of page) yield toResolved(record);
    })();
  }

  private indexOf(position: { commit: bigint }): number {
    const index = this.log.findIndex((r) => r.position === position.commit);
    if (index < 0) throw new UnknownError(undefined, '3 INVALID_ARGUMENT: Trying to read from an invalid position.');
    return index;
  }

  readAll(options: ClientReadAllOptions = {}): EsdbRead<AllStreamResolvedEvent> {
    this.calls.push({ method: 'readAll', options });
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const self = this;
    const read = (async function* () {
      let page: LogRecord[];
      if (backwards) {
        const before = from === 'end' ? self.log.length : from === 'start' ? 0 : self.indexOf(from);
        page = self.log.slice(0, before).reverse().slice(0, max);
      } else {
        const start = from === 'start' ? 0 : from === 'end' ? self.log.length : self.indexOf(from);
        page = self.log.slice(start, start + max);
      }
      for (const record of page) yield toResolved(record);
    })();
    return Object.assign(read, { cancel: async () => undefined });
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): EsdbSubscription {
    this.calls.push({ method: 'subscribeToAll', options });
    const self = this;
    const state = { unsubscribed: false };
    let wake: (() => void) | undefined;
    this.live.add(state);
    const events = (async function* () {
      const from = options.fromPosition ?? 'start';
      let index = from === 'start' ? 0 : from === 'end' ? self.log.length : self.indexOf(from) + 1;
      while (!state.unsubscribed) {
        if (index < self.log.length) {
          const record = self.log[index++];
          if (passes(options.filter, record)) yield toResolved(record);
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          self.wakeups.add(resolve);
        });
        if (wake) self.wakeups.delete(wake);
      }
    })();
    return {
      [Symbol.asyncIterator]: () => events,
      unsubscribe: async () => {
        state.unsubscribed = true;
        self.live.delete(state);
        wake?.();
      },
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

function passes(filter: Filter | undefined, record: LogRecord): boolean {
  if (!filter) return true;
  const value = filter.filterOn === 'streamName' ? record.streamId : record.type;
  return 'prefixes' in filter ? filter.prefixes.some((p) => value.startsWith(p)) : new RegExp(filter.regex).test(value);
}

function toResolved(record: LogRecord): AllStreamResolvedEvent {
  const event = {
    streamId: record.streamId,
    id: record.id,
    isJson: true,
    revision: record.revision,
    type: record.type,
    created: record.created,
    data: JSON.parse(record.data),
    metadata: record.metadata === '' ? undefined : JSON.parse(record.metadata),
    position: { commit: record.position, prepare: record.position },
  } as AllStreamJSONRecordedEvent;
  return { event, commitPosition: record.position };
}

const newEvent = (type = 'proposal.visited.v1', metadata: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data: { n: 1 },
  metadata,
});

const take = async (iterable: AsyncIterable<RecordedEvent>, count: number): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = [];
  if (count === 0) return seen;
  for await (const e of iterable) {
    seen.push(e);
    if (seen.length === count) break;
  }
  return seen;
};

describe('EventStoreDbEventStore at the client boundary', () => {
  let client: FakeEsdbClient;
  let store: EventStoreDbEventStore;

  beforeEach(() => {
    client = new FakeEsdbClient();
    store = new EventStoreDbEventStore(client, { pageSize: 3 });
  });
  afterEach(async () => {
    await store.close();
  });

  const appendOptions = () =>
    client.calls.filter((c) => c.method === 'appendToStream').map((c) => c.options as { expectedRevision: unknown; events: EventData[] });

  describe('append', () => {
    it('maps the four kinds of expected revision to the client constants and a bigint', async () => {
      await store.append('proposal-t:a', [newEvent()], 'no_stream');
      await store.append('proposal-t:a', [newEvent()], 0);
      await store.append('proposal-t:a', [newEvent()], 'stream_exists');
      await store.append('proposal-t:a', [newEvent()], 'any');
      await store.append('proposal-t:a', [newEvent()]);
      expect(appendOptions().map((o) => o.expectedRevision)).toEqual(['no_stream', 0n, 'stream_exists', 'any', 'any']);
    });

    it('sends JSON events under the caller ids and returns revision and commit position as numbers', async () => {
      const [a, b] = [newEvent('proposal.filed.v1'), newEvent()];
      const result = await store.append('proposal-t:a', [a, b], 'no_stream');
      const sent = appendOptions()[0].events;
      expect(sent.map((e) => [e.id, e.type, e.contentType])).toEqual([
        [a.id, 'proposal.filed.v1', 'application/json'],
        [b.id, 'proposal.visited.v1', 'application/json'],
      ]);
      expect(result).toEqual({ nextExpectedRevision: 1, position: Number(client.log[1].position) });
    });

    it('adds $correlationId and $causationId to the stored metadata and strips them on read', async () => {
      const metadata = { correlationId: 'c-1', causationId: 'k-1', actor: { id: 'u-1', role: 'unit' } };
      const plain = { actor: { id: 'u-2' } };
      await store.append('proposal-t:a', [newEvent('proposal.filed.v1', metadata), newEvent('proposal.visited.v1', plain)], 'no_stream');
      expect(JSON.parse(client.log[0].metadata)).toEqual({ ...metadata, $correlationId: 'c-1', $causationId: 'k-1' });
      expect(JSON.parse(client.log[1].metadata)).toEqual(plain);
      const read = await store.readStream('proposal-t:a');
      expect(read.map((e) => e.metadata)).toEqual([metadata, plain]);
      expect((await store.readAll()).map((e) => e.metadata)).toEqual([metadata, plain]);
    });

    it('turns WrongExpectedVersionError into WrongExpectedRevision naming the actual revision', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent()], 'no_stream');
      await expect(store.append('proposal-t:a', [newEvent()], 0)).rejects.toMatchObject({
        name: 'WrongExpectedRevision',
        stream: 'proposal-t:a',
        expected: 0,
        actual: 1,
      });
      const refused = store.append('proposal-t:b', [newEvent()], 'stream_exists');
      await expect(refused).rejects.toBeInstanceOf(WrongExpectedRevision);
      await expect(refused).rejects.toMatchObject({ actual: 'no_stream' });
    });

    it('reads the actual revision from a WrongExpectedVersionError thrown by the client', async () => {
      client.appendToStream = async () => {
        throw new WrongExpectedVersionError(undefined, { streamName: 'proposal-t:a', expected: 3n, current: 7n });
      };
      client.readStream = () => (async function* () {})();
      await expect(store.append('proposal-t:a', [newEvent()], 3)).rejects.toMatchObject({ expected: 3, actual: 7 });
    });

    it('treats an unsuccessful result (throwOnAppendFailure: false) as a refusal, looking the revision up', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent(), newEvent()], 'no_stream');
      client.appendToStream = async () => ({ success: false, nextExpectedRevision: 1n, position: undefined });
      await expect(store.append('proposal-t:a', [newEvent()], 0)).rejects.toMatchObject({ actual: 2 });
    });

    it('answers a retry with the first result, and refuses ids that repeat only part of an earlier append', async () => {
      const batch = [newEvent(), newEvent()];
      await store.append('proposal-t:a', [newEvent()], 'no_stream');
      const first = await store.append('proposal-t:a', batch, 0);
      expect(await store.append('proposal-t:a', batch, 0)).toEqual(first);
      expect(await store.append('proposal-t:a', batch, 'any')).toEqual(first);
      await expect(store.append('proposal-t:a', [batch[1], newEvent()], 'any')).rejects.toBeInstanceOf(DuplicateEventId);
      await expect(store.append('proposal-t:a', [batch[0], newEvent()], 0)).rejects.toMatchObject({
        name: 'DuplicateEventId',
      });
      expect(await store.readStream('proposal-t:a')).toHaveLength(3);
    });

    it('looks the position up when the server reports none', async () => {
      const appendToStream = client.appendToStream.bind(client);
      client.appendToStream = async (...args) => ({ ...(await appendToStream(...args)), position: undefined });
      const { position } = await store.append('proposal-t:a', [newEvent(), newEvent()], 'no_stream');
      expect(position).toBe(Number(client.log[1].position));
    });

    it('refuses an empty append without calling the server', async () => {
      await expect(store.append('proposal-t:a', [], 'any')).rejects.toBeInstanceOf(RangeError);
      expect(appendOptions()).toHaveLength(0);
    });
  });

  describe('readStream', () => {
    it('returns [] for a stream the server does not know', async () => {
      expect(await store.readStream('proposal-t:missing')).toEqual([]);
    });

    it('passes fromRevision as a bigint and maxCount, and converts every field', async () => {
      const events = [newEvent('proposal.filed.v1', { correlationId: 'c' }), newEvent(), newEvent(), newEvent()];
      await store.append('proposal-t:a', events, 'no_stream');
      const part = await store.readStream('proposal-t:a', { fromRevision: 1, maxCount: 2 });
      const call = client.calls.filter((c) => c.method === 'readStream').pop()?.options;
      expect(call).toMatchObject({ fromRevision: 1n, maxCount: 2, direction: 'forwards' });
      expect(part).toEqual([1, 2].map((i) => ({
        id: events[i].id,
        stream: 'proposal-t:a',
        revision: i,
        position: Number(client.log[i].position),
        type: 'proposal.visited.v1',
        data: { n: 1 },
        metadata: {},
        created: client.log[i].created.toISOString(),
      })));
    });

    it('rethrows other errors', async () => {
      client.readStream = () => (async function* () {
        throw new UnknownError(undefined, 'boom');
      })();
      await expect(store.readStream('proposal-t:a')).rejects.toThrow('boom');
    });
  });

  describe('readAll', () => {
    it('starts after fromPosition although the server starts at it, and skips system events', async () => {
      await store.append('proposal-t:a', [newEvent()], 'no_stream');
      client.systemEvent();
      await store.append('session-t:1', [newEvent('session.opened.v1')], 'no_stream');
      await store.append('proposal-t:a', [newEvent()], 0);
      client.systemEvent('$$proposal-t:a', '$metadata');
      const all = await store.readAll();
      expect(all.map((e) => e.stream)).toEqual(['proposal-t:a', 'session-t:1', 'proposal-t:a']);
      const before = client.calls.length;
      const after = await store.readAll({ fromPosition: all[0].position });
      expect(after.map((e) => e.position)).toEqual([all[1].position, all[2].position]);
      const call = client.calls.slice(before).find((c) => c.method === 'readAll')?.options as ClientReadAllOptions;
      expect(call.fromPosition).toEqual({ commit: BigInt(all[0].position), prepare: BigInt(all[0].position) });
    });

    it('pages through $all and honours maxCount', async () => {
      for (let i = 0; i < 7; i++) await store.append(`proposal-t:${i}`, [newEvent()], 'no_stream');
      const all = await store.readAll();
      expect(all).toHaveLength(7);
      expect(new Set(all.map((e) => e.position)).size).toBe(7);
      expect((await store.readAll({ maxCount: 5 })).map((e) => e.position)).toEqual(all.slice(0, 5).map((e) => e.position));
      expect(await store.readAll({ maxCount: 0 })).toEqual([]);
    });

    it('filters by stream prefix and exact event type on this side (the 6.2 client reads $all unfiltered)', async () => {
      await store.append('proposal-t:a', [newEvent('proposal.filed.v1'), newEvent('proposal.filed.v10')], 'no_stream');
      await store.append('session-t:1', [newEvent('proposal.filed.v1')], 'no_stream');
      await store.append('proposal-u:b', [newEvent('proposal.filed.v1')], 'no_stream');
      const filed = await store.readAll({ filter: { streamPrefixes: ['proposal-t:'], eventTypes: ['proposal.filed.v1'] } });
      expect(filed.map((e) => `${e.stream}/${e.type}`)).toEqual(['proposal-t:a/proposal.filed.v1']);
      expect(await store.readAll({ filter: { eventTypes: [] } })).toEqual([]);
      expect(client.calls.filter((c) => c.method === 'readAll').every((c) => !('filter' in (c.options as object)))).toBe(true);
    });

    it('falls back to a scan from the start when the position is no record boundary', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent(), newEvent()], 'no_stream');
      const all = await store.readAll();
      const two = await store.readAll({ fromPosition: all[0].position - 1, maxCount: 2 });
      expect(two.map((e) => e.position)).toEqual([all[0].position, all[1].position]);
      const rest = await store.readAll({ fromPosition: all[0].position + 1 });
      expect(rest.map((e) => e.position)).toEqual([all[1].position, all[2].position]);
    });
  });

  describe('subscribeToAll', () => {
    it('catches up from the position (START for 0), then follows appends until unsubscribed', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent()], 'no_stream');
      const subscription = store.subscribeToAll();
      const received = take(subscription, 4);
      await new Promise((r) => setTimeout(r, 10));
      client.systemEvent();
      await store.append('proposal-t:b', [newEvent()], 'no_stream');
      await store.append('proposal-t:a', [newEvent()], 1);
      const seen = await received;
      expect(seen.map((e) => `${e.stream}@${e.revision}`)).toEqual(['proposal-t:a@0', 'proposal-t:a@1', 'proposal-t:b@0', 'proposal-t:a@2']);
      const call = client.calls.find((c) => c.method === 'subscribeToAll')?.options as SubscribeToAllOptions;
      expect(call.fromPosition).toBe('start');
      expect(call.filter).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
      expect(client.live.size).toBe(0);
    });

    it('starts after a checkpoint, passing it as {commit, prepare}', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent(), newEvent()], 'no_stream');
      const all = await store.readAll();
      const seen = await take(store.subscribeToAll({ fromPosition: all[0].position }), 2);
      expect(seen.map((e) => e.position)).toEqual([all[1].position, all[2].position]);
      const call = client.calls.find((c) => c.method === 'subscribeToAll')?.options as SubscribeToAllOptions;
      expect(call.fromPosition).toEqual({ commit: BigInt(all[0].position), prepare: BigInt(all[0].position) });
    });

    it('filters on the server by stream prefix, else by event-type prefix, and checks exact types here', async () => {
      await store.append('proposal-t:a', [newEvent('proposal.filed.v10'), newEvent('proposal.filed.v1')], 'no_stream');
      await store.append('session-t:1', [newEvent('proposal.filed.v1')], 'no_stream');
      await store.append('proposal-t:b', [newEvent('proposal.answered.v1')], 'no_stream');

      const byType = await take(store.subscribeToAll({ filter: { eventTypes: ['proposal.filed.v1', 'proposal.answered.v1'] } }), 3);
      expect(byType.map((e) => `${e.stream}/${e.type}`)).toEqual([
        'proposal-t:a/proposal.filed.v1',
        'session-t:1/proposal.filed.v1',
        'proposal-t:b/proposal.answered.v1',
      ]);
      const both = await take(
        store.subscribeToAll({ filter: { streamPrefixes: ['proposal-t:'], eventTypes: ['proposal.filed.v1'] } }),
        1,
      );
      expect(both.map((e) => `${e.stream}/${e.type}`)).toEqual(['proposal-t:a/proposal.filed.v1']);

      const filters = client.calls.filter((c) => c.method === 'subscribeToAll').map((c) => (c.options as SubscribeToAllOptions).filter);
      expect(filters).toEqual([
        expect.objectContaining({ filterOn: 'eventType', prefixes: ['proposal.filed.v1', 'proposal.answered.v1'] }),
        expect.objectContaining({ filterOn: 'streamName', prefixes: ['proposal-t:'] }),
      ]);
    });

    it('ends a waiting iteration on unsubscribe and releases the client subscription', async () => {
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['proposal-t:'] } });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((r) => setTimeout(r, 10));
      expect(client.live.size).toBe(1);
      await subscription.unsubscribe();
      expect(await next).toEqual({ done: true, value: undefined });
      expect(client.live.size).toBe(0);
      await store.append('proposal-t:a', [newEvent()], 'no_stream');
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('resubscribes from the start, skipping up to the position, when it is no record boundary', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent()], 'no_stream');
      const all = await store.readAll();
      const seen = await take(store.subscribeToAll({ fromPosition: all[0].position + 1 }), 1);
      expect(seen.map((e) => e.position)).toEqual([all[1].position]);
      const starts = client.calls.filter((c) => c.method === 'subscribeToAll').map((c) => (c.options as SubscribeToAllOptions).fromPosition);
      expect(starts).toEqual([{ commit: BigInt(all[0].position + 1), prepare: BigInt(all[0].position + 1) }, 'start']);
    });

    it('passes errors the client does not reconnect on to the iteration, without subscribing again', async () => {
      let calls = 0;
      client.subscribeToAll = () => {
        calls += 1;
        const failing = (async function* (): AsyncGenerator<AllStreamResolvedEvent> {
          throw new UnknownError(undefined, '13 INTERNAL: boom');
        })();
        return { [Symbol.asyncIterator]: () => failing, unsubscribe: async () => undefined };
      };
      await expect(take(store.subscribeToAll({ fromPosition: 1024 }), 1)).rejects.toThrow('boom');
      expect(calls).toBe(1);
    });

    it('resubscribes after the last event received, backing off exponentially with jitter up to the bound', async () => {
      await store.append('proposal-t:a', [newEvent(), newEvent()], 'no_stream');
      const interruptions: SubscriptionInterruption[] = [];
      const delays = { initialDelayMs: 2, maxDelayMs: 16 };
      const backingOff = new EventStoreDbEventStore(client, {
        resubscribe: { ...delays, onInterruption: (i) => interruptions.push(i) },
      });
      const subscribe = client.subscribeToAll.bind(client);
      const starts: unknown[] = [];
      let call = 0;
      client.subscribeToAll = (options) => {
        starts.push(options?.fromPosition);
        call += 1;
        // Calls 1 and 8 deliver one event each, then the server ends them; calls 2–7 fail as if the node were down.
        if (call === 1 || call === 8) {
          const events = subscribe(options)[Symbol.asyncIterator]();
          const once = (async function* () {
            const first = await events.next();
            if (!first.done) yield first.value;
          })();
          return { [Symbol.asyncIterator]: () => once, unsubscribe: async () => undefined };
        }
        if (call < 8) {
          const failing = (async function* (): AsyncGenerator<AllStreamResolvedEvent> {
            throw new UnavailableError(undefined, '14 UNAVAILABLE: No connection established');
          })();
          return { [Symbol.asyncIterator]: () => failing, unsubscribe: async () => undefined };
        }
        return subscribe(options);
      };
      const seen = await take(backingOff.subscribeToAll(), 2);
      const all = await store.readAll();
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      const first = { commit: BigInt(all[0].position), prepare: BigInt(all[0].position) };
      expect(starts).toEqual(['start', ...Array(7).fill(first)]);
      expect(interruptions.map((i) => [i.attempt, i.error === undefined, i.resumeAfter])).toEqual([
        [1, true, all[0].position],
        ...[2, 3, 4, 5, 6, 7].map((attempt) => [attempt, false, all[0].position]),
      ]);
      interruptions.forEach(({ attempt, delayMs }) => {
        const bound = Math.min(delays.maxDelayMs, delays.initialDelayMs * 2 ** (attempt - 1));
        expect(delayMs).toBeGreaterThanOrEqual(bound / 2);
        expect(delayMs).toBeLessThanOrEqual(bound);
      });
      await backingOff.close();
    });

    it('is ended by close, which disposes the client', async () => {
      const subscription = store.subscribeToAll();
      const next = subscription[Symbol.asyncIterator]().next();
      await new Promise((r) => setTimeout(r, 10));
      await store.close();
      expect(await next).toEqual({ done: true, value: undefined });
      expect(client.disposed).toBe(true);
      expect(client.live.size).toBe(0);
    });
  });

  describe('headPosition', () => {
    it('is 0 for an empty store and for one holding only system events', async () => {
      expect(await store.headPosition()).toBe(0);
      client.systemEvent();
      expect(await store.headPosition()).toBe(0);
    });

    it('is the position of the newest event that is not a system event, however many system events follow', async () => {
      const { position } = await store.append('proposal-t:a', [newEvent()], 'no_stream');
      for (let i = 0; i < 7; i++) client.systemEvent();
      expect(await store.headPosition()).toBe(position);
      const call = client.calls.find((c) => c.method === 'readAll')?.options;
      expect(call).toMatchObject({ direction: 'backwards', fromPosition: 'end' });
    });
  });

  it('converts created (a Date in client 6.x) to ISO 8601', async () => {
    await store.append('proposal-t:a', [newEvent()], 'no_stream');
    const [event] = await store.readStream('proposal-t:a');
    expect(event.created).toBe('2025-01-02T03:04:05.000Z');
  });
});

describeEventStoreContract('EventStoreDB adapter over the fake client', async () => new EventStoreDbEventStore(new FakeEsdbClient()));
