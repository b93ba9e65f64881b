import { describeEventStoreContract } from '../testing/event-store.contract.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describeEventStoreContract('SQLite (in memory)', async () => new SqliteEventStore({ path: ':memory:' }));
