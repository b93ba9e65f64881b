import Database from 'better-sqlite3';
import { ensurePrivateFile } from '@app/config';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  checkExpectedRevision,
  DuplicateEventId,
  WrongExpectedRevision,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';

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
  stream: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: AppendResult } | { ok: false; error: unknown };

const SCHEMA_VERSION = 1;
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
 * (group commit), each still checked against its own expected revision; a promise resolves only after the
 * commit that made its events durable.
 */
export class SqliteEventStore implements EventStore {
  readonly db: Database.Database;
  private queue: PendingAppend[] = [];
  private readonly wakeups = new Set<() => void>();
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly stmt: ReturnType<SqliteEventStore['prepare']>;
  private readonly filtered = new Map<string, Database.Statement>();
  private readonly commitBatch: Database.Transaction<(batch: readonly PendingAppend[]) => Outcome[]>;

  constructor(options: SqliteEventStoreOptions) {
    // 0600 before SQLite creates it, so that its -wal and -shm files are 0600 too.
    if (options.path !== ':memory:') ensurePrivateFile(options.path);
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
    this.stmt = this.prepare();
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.commitBatch = this.db.transaction((batch: readonly PendingAppend[]) => batch.map((p) => this.tryAppend(p)));
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
      head: db.prepare('SELECT max(revision) AS revision FROM events WHERE stream = ?').pluck(),
      insert: db.prepare(
        'INSERT INTO events (stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // A bound `LIMIT -1` makes SQLite plan the lookup several times slower: one statement without a limit.
      byRevision: db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision'),
      byRevisionLimited: db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?'),
      idsOf: db.prepare('SELECT id, revision, position FROM events WHERE stream = ? ORDER BY revision'),
      all: db.prepare('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?'),
      headPosition: db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck(),
    };
  }

  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (events.length === 0) return Promise.reject(new RangeError('nothing to append'));
    return new Promise((resolve, reject) => {
      if (this.queue.push({ stream, events, expected: expectedRevision, resolve, reject }) === 1)
        setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.closed) return;
    let outcomes: Outcome[];
    try {
      // BEGIN IMMEDIATE: the write lock first, waiting for it (busy_timeout) if another process holds it. A deferred
      // transaction reads the head first and then fails at once with SQLITE_BUSY(_SNAPSHOT) when another process
      // committed in between (the replay beside the service), whatever busy_timeout says.
      outcomes = this.commitBatch.immediate(batch);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
    for (const wake of this.wakeups) wake();
  }

  /**
   * A refused append (wrong expected revision, duplicate ids) throws before it inserts anything, so it needs no
   * savepoint; a database error aborts the whole group transaction and fails every append in it.
   */
  private tryAppend(p: PendingAppend): Outcome {
    try {
      return { ok: true, value: this.appendInTransaction(p) };
    } catch (error) {
      if (error instanceof WrongExpectedRevision || error instanceof DuplicateEventId) return { ok: false, error };
      throw error;
    }
  }

  private appendInTransaction({ stream, events, expected }: PendingAppend): AppendResult {
    const head = this.stmt.head.get(stream) as number | null;
    const actual = head === null ? 'no_stream' : head;
    const repeat = this.findRepeat(stream, events, expected, actual);
    if (repeat) return repeat;
    checkExpectedRevision(stream, expected, actual);
    const created = new Date().toISOString();
    let revision = head ?? -1;
    let position = 0;
    for (const e of events) {
      revision += 1;
      const data = e.json ? e.json.data : JSON.stringify(e.data);
      const metadata = e.json ? e.json.metadata : JSON.stringify(e.metadata);
      const info = this.stmt.insert.run(stream, revision, e.id, e.type, data, metadata, created);
      position = Number(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /**
   * EventStoreDB's idempotence: when the ids were already appended to this stream, right after the revision the
   * caller expects (or anywhere, for `any`), the append is a no-op answering what the first one did.
   */
  private findRepeat(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    actual: number | 'no_stream',
  ): AppendResult | undefined {
    if (actual === 'no_stream' || expected === actual) return undefined;
    const stored = this.stmt.idsOf.all(stream) as { id: string; revision: number; position: number }[];
    const start =
      typeof expected === 'number' ? expected + 1 : expected === 'no_stream' ? 0 : stored.findIndex((s) => s.id === events[0].id);
    if (start < 0 || stored[start]?.id !== events[0].id) {
      const clash = events.find((e) => stored.some((s) => s.id === e.id));
      if (clash && expected === 'any') throw new DuplicateEventId(stream, clash.id);
      return undefined;
    }
    for (let i = 0; i < events.length; i++) {
      if (stored[start + i]?.id !== events[i].id) throw new DuplicateEventId(stream, events[i].id);
    }
    const last = stored[start + events.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
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
    const rows = filter ? (this.filteredStatement(filter).all(from, to, ...filterArgs(filter), max) as Row[])
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

  async headPosition(): Promise<number> {
    return this.stmt.headPosition.get() as number;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const wake of this.wakeups) wake();
    this.db.close();
  }
}

function filterArgs(filter: EventFilter): unknown[] {
  const args: unknown[] = [];
  for (const p of filter.streamPrefixes ?? []) args.push(p.length, p);
  args.push(...(filter.eventTypes ?? []));
  return args;
}
