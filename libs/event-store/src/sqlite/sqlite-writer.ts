import type Database from 'better-sqlite3';
import type { ExpectedRevision } from '../event-store.js';

/** One append as the writer takes it: data and metadata already JSON text. */
export interface WriteRequest {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** The id the event at the expected revision must have (appendAfter); null when any will do. */
  readonly previousId: string | null;
  readonly events: readonly { readonly id: string; readonly type: string; readonly data: string; readonly metadata: string }[];
}

/** What became of one append of a group: written (or found already written), or refused on its own. */
export type WriteOutcome =
  | { readonly ok: true; readonly nextExpectedRevision: number; readonly position: number }
  | { readonly ok: false; readonly refused: 'revision'; readonly stream: string; readonly expected: ExpectedRevision; readonly actual: number | 'no_stream' }
  | { readonly ok: false; readonly refused: 'duplicate'; readonly stream: string; readonly eventId: string };

/**
 * The embedded store's writes: a group of appends in one transaction (BEGIN IMMEDIATE: the write lock first,
 * waiting for it (busy_timeout) if another process holds it; a deferred transaction that read the head first failed
 * at once with SQLITE_BUSY(_SNAPSHOT) when another process committed in between). Each append is checked against
 * its own expected revision; a refused one inserts nothing, so it needs no savepoint, and fails alone; a database
 * error aborts the whole group.
 *
 * Self-contained — no imports, nothing from the module around it — because the writer thread runs it from its
 * source text (WRITER_THREAD_SOURCE): refusals are plain outcomes, made into errors by the store.
 */
export function createWriter(db: Database.Database): (batch: readonly WriteRequest[]) => WriteOutcome[] {
  const head = db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck();
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const idsOf = db.prepare('SELECT id, revision, position FROM events WHERE stream = ? ORDER BY revision');
  const idAt = db.prepare('SELECT id FROM events WHERE stream = ? AND revision = ?').pluck();
  const one = (request: WriteRequest): WriteOutcome => {
    const { stream, expected } = request;
    if (request.previousId !== null && idAt.get(stream, expected) !== request.previousId) {
      // The event it was queued behind is not the one at its revision (refused, or another writer's took it).
      const last = head.get(stream) as number | null;
      return { ok: false, refused: 'revision', stream, expected, actual: last === null ? 'no_stream' : last };
    }
    return checked(request);
  };
  const checked = ({ stream, events, expected }: WriteRequest): WriteOutcome => {
    const last = head.get(stream) as number | null;
    const actual = last === null ? 'no_stream' : last;
    if (actual !== 'no_stream' && expected !== actual) {
      // EventStoreDB's idempotence: ids already appended to this stream right after the revision the caller
      // expects (or anywhere, for `any`) make the append a no-op answering what the first one did.
      const stored = idsOf.all(stream) as { id: string; revision: number; position: number }[];
      const start =
        typeof expected === 'number' ? expected + 1 : expected === 'no_stream' ? 0 : stored.findIndex((s) => s.id === events[0].id);
      if (start < 0 || stored[start]?.id !== events[0].id) {
        const clash = events.find((e) => stored.some((s) => s.id === e.id));
        if (clash && expected === 'any') return { ok: false, refused: 'duplicate', stream, eventId: clash.id };
      } else {
        for (let i = 0; i < events.length; i++)
          if (stored[start + i]?.id !== events[i].id) return { ok: false, refused: 'duplicate', stream, eventId: events[i].id };
        const repeated = stored[start + events.length - 1];
        return { ok: true, nextExpectedRevision: repeated.revision, position: repeated.position };
      }
    }
    const expectedHolds =
      expected === 'any' ||
      (expected === 'no_stream' && actual === 'no_stream') ||
      (expected === 'stream_exists' && actual !== 'no_stream') ||
      expected === actual;
    if (!expectedHolds) return { ok: false, refused: 'revision', stream, expected, actual };
    const created = new Date().toISOString();
    let revision = last === null ? -1 : last;
    let position = 0;
    for (const e of events) {
      revision += 1;
      position = Number(insert.run(stream, revision, e.id, e.type, e.data, e.metadata, created).lastInsertRowid);
    }
    return { ok: true, nextExpectedRevision: revision, position };
  };
  const commit = db.transaction((batch: readonly WriteRequest[]) => batch.map(one));
  return (batch) => commit.immediate(batch);
}

/**
 * A group as one flat array of strings and numbers, the cheapest shape to copy to another thread (a structured
 * clone of an object per append and per event cost several times more): stream, expected revision, previous id, event count,
 * then id, type, data, metadata of each event. Self-contained, like createWriter.
 */
export function flattenRequests(batch: readonly WriteRequest[]): unknown[] {
  const flat: unknown[] = [];
  for (const r of batch) {
    flat.push(r.stream, r.expected, r.previousId, r.events.length);
    for (const e of r.events) flat.push(e.id, e.type, e.data, e.metadata);
  }
  return flat;
}

export function unflattenRequests(flat: readonly unknown[]): WriteRequest[] {
  const batch: WriteRequest[] = [];
  for (let i = 0; i < flat.length; ) {
    const stream = flat[i++] as string;
    const expected = flat[i++] as ExpectedRevision;
    const previousId = flat[i++] as string | null;
    const count = flat[i++] as number;
    const events: WriteRequest['events'][number][] = [];
    for (let k = 0; k < count; k++, i += 4)
      events.push({ id: flat[i] as string, type: flat[i + 1] as string, data: flat[i + 2] as string, metadata: flat[i + 3] as string });
    batch.push({ stream, expected, previousId, events });
  }
  return batch;
}

/** Outcomes as four slots each: 0, revision, position, null · 1, stream, expected, actual · 2, stream, event id, null. */
export function flattenOutcomes(outcomes: readonly WriteOutcome[]): unknown[] {
  const flat: unknown[] = [];
  for (const o of outcomes) {
    if (o.ok) flat.push(0, o.nextExpectedRevision, o.position, null);
    else if (o.refused === 'revision') flat.push(1, o.stream, o.expected, o.actual);
    else flat.push(2, o.stream, o.eventId, null);
  }
  return flat;
}

export function unflattenOutcomes(flat: readonly unknown[]): WriteOutcome[] {
  const outcomes: WriteOutcome[] = [];
  for (let i = 0; i < flat.length; i += 4) {
    const [kind, a, b, c] = [flat[i], flat[i + 1], flat[i + 2], flat[i + 3]];
    if (kind === 0) outcomes.push({ ok: true, nextExpectedRevision: a as number, position: b as number });
    else if (kind === 1)
      outcomes.push({ ok: false, refused: 'revision', stream: a as string, expected: b as ExpectedRevision, actual: c as number | 'no_stream' });
    else outcomes.push({ ok: false, refused: 'duplicate', stream: a as string, eventId: b as string });
  }
  return outcomes;
}

/**
 * The writer thread: its own connection to the file, the same writer. It answers each group with its outcomes
 * once COMMIT has returned, or with the database error that aborted it.
 */
export const WRITER_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 10000');
const write = (${createWriter.toString()})(db);
const unflattenRequests = ${unflattenRequests.toString()};
const flattenOutcomes = ${flattenOutcomes.toString()};
parentPort.on('message', (flat) => {
  let reply;
  try {
    reply = { outcomes: flattenOutcomes(write(unflattenRequests(flat))) };
  } catch (error) {
    reply = { error: { message: error && error.message ? error.message : String(error), code: error && error.code } };
  }
  parentPort.postMessage(reply);
});
`;
