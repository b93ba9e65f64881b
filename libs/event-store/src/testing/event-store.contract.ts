import { randomUUID } from 'node:crypto';
import {
  DuplicateEventId,
  WrongExpectedRevision,
  type EventStore,
  type FieldIndex,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
} from '../event-store.js';

/** The indexes a store may keep for the contract's `fieldRange` filters: with them or without, the same events. */
export const CONTRACT_FIELD_INDEXES: readonly FieldIndex[] = [
  { eventTypes: ['proposal.filed.v1', 'proposal.filed.v2'], field: 'data.session' },
  { eventTypes: ['proposal.followed-up.v1'], field: 'metadata.occurredAt' },
];

/**
 * The behaviour every event-store adapter owes the application. Runs against each adapter; streams are named
 * per run so that it can also run against a shared server that already holds data.
 */
export function describeEventStoreContract(adapter: string, open: () => Promise<EventStore>): void {
  describe(`event store contract: ${adapter}`, () => {
    let store: EventStore;
    let run: string;
    const stream = (name: string) => `proposal-c${run}:${name}`;
    const prefix = () => `proposal-c${run}:`;
    const event = (type = 'proposal.visited.v1', data: unknown = { n: 1 }): NewEvent => ({
      id: randomUUID(),
      type,
      data,
      metadata: { correlationId: randomUUID(), actor: { id: 'u-1', role: 'unit' } },
    });
    const ofRun = (events: RecordedEvent[]) => events.filter((e) => e.stream.startsWith(prefix()));

    beforeEach(async () => {
      store = await open();
      run = randomUUID().slice(0, 8);
    });
    afterEach(async () => {
      await store.close();
    });

    it('appends to a new stream from revision 0 and reads it back in order with data and metadata', async () => {
      const [a, b] = [event('proposal.filed.v1', { title: '垃圾分类' }), event()];
      const first = await store.append(stream('a'), [a], 'no_stream');
      const second = await store.append(stream('a'), [b], 0);
      expect(first.nextExpectedRevision).toBe(0);
      expect(second.nextExpectedRevision).toBe(1);
      expect(second.position).toBeGreaterThan(first.position);
      const read = await store.readStream(stream('a'));
      expect(read.map((e) => [e.id, e.revision, e.type])).toEqual([
        [a.id, 0, 'proposal.filed.v1'],
        [b.id, 1, 'proposal.visited.v1'],
      ]);
      expect(read[0].data).toEqual({ title: '垃圾分类' });
      expect(read[0].metadata).toEqual(a.metadata);
      expect(read[1].position).toBe(second.position);
    });

    it('refuses an append whose expected revision does not match, naming the actual revision', async () => {
      await store.append(stream('a'), [event(), event()], 'no_stream');
      await expect(store.append(stream('a'), [event()], 0)).rejects.toMatchObject({
        name: 'WrongExpectedRevision',
        actual: 1,
      });
      await expect(store.append(stream('a'), [event()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevision);
      await expect(store.append(stream('b'), [event()], 'stream_exists')).rejects.toMatchObject({ actual: 'no_stream' });
      await expect(store.append(stream('b'), [event()], 3)).rejects.toBeInstanceOf(WrongExpectedRevision);
      expect(await store.readStream(stream('a'))).toHaveLength(2);
      expect(await store.readStream(stream('b'))).toEqual([]);
    });

    it('accepts any and stream_exists when they hold', async () => {
      await store.append(stream('a'), [event()], 'any');
      await store.append(stream('a'), [event()], 'stream_exists');
      expect((await store.append(stream('a'), [event()], 'any')).nextExpectedRevision).toBe(2);
    });

    it('treats a retried append of the same event ids as a no-op with the first result', async () => {
      const batch = [event(), event()];
      await store.append(stream('a'), [event()], 'no_stream');
      const first = await store.append(stream('a'), batch, 0);
      const again = await store.append(stream('a'), batch, 0);
      const anyAgain = await store.append(stream('a'), batch, 'any');
      expect(again).toEqual(first);
      expect(anyAgain).toEqual(first);
      expect(await store.readStream(stream('a'))).toHaveLength(3);
    });

    it('refuses ids that repeat only part of an earlier append', async () => {
      const [x, y] = [event(), event()];
      await store.append(stream('a'), [x, y], 'no_stream');
      await expect(store.append(stream('a'), [y, event()], 'any')).rejects.toBeInstanceOf(DuplicateEventId);
      expect(await store.readStream(stream('a'))).toHaveLength(2);
    });

    it('lets exactly one of two concurrent writers with the same expected revision win', async () => {
      await store.append(stream('a'), [event()], 'no_stream');
      const outcomes = await Promise.allSettled([
        store.append(stream('a'), [event()], 0),
        store.append(stream('a'), [event()], 0),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(WrongExpectedRevision);
      expect((await store.readStream(stream('a'))).map((e) => e.revision)).toEqual([0, 1]);
    });

    it('reads a stream from a revision, at most a count', async () => {
      await store.append(stream('a'), [event(), event(), event(), event()], 'no_stream');
      const part = await store.readStream(stream('a'), { fromRevision: 1, maxCount: 2 });
      expect(part.map((e) => e.revision)).toEqual([1, 2]);
    });

    it('orders $all by position across streams, exclusive of the starting position, with filters', async () => {
      await store.append(stream('a'), [event('proposal.filed.v1')], 'no_stream');
      await store.append(`session-c${run}:6-3`, [event('session.opened.v1')], 'no_stream');
      await store.append(stream('b'), [event('proposal.filed.v1'), event()], 'no_stream');
      await store.append(stream('a'), [event()], 0);
      const all = (await store.readAll()).filter((e) => e.stream.includes(`c${run}:`));
      expect(all.map((e) => `${e.stream.replace(`c${run}:`, '')}@${e.revision}`)).toEqual([
        'proposal-a@0',
        'session-6-3@0',
        'proposal-b@0',
        'proposal-b@1',
        'proposal-a@1',
      ]);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);

      const after = ofRun(await store.readAll({ fromPosition: all[1].position }));
      expect(after.map((e) => e.position)).toEqual(positions.slice(2));
      const ofThisRun = { streamPrefixes: [prefix(), `session-c${run}:`] };
      const two = await store.readAll({ fromPosition: all[0].position, maxCount: 2, filter: ofThisRun });
      expect(two.map((e) => e.position)).toEqual(positions.slice(1, 3));

      const proposals = await store.readAll({ filter: { streamPrefixes: [prefix()] } });
      expect(proposals.map((e) => e.position)).toEqual([positions[0], positions[2], positions[3], positions[4]]);
      const filed = await store.readAll({ filter: { streamPrefixes: [prefix()], eventTypes: ['proposal.filed.v1'] } });
      expect(filed.map((e) => e.stream)).toEqual([stream('a'), stream('b')]);
    });

    describe('filtered by a field (fieldRange)', () => {
      const filed = (session: unknown, type = 'proposal.filed.v2'): NewEvent => event(type, { session, title: '垃圾分类' });
      const followedUp = (occurredAt: unknown): NewEvent => ({ ...event('proposal.followed-up.v1'), metadata: { occurredAt, actor: { id: 'u-1', role: 'unit' } } });
      const bySession = (from: string, to = from) => ({
        streamPrefixes: [prefix()],
        eventTypes: ['proposal.filed.v2', 'proposal.filed.v1'],
        fieldRange: { field: 'data.session' as const, from, to },
      });
      const names = (events: RecordedEvent[]) => events.map((e) => `${e.stream.replace(prefix(), '')}@${e.revision}`);

      it('reads the events holding one value, by position, page by page, whatever their stored version', async () => {
        await store.append(stream('a'), [filed('6-3'), event('proposal.registered.v1', { session: '6-3' })], 'no_stream');
        await store.append(stream('b'), [filed('6-2')], 'no_stream');
        await store.append(stream('c'), [filed('6-3', 'proposal.filed.v1')], 'no_stream');
        await store.append(`session-c${run}:6-3`, [event('proposal.filed.v2', { session: '6-3' })], 'no_stream');
        await store.append(stream('d'), [filed('6-30'), filed('6-3')], 'no_stream');
        const all = await store.readAll({ filter: bySession('6-3') });
        expect(names(all)).toEqual(['a@0', 'c@0', 'd@1']);
        const first = await store.readAll({ maxCount: 2, filter: bySession('6-3') });
        const rest = await store.readAll({ fromPosition: first[1].position, maxCount: 2, filter: bySession('6-3') });
        expect(names([...first, ...rest])).toEqual(['a@0', 'c@0', 'd@1']);
        expect(names(await store.readAll({ filter: { ...bySession('6-3'), eventTypes: ['proposal.filed.v1'] } }))).toEqual(['c@0']);
        expect(await store.readAll({ filter: bySession('6-4') })).toEqual([]);
      });

      it('reads a range of values, bounds included, compared by code point; only strings are in a range', async () => {
        await store.append(stream('a'), [followedUp('2018-12-31T23:59:59.999Z'), followedUp('2019-01-01T00:00:00.000Z')], 'no_stream');
        await store.append(stream('b'), [followedUp('2019-07-01T08:00:00+08:00'), followedUp(20190701), followedUp({ at: '2019-07-01' })], 'no_stream');
        await store.append(stream('c'), [followedUp('2019-12-31T23:59:59.999Z'), followedUp('2020-01-01T00:00:00.000Z')], 'no_stream');
        await store.append(stream('d'), [{ ...event('proposal.followed-up.v1'), metadata: {} }], 'no_stream');
        const year = (from: string, to: string) => ({
          streamPrefixes: [prefix()],
          eventTypes: ['proposal.followed-up.v1'],
          fieldRange: { field: 'metadata.occurredAt' as const, from, to },
        });
        expect(names(await store.readAll({ filter: year('2019-01-01T00:00:00.000Z', '2019-12-31T23:59:59.999Z') }))).toEqual(['a@1', 'b@0', 'c@0']);
        expect(names(await store.readAll({ maxCount: 1, filter: year('2019', '2019-\uffff') }))).toEqual(['a@1']);
        // UTF-16 puts 😀 (U+1F600, a surrogate pair) before U+E000; code points and UTF-8 put it after.
        await store.append(stream('e'), [filed('\u{1F600}'), filed('\ue000')], 'no_stream');
        expect(names(await store.readAll({ filter: bySession('\ue001', '\u{10FFFF}') }))).toEqual(['e@0']);
        expect(names(await store.readAll({ filter: bySession('\ue000', '\ue000') }))).toEqual(['e@1']);
      });

      it('subscribes with a field filter', async () => {
        const start = await store.headPosition();
        await store.append(stream('a'), [filed('6-2'), filed('6-3')], 'no_stream');
        const subscription = store.subscribeToAll({ fromPosition: start, filter: bySession('6-3') });
        for await (const e of subscription) {
          expect(names([e])).toEqual(['a@1']);
          break;
        }
        await subscription.unsubscribe();
      });
    });

    it('reports the head position', async () => {
      const { position } = await store.append(stream('a'), [event(), event()], 'no_stream');
      expect(await store.headPosition()).toBeGreaterThanOrEqual(position);
    });

    describe('subscription to $all', () => {
      const take = async (subscription: Subscription, count: number): Promise<RecordedEvent[]> => {
        const seen: RecordedEvent[] = [];
        for await (const e of subscription) {
          if (!e.stream.startsWith(prefix())) continue;
          seen.push(e);
          if (seen.length === count) break;
        }
        await subscription.unsubscribe();
        return seen;
      };

      it('catches up on what was written, then follows live appends', async () => {
        const start = await store.headPosition();
        await store.append(stream('a'), [event(), event()], 'no_stream');
        const subscription = store.subscribeToAll({ fromPosition: start, filter: { streamPrefixes: [prefix()] } });
        const received = take(subscription, 4);
        await new Promise((r) => setTimeout(r, 50));
        await store.append(stream('b'), [event()], 'no_stream');
        await store.append(stream('a'), [event()], 1);
        const seen = await received;
        expect(seen.map((e) => `${e.stream.slice(-1)}@${e.revision}`)).toEqual(['a@0', 'a@1', 'b@0', 'a@2']);
      });

      it('resumes from a checkpoint without losing or repeating an event', async () => {
        const start = await store.headPosition();
        for (let i = 0; i < 5; i++) await store.append(stream(`s${i}`), [event(), event()], 'no_stream');
        const firstHalf = await take(store.subscribeToAll({ fromPosition: start }), 4);
        const checkpoint = firstHalf[firstHalf.length - 1].position;
        const rest = await take(store.subscribeToAll({ fromPosition: checkpoint }), 6);
        const all = [...firstHalf, ...rest].map((e) => e.position);
        expect(new Set(all).size).toBe(10);
        expect(all).toEqual([...all].sort((x, y) => x - y));
        expect(all).toEqual(ofRun(await store.readAll({ fromPosition: start })).map((e) => e.position));
      });

      it('filters by event type on the server side of the subscription', async () => {
        const start = await store.headPosition();
        await store.append(stream('a'), [event('proposal.filed.v1'), event(), event('proposal.answered.v1')], 'no_stream');
        const subscription = store.subscribeToAll({
          fromPosition: start,
          filter: { eventTypes: ['proposal.filed.v1', 'proposal.answered.v1'] },
        });
        expect((await take(subscription, 2)).map((e) => e.type)).toEqual(['proposal.filed.v1', 'proposal.answered.v1']);
      });
    });
  });
}
