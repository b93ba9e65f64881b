import { describeReadStoreContract } from '../read-store.contract.js';
import { SqliteReadStore } from './sqlite-read-store.js';

describeReadStoreContract('SQLite (in memory)', async () => new SqliteReadStore({ path: ':memory:' }));
