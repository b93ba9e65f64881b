import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent, Subscription } from '../event-store.js';
import { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store.js';
import { FakeEsdbServer, STATUS, type InvalidPositionStyle } from '../testing/fake-esdb-server.js';

/**
 * The adapter over the REAL `@eventstore/db-client` 6.2.1, talking gRPC to a fake server on 127.0.0.1
 * (`testing/fake-esdb-server.ts`, built from the client's own service definitions). Faults are made at the wire —
 * a server ending the subscription call, answering UNAVAILABLE while it is down, dropping every connection on a
 * restart, redirecting to a leader — so what reaches the adapter is what the client makes of them.
 */

/** Short delays so that a dozen resubscriptions take milliseconds. */
const options: EventStoreDbEventStoreOptions = { resubscribe: { initialDelayMs: 2, maxDelayMs: 20 } };

const event = (type = 'proposal.visited.v1'): NewEvent => ({ id: randomUUID(), type, data: { n: 1 }, metadata: {} });
const events = (count: number): NewEvent[] => Array.from({ length: count }, () => event());

/** Follows a subscription in the background; `until(n)` fails at once if the iteration ends before n events. */
function follow(subscription: Subscription) {
  const received: RecordedEvent[] = [];
  let ended: { error?: unknown } | undefined;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const check of [...waiters]) check();
  };
  const finished = (async () => {
    try {
      for await (const e of subscription) {
        received.push(e);
        notify();
      }
      ended = {};
    } catch (error) {
      ended = { error };
    }
    notify();
    return ended;
  })();
  const until = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (received.length >= count) {
          waiters.delete(check);
          resolve();
        } else if (ended) {
          waiters.delete(check);
          const why = ended.error instanceof Error ? `threw ${ended.error.constructor.name}: ${ended.error.message}` : 'ended';
          reject(new Error(`the subscription ${why} after ${received.length} of ${count} events`));
        }
      };
      waiters.add(check);
      check();
    });
  return { received, until, finished };
}

describe('EventStoreDbEventStore over gRPC (real client 6.2.1, fake server)', () => {
  let server: FakeEsdbServer;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    server = new FakeEsdbServer();
    await server.start();
    store = EventStoreDbEventStore.connect(server.connectionString, options);
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
  });

  const proposals = () => server.log.filter((r) => r.streamId.startsWith('proposal-t:')).map((r) => r.id);

  it('resubscribes after the server ends the call, refuses, restarts or redirects: every event once, in order', async () => {
    await store.append('proposal-t:a', events(3), 'no_stream');
    server.write('$stats-127.0.0.1:2113', [{ type: '$statsCollected' }]);
    await store.append('session-t:1', [event('session.opened.v1')], 'no_stream');
    // 1. The first call is ended by the server (status OK) in the middle of the catch-up, after two events.
    server.cutNextSubscription(2);
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['proposal-t:'] } });
    const follower = follow(subscription);
    await follower.until(3);

    // 2. A live call ended by the server, then appends the adapter must catch up on.
    await server.until(() => server.subscribers === 1);
    server.endSubscriptions();
    await store.append('proposal-t:b', events(2), 'no_stream');
    await follower.until(5);

    // 3. The node goes down: the live call fails UNAVAILABLE and so does every new call for a while; others write.
    await server.until(() => server.subscribers === 1);
    server.down();
    server.write('proposal-t:c', [{ type: 'proposal.filed.v1' }, { type: 'proposal.visited.v1' }]);
    await server.until(() => server.refused >= 3);
    server.up();
    await follower.until(7);

    // 4. A restart: every connection dropped, nothing listening for a moment, an event written meanwhile.
    await server.until(() => server.subscribers === 1);
    await server.stop();
    server.write('proposal-t:d', [{ type: 'proposal.filed.v1' }]);
    await server.start();
    await follower.until(8);

    // 5. "Not leader": the client reconnects to the endpoint named in the trailers (this same server).
    await server.until(() => server.subscribers === 1);
    server.endSubscriptions({
      code: STATUS.NOT_FOUND,
      details: 'Leader info available',
      exception: 'not-leader',
      trailers: { 'leader-endpoint-host': '127.0.0.1', 'leader-endpoint-port': String(server.port) },
    });
    await store.append('proposal-t:a', events(2), 2);
    await follower.until(10);

    expect(follower.received.map((e) => e.id)).toEqual(proposals());
    const positions = follower.received.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(10);
    expect(server.calls.subscribe).toBeGreaterThanOrEqual(8);

    await subscription.unsubscribe();
    expect(await follower.finished).toEqual({});
    expect(follower.received).toHaveLength(10);
    await server.until(() => server.subscribers === 0);
  });

  it('keeps trying while the server is down and ends, without an error, when unsubscribed meanwhile', async () => {
    server.down();
    const subscription = store.subscribeToAll();
    const follower = follow(subscription);
    await Promise.race([
      server.until(() => server.refused >= 3),
      follower.finished.then((ended) => {
        throw new Error(`the subscription ended while the server was down: ${String(ended?.error ?? 'no error')}`);
      }),
    ]);
    await subscription.unsubscribe();
    expect(await follower.finished).toEqual({});
    const subscribeCalls = server.calls.subscribe;
    server.up();
    await store.append('proposal-t:a', events(1), 'no_stream');
    expect(server.calls.subscribe).toBe(subscribeCalls);
    expect(follower.received).toEqual([]);
  });

  it('stops with the error when the server refuses for good (access denied), without retrying', async () => {
    await store.append('proposal-t:a', events(2), 'no_stream');
    const follower = follow(store.subscribeToAll());
    await follower.until(2);
    server.endSubscriptions({ code: STATUS.PERMISSION_DENIED, details: 'Access Denied', exception: 'access-denied' });
    const ended = await follower.finished;
    expect(ended?.error).toMatchObject({ type: 'access-denied' });
    expect(server.calls.subscribe).toBe(1);
  });

  describe.each<[InvalidPositionStyle, string]>([
    ['invalid-argument', 'INVALID_ARGUMENT "Trying to read from an invalid position."'],
    ['result-error', 'UNKNOWN "Unexpected ReadAllResult: Error" / "Unexpected FilteredReadAllResult: Error"'],
    ['result-invalid-position', 'UNKNOWN "Unexpected (Filtered)ReadAllResult: InvalidPosition"'],
  ])('a position that is no record boundary, refused as %s', (style, answer) => {
    it(`falls back to a scan from the start for readAll and subscribeToAll (server answers ${answer})`, async () => {
      server.invalidPosition = style;
      await store.append('proposal-t:a', events(3), 'no_stream');
      const all = await store.readAll();
      const from = all[0].position + 1;

      expect((await store.readAll({ fromPosition: from })).map((e) => e.id)).toEqual([all[1].id, all[2].id]);

      const follower = follow(store.subscribeToAll({ fromPosition: from }));
      await follower.until(2);
      expect(follower.received.map((e) => e.id)).toEqual([all[1].id, all[2].id]);
      await store.append('proposal-t:a', events(1), 2);
      await follower.until(3);
      expect(follower.received.map((e) => e.id)).toEqual(proposals().slice(1));
      expect(server.calls.subscribe).toBe(2); // refused once, then from the start
    });
  });
});
