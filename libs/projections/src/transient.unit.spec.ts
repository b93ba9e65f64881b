import Database from 'better-sqlite3';
import { AccessDeniedError, NotLeaderError, UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { MongoNetworkError, MongoParseError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { ProjectionFailed } from './batch-applier.js';
import { retryDelay } from './runner.js';
import { isTransientError } from './transient.js';

const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('which store failures the projections wait out', () => {
  it.each([
    ['SQLite: another process committed during the transaction', new Database.SqliteError('database is locked', 'SQLITE_BUSY_SNAPSHOT')],
    ['SQLite: the lock held beyond busy_timeout', new Database.SqliteError('database is locked', 'SQLITE_BUSY')],
    ['SQLite: a table locked in the same connection', new Database.SqliteError('database table is locked', 'SQLITE_LOCKED')],
    ['a socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { code: 'ECONNREFUSED' })],
    ['MongoDB: connection lost', new MongoNetworkError('connection 3 to 10.0.0.5:27017 closed')],
    ['MongoDB: no primary to select', new MongoServerSelectionError('Server selection timed out after 30000 ms', { type: 'ReplicaSetNoPrimary' } as never)],
    ['MongoDB: primary stepped down', new MongoServerError({ code: 189, errmsg: 'primary stepped down' })],
    ['MongoDB: a transaction labelled transient', labelled(new MongoServerError({ code: 251, errmsg: 'NoSuchTransaction' }), 'TransientTransactionError')],
    ['EventStoreDB: node unavailable', new UnavailableError(undefined, 'Connection dropped')],
    ['EventStoreDB: not the leader', new NotLeaderError(Object.assign(new Error('not leader'), { code: 5, details: '', metadata: { getMap: () => ({ 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' }) } }) as never)],
    ['gRPC UNAVAILABLE, unconverted', grpc(14, 'UNAVAILABLE: No connection established')],
    ['a transient cause inside ProjectionFailed', new ProjectionFailed('proposals@2', 12, new Database.SqliteError('database is locked', 'SQLITE_BUSY'))],
  ])('waits out %s', (_, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['SQLite: a corrupt file', new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT')],
    ['SQLite: a missing table', new Database.SqliteError('no such table: c_proposals__doc', 'SQLITE_ERROR')],
    ['SQLite: a read-only file', new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY')],
    ['a bug in a projection', new ProjectionFailed('sessions@1', 3, new TypeError("Cannot read properties of undefined (reading 'year')"))],
    ['MongoDB: a duplicate key', new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' })],
    ['MongoDB: a bad URL', new MongoParseError('Invalid scheme')],
    ['EventStoreDB: access denied', new AccessDeniedError(undefined, 'Access denied')],
    ['EventStoreDB: wrong expected version', new WrongExpectedVersionError(undefined, { streamName: 's', current: BigInt(1), expected: BigInt(0) } as never)],
    ['gRPC INVALID_ARGUMENT', grpc(3, 'INVALID_ARGUMENT')],
    ['not an error at all', 'stopped'],
    ['nothing', undefined],
  ])('stops on %s', (_, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

function labelled(error: MongoServerError, label: string): MongoServerError {
  error.addErrorLabel(label);
  return error;
}

describe('the pause between retries', () => {
  it('doubles from the initial delay, with jitter between half and all of each step', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4].map((a) => retryDelay(a, { ...options, random: () => 0 }))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((a) => retryDelay(a, { ...options, random: () => 0.999999 }))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the ceiling, however many failures in a row', () => {
    for (const attempt of [8, 20, 100, 10_000]) {
      const delay = retryDelay(attempt, { initialDelayMs: 100, maxDelayMs: 10_000 });
      expect(delay).toBeGreaterThanOrEqual(5_000);
      expect(delay).toBeLessThanOrEqual(10_000);
    }
  });

  it('spreads runners that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelay(5)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
