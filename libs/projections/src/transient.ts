/**
 * Which failures of the stores are worth waiting out: a lock another process holds, a connection lost or not yet
 * made, a server electing a leader. Everything else (a corrupt file, a missing table, a bug in a projection) comes
 * back however long one waits, and is reported instead of retried.
 *
 * Judged from the error's own marks (codes, labels, types), not its class, so that this library needs none of the
 * drivers: better-sqlite3's SqliteError, the MongoDB driver's errors and the EventStoreDB client's. Wrapped errors
 * (ProjectionFailed and others) are judged by their `cause`.
 */
export function isTransientError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    if (transientItself(e as Marks)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

interface Marks {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly errorLabels?: unknown;
  readonly hasErrorLabel?: unknown;
}

/**
 * SQLITE_BUSY*: another connection holds the write lock, or committed after this transaction's snapshot began
 * (SQLITE_BUSY_SNAPSHOT, returned at once, without waiting for busy_timeout); SQLITE_LOCKED*: a lock within the
 * same connection or shared cache.
 */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/** Node's socket and DNS errors of a peer that is restarting or not reachable for a moment. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
]);

/** The MongoDB driver's labels for an operation that may succeed when tried again. */
const MONGO_LABELS = ['TransientTransactionError', 'RetryableWriteError', 'ResetPool', 'RetryableError', 'SystemOverloadedError'];

/** The driver's errors for a connection or server selection that failed (no server reachable, for now). */
const MONGO_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoOperationTimeoutError', 'MongoStalePrimaryError',
  'MongoPoolClearedError', 'MongoWaitQueueTimeoutError',
]);

/** The server codes the driver itself retries reads on (error.js, RETRYABLE_READ_ERROR_CODES), and WriteConflict. */
const MONGO_CODES = new Set([6, 7, 89, 91, 112, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** The EventStoreDB client's error types for a node unreachable, overloaded, or not (any longer) the leader. */
const ESDB_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']);

/** gRPC's own statuses UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), should a transport error arrive unconverted. */
const GRPC_CODES = new Set([4, 14]);

function transientItself(e: Marks): boolean {
  const name = typeof e.name === 'string' ? e.name : '';
  if (typeof e.code === 'string' && (SQLITE_TRANSIENT.test(e.code) || NETWORK_CODES.has(e.code))) return true;
  if (typeof e.hasErrorLabel === 'function') {
    const labelled = e.hasErrorLabel as (label: string) => boolean;
    if (MONGO_LABELS.some((label) => labelled.call(e, label))) return true;
  } else if (Array.isArray(e.errorLabels) && MONGO_LABELS.some((label) => (e.errorLabels as unknown[]).includes(label))) return true;
  if (MONGO_NAMES.has(name)) return true;
  if (name.startsWith('Mongo') && typeof e.code === 'number' && MONGO_CODES.has(e.code)) return true;
  if (typeof e.type === 'string' && ESDB_TYPES.has(e.type)) return true;
  if (typeof e.code === 'number' && GRPC_CODES.has(e.code) && 'metadata' in e && !name.startsWith('Mongo')) return true;
  return false;
}
