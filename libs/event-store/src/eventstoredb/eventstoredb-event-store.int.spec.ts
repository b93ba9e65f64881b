import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

/**
 * The contract against a real EventStoreDB, e.g.
 * `EVENTSTORE_URL='esdb://localhost:2113?tls=false' NODE_OPTIONS=--experimental-vm-modules npx jest eventstoredb`.
 * Streams are named per run, so the server may already hold data.
 */
const url = process.env.EVENTSTORE_URL;

if (url) {
  jest.setTimeout(30_000);
  describeEventStoreContract('EventStoreDB', async () => EventStoreDbEventStore.connect(url));
} else {
  const reason =
    'skipped: EventStoreDB contract spec — EVENTSTORE_URL is not set (start one with docker compose -f docker/compose.yml up eventstoredb)';
  process.stdout.write(`${reason}\n`);
  describe('event store contract: EventStoreDB', () => {
    it(`is ${reason}`, () => {
      expect(url).toBeFalsy();
    });
  });
}
