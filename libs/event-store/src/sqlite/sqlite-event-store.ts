import Database from 'better-sqlite3';
import { ensurePrivateFile } from '@app/config';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import {
  DuplicateEventId,
  WrongExpectedRevision,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type FieldIndex,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';
import { createWriter, flattenRequests, unflattenOutcomes, WRITER_THREAD_SOURCE, type WriteOutcome, type WriteRequest } from './sqlite-writer.js';
import { SqliteFieldIndexes } from './field-indexes.js';

export interface SqliteEventStoreOptions {
  /** A file path, or `:memory:` for tests. */
  readonly path: string;
  /**
   * `full` syncs the log to disk at every commit, so an acknowledged append survives a power cut;
   * `normal` survives a crash of the process but not of the machine.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How often a live subscription looks for appends made by other processes on the same file. */
  readonly pollIntervalMs?: number;
  /**
   * Whether groups of appends are written by a thread of their own (SQLITE_WRITER_THREAD; default true, never for
   * `:memory:`), so that their SQL, COMMIT and fsync leave the event loop.
   */
  readonly writerThread?: boolean;
  /** Indexes to keep (built on open when missing), for `fieldRange` filters: see field-indexes.ts. */
  readonly fieldIndexes?: readonly FieldIndex[];
  /** Where the store says what it does on open that takes a while (building an index); stderr by default. */
  readonly log?: (line: string) => void;
}

interface Row {
  position: number;
  stream: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  created: string;
}

interface PendingAppend {
  request: WriteRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A reply of the writer thread: the outcomes of the group it was sent, or the error that aborted it. */
type ThreadReply = { outcomes: unknown[] } | { error: { message: string; code?: string } };

const betterSqlite3Path = createRequire(import.meta.url).resolve('better-sqlite3');

const SCHEMA_VERSION = 1;
/**
 * How many appends make a group sent before the end of the turn. bench:append, 32 callers at synchronous=normal
 * (load 1.1-1.5): 20,100 and 21,953 commands/s sending at the end of the turn only; 27,429 (6), 26,785, 27,982 and
 * 30,394 (12), 26,669 (20).
 */
const EARLY_GROUP = 12;
const PAGE = 1000;

const toRecorded = (r: Row): RecordedEvent => ({
  id: r.id,
  stream: r.stream,
  revision: r.revision,
  position: r.position,
  type: r.type,
  data: JSON.parse(r.data),
  metadata: JSON.parse(r.metadata),
  created: r.created,
});

/**
 * The embedded event store: one SQLite file in WAL mode, no server.
 * Appends that arrive in the same turn of the event loop are committed together in one transaction
 * (group commit; an idle writer thread gets the first EARLY_GROUP of a turn at once), each still checked against
 * its own expected revision; a promise resolves only after the
 * commit that made its events durable. Groups go to a writer thread of the store's own (a lone append at
 * synchronous=normal is written at once on this thread), and the appends that arrive while it writes make the next
 * group: the event loop decides the next commands while the thread commits, and every group waits for one commit
 * (one fsync) only.
 */
export class SqliteEventStore implements EventStore {
  readonly db: Database.Database;
  private queue: PendingAppend[] = [];
  private readonly wakeups = new Set<() => void>();
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly stmt: ReturnType<SqliteEventStore['prepare']>;
  private readonly filtered = new Map<string, Database.Statement>();
  private readonly write: (batch: readonly WriteRequest[]) => WriteOutcome[];
  private threadOptions: { path: string; synchronous: string } | undefined;
  /**
   * The smallest group the thread writes. At synchronous=full every group, a lone append too: its fsync (a
   * millisecond or more) would stop the event loop. At normal a lone append is written here, where its commit costs
   * about what handing it to the thread and back would.
   */
  private readonly threadFrom: number;
  private thread: Worker | undefined;
  /** The group the writer thread is writing; appends arriving meanwhile wait in `queue` for the next one. */
  private writing: PendingAppend[] | undefined;
  private readonly idle: (() => void)[] = [];
  private closing = false;
  private readonly fields: SqliteFieldIndexes;

  constructor(options: SqliteEventStoreOptions) {
    // 0600 before SQLite creates it, so that its -wal and -shm files are 0600 too.
    if (options.path !== ':memory:') ensurePrivateFile(options.path);
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
    this.fields = new SqliteFieldIndexes(this.db, options.fieldIndexes ?? [], options.log ?? ((line) => process.stderr.write(`${line}\n`)));
    this.stmt = this.prepare();
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.write = createWriter(this.db);
    const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    this.threadOptions = options.path !== ':memory:' && options.writerThread !== false ? { path: options.path, synchronous } : undefined;
    this.threadFrom = synchronous === 'FULL' ? 1 : 2;
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY,
        stream   TEXT    NOT NULL,
        revision INTEGER NOT NULL,
        id       TEXT    NOT NULL,
        type     TEXT    NOT NULL,
        data     TEXT    NOT NULL,
        metadata TEXT    NOT NULL,
        created  TEXT    NOT NULL,
        UNIQUE (stream, revision)
      );
      CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `);
    const row = this.db.prepare(`SELECT value FROM store_info WHERE key = 'schema_version'`).get() as
      | { value: string }
      | undefined;
    if (!row) this.db.prepare(`INSERT INTO store_info VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    else if (Number(row.value) > SCHEMA_VERSION)
      throw new Error(`event store schema ${row.value} is newer than this build understands (${SCHEMA_VERSION})`);
  }

  private prepare() {
    const db = this.db;
    return {
      // A bound `LIMIT -1` makes SQLite plan the lookup several times slower: one statement without a limit.
      byRevision: db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision'),
      byRevisionLimited: db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?'),
      all: db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?'),
      headPosition: db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck(),
    };
  }

  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    return this.enqueue(stream, events, expectedRevision, null);
  }

  /** Checked in the same transaction as the append, so an append queued behind one of the same group is too. */
  appendAfter(stream: string, events: readonly NewEvent[], expectedRevision: number, previousId: string): Promise<AppendResult> {
    return this.enqueue(stream, events, expectedRevision, previousId);
  }

  private enqueue(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision, previousId: string | null): Promise<AppendResult> {
    if (this.closed || this.closing) return Promise.reject(new Error('event store is closed'));
    if (events.length === 0) return Promise.reject(new RangeError('nothing to append'));
    const request: WriteRequest = {
      stream,
      expected: expectedRevision,
      previousId,
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.json ? e.json.data : JSON.stringify(e.data),
        metadata: e.json ? e.json.metadata : JSON.stringify(e.metadata),
      })),
    };
    return new Promise((resolve, reject) => {
      const queued = this.queue.push({ request, resolve, reject });
      if (queued === 1 && !this.writing) setImmediate(() => this.flush());
      // An idle thread gets a group as soon as it holds EARLY_GROUP appends, not at the end of the turn: it commits
      // them while this thread decides the turn's other commands, which then make the next group, instead of the
      // two threads waiting for each other in turn.
      else if (queued >= EARLY_GROUP && !this.writing && this.thread) this.flush();
    });
  }

  /** Writes what has queued up: a lone append here and now, a group on the writer thread. */
  private flush(): void {
    if (this.writing || this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    const thread = batch.length >= this.threadFrom ? this.writerThread() : undefined;
    if (thread) {
      this.writing = batch;
      thread.ref();
      thread.postMessage(flattenRequests(batch.map((p) => p.request)));
      return;
    }
    let outcomes: WriteOutcome[];
    try {
      outcomes = this.write(batch.map((p) => p.request));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    this.settle(batch, outcomes);
  }

  private settle(batch: readonly PendingAppend[], outcomes: readonly WriteOutcome[]): void {
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve({ nextExpectedRevision: o.nextExpectedRevision, position: o.position });
      else if (o.refused === 'revision') p.reject(new WrongExpectedRevision(o.stream, o.expected, o.actual));
      else p.reject(new DuplicateEventId(o.stream, o.eventId));
    });
    for (const wake of this.wakeups) wake();
  }

  /** The writer thread, started with the first group; none for `:memory:`, when turned off, or after it failed. */
  private writerThread(): Worker | undefined {
    if (this.thread || !this.threadOptions) return this.thread;
    const thread = new Worker(WRITER_THREAD_SOURCE, { eval: true, workerData: { ...this.threadOptions, betterSqlite3: betterSqlite3Path } });
    thread.on('message', (reply: ThreadReply) => this.written(reply));
    thread.on('error', (error) => this.threadFailed(error));
    thread.on('exit', (code) => this.threadFailed(new Error(`the event store's writer thread exited (code ${code})`)));
    thread.unref();
    this.thread = thread;
    return thread;
  }

  private written(reply: ThreadReply): void {
    const batch = this.writing as PendingAppend[];
    this.writing = undefined;
    this.thread?.unref();
    if ('error' in reply) {
      const error = Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
      for (const p of batch) p.reject(error);
    } else this.settle(batch, unflattenOutcomes(reply.outcomes));
    // What arrived while the thread wrote is the next group: sent at once, so that the thread commits it while
    // this thread decides the commands just answered.
    this.flush();
    if (!this.writing) for (const done of this.idle.splice(0)) done();
  }

  /**
   * A writer thread that dies fails the group it held — nothing of it was acknowledged, and whether its COMMIT
   * landed is for a retry to find out (idempotent by event id) — and the store writes on this thread from then on.
   */
  private threadFailed(error: unknown): void {
    if (!this.thread) return;
    this.thread = undefined;
    this.threadOptions = undefined;
    const batch = this.writing;
    this.writing = undefined;
    for (const p of batch ?? []) p.reject(error);
    this.flush();
    if (!this.writing) for (const done of this.idle.splice(0)) done();
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    const rows = (
      options.maxCount === undefined
        ? this.stmt.byRevision.all(stream, from)
        : this.stmt.byRevisionLimited.all(stream, from, options.maxCount)
    ) as Row[];
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllUpTo(options.fromPosition ?? 0, Number.MAX_SAFE_INTEGER, options.maxCount ?? 1e9, options.filter);
  }

  private readAllUpTo(from: number, to: number, max: number, filter?: EventFilter): RecordedEvent[] {
    const rows = filter?.fieldRange ? (this.fields.read(from, to, max, filter, filter.fieldRange) as Row[])
      : filter ? (this.filteredStatement(filter).all(from, to, ...filterArgs(filter), max) as Row[])
      : (this.stmt.all.all(from, to, max) as Row[]);
    return rows.map(toRecorded);
  }

  private filteredStatement(filter: EventFilter): Database.Statement {
    const shape = `${filter.streamPrefixes?.length ?? -1}/${filter.eventTypes?.length ?? -1}`;
    let statement = this.filtered.get(shape);
    if (!statement) {
      const clauses: string[] = [];
      if (filter.streamPrefixes)
        clauses.push(`(${filter.streamPrefixes.map(() => 'substr(stream, 1, ?) = ?').join(' OR ') || '0'})`);
      if (filter.eventTypes) clauses.push(`type IN (${filter.eventTypes.map(() => '?').join(', ') || 'NULL'})`);
      statement = this.db.prepare(
        `SELECT * FROM events WHERE position > ? AND position <= ? AND ${clauses.join(' AND ') || '1'} ORDER BY position LIMIT ?`,
      );
      this.filtered.set(shape, statement);
    }
    return statement;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    let position = options.fromPosition ?? 0;
    let active = true;
    let wake: (() => void) | undefined;
    const onAppend = () => wake?.();
    this.wakeups.add(onAppend);
    const unsubscribe = async () => {
      active = false;
      this.wakeups.delete(onAppend);
      onAppend();
    };
    const iterate = async function* (this: SqliteEventStore): AsyncGenerator<RecordedEvent> {
      try {
        while (active && !this.closed) {
          const head = this.stmt.headPosition.get() as number;
          if (position >= head) {
            // Checking the head and arming the wake-up happen in one synchronous step: no append slips between.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, this.pollIntervalMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            continue;
          }
          const page = this.readAllUpTo(position, head, PAGE, options.filter);
          for (const event of page) {
            position = event.position;
            yield event;
            if (!active) return;
          }
          if (page.length < PAGE) position = head;
          await nextTurn();
        }
      } finally {
        this.wakeups.delete(onAppend);
      }
    }.call(this);
    return { [Symbol.asyncIterator]: () => iterate, unsubscribe };
  }

  indexed(filter: EventFilter): boolean {
    return filter.fieldRange !== undefined && this.fields.serves(filter.eventTypes, filter.fieldRange.field);
  }

  async headPosition(): Promise<number> {
    return this.stmt.headPosition.get() as number;
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    // Everything accepted is written (or refused) before the file closes.
    while (this.writing || this.queue.length > 0) {
      if (this.writing) await new Promise<void>((resolve) => this.idle.push(resolve));
      else this.flush();
    }
    this.closed = true;
    for (const wake of this.wakeups) wake();
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
    this.db.close();
  }

}

function filterArgs(filter: EventFilter): unknown[] {
  const args: unknown[] = [];
  for (const p of filter.streamPrefixes ?? []) args.push(p.length, p);
  args.push(...(filter.eventTypes ?? []));
  return args;
}
