import { describeReadStoreContract } from '../testing/read-store.contract.js';
import { MongoReadStore } from './mongodb-read-store.js';

/**
 * The contract against a real MongoDB replica set (transactions need one; a single node is enough), e.g.
 * `MONGODB_URL='mongodb://localhost:27017/cppcc_test?replicaSet=rs0&directConnection=true' NODE_OPTIONS=--experimental-vm-modules npx jest mongodb`.
 * Collections are named per run, but give it a database of its own: swapping a rebuild in replaces every live
 * checkpoint of the database, as the port specifies.
 */
const url = process.env.MONGODB_URL;

if (url) {
  jest.setTimeout(30_000);
  describeReadStoreContract('MongoDB', () => MongoReadStore.connect(url));
} else {
  const reason =
    'skipped: MongoDB read-store contract spec — MONGODB_URL is not set (start a replica set with docker compose -f docker/compose.yml up mongodb)';
  process.stdout.write(`${reason}\n`);
  describe('read store contract: MongoDB', () => {
    it(`is ${reason}`, () => {
      expect(url).toBeFalsy();
    });
  });
}
