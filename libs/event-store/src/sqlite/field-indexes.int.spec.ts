import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventFilter, FieldIndex, NewEvent } from '../event-store.js';
import { SqliteFieldIndexes } from './field-indexes.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const BY_SESSION: FieldIndex = { eventTypes: ['proposal.filed.v2', 'proposal.filed.v1'], field: 'data.session' };
const filed = (session: string): NewEvent => ({ id: randomUUID(), type: 'proposal.filed.v2', data: { session }, metadata: {} });
const visited = (): NewEvent => ({ id: randomUUID(), type: 'proposal.visited.v1', data: { session: '6-3' }, metadata: {} });
const ofSession = (session: string): EventFilter => ({
  eventTypes: ['proposal.filed.v1', 'proposal.filed.v2'],
  fieldRange: { field: 'data.session', from: session, to: session },
});
const indexesOf = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_by_field_%'`).pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('SQLite field indexes', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'field-indexes-'));
    path = join(dir, 'events.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are built when an existing store is first opened with them, saying so and how long it took', async () => {
    const before = new SqliteEventStore({ path });
    await before.append('proposal-t:a', [filed('6-3'), visited()], 'no_stream');
    await before.append('proposal-t:b', [filed('6-2')], 'no_stream');
    expect(before.indexed(ofSession('6-3'))).toBe(false);
    await before.close();
    expect(indexesOf(path)).toEqual([]);

    const lines: string[] = [];
    const store = new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: (line) => lines.push(line) });
    expect(lines).toEqual([
      'event store: indexing data.session of proposal.filed.v1, proposal.filed.v2 over 3 events (first start with this index) …',
      expect.stringMatching(/^event store: indexed data\.session of proposal\.filed\.v1, proposal\.filed\.v2 in \d+\.\d s$/),
    ]);
    expect(store.indexed(ofSession('6-3'))).toBe(true);
    expect(store.indexed({ ...ofSession('6-3'), eventTypes: ['proposal.filed.v2', 'proposal.visited.v1'] })).toBe(false);
    expect((await store.readAll({ filter: ofSession('6-3') })).map((e) => e.stream)).toEqual(['proposal-t:a']);
    await store.close();
    expect(indexesOf(path)).toHaveLength(1);

    lines.length = 0;
    await new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: (line) => lines.push(line) }).close();
    expect(lines).toEqual([]);
  });

  it('stay up to date when a process that does not declare them appends', async () => {
    await new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: () => {} }).close();
    const older = new SqliteEventStore({ path });
    await older.append('proposal-t:c', [filed('6-3')], 'no_stream');
    await older.close();
    const store = new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: () => {} });
    expect((await store.readAll({ filter: ofSession('6-3') })).map((e) => e.stream)).toEqual(['proposal-t:c']);
    await store.close();
  });

  it('are dropped when an opener that declares indexes no longer declares them; an opener that declares none keeps them', async () => {
    await new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: () => {} }).close();
    const [built] = indexesOf(path);
    await new SqliteEventStore({ path, log: () => {} }).close();
    expect(indexesOf(path)).toEqual([built]);

    const lines: string[] = [];
    const changed: FieldIndex = { eventTypes: [...BY_SESSION.eventTypes, 'proposal.filed.v3'], field: 'data.session' };
    await new SqliteEventStore({ path, fieldIndexes: [changed], log: (line) => lines.push(line) }).close();
    expect(lines).toEqual([`event store: dropped ${built}, a field index no longer declared`]);
    expect(indexesOf(path)).toEqual([expect.not.stringMatching(built)]);
  });

  it('are left for a later start when another connection holds the write lock past the busy timeout; reads still answer', async () => {
    const before = new SqliteEventStore({ path });
    await before.append('proposal-t:a', [filed('6-3')], 'no_stream');
    await before.close();
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const lines: string[] = [];
    let store: SqliteEventStore | undefined;
    try {
      // Waits busy_timeout (10 s) for the lock, synchronously, then opens without the index.
      store = new SqliteEventStore({ path, fieldIndexes: [BY_SESSION], log: (line) => lines.push(line) });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(lines[1]).toBe('event store: data.session of proposal.filed.v1, proposal.filed.v2 not indexed now (the store is busy); filters on it read without the index until a later start builds it');
    expect(store.indexed(ofSession('6-3'))).toBe(false);
    expect((await store.readAll({ filter: ofSession('6-3') })).map((e) => e.stream)).toEqual(['proposal-t:a']);
    await store.close();
    expect(indexesOf(path)).toEqual([]);
  }, 30_000);

  it('answer a field filter from the index when all its types are indexed, and read every event otherwise', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (stream, revision))`);
    const indexes = new SqliteFieldIndexes(db, [BY_SESSION, { eventTypes: ['proposal.followed-up.v1'], field: 'metadata.occurredAt' }], () => {});
    const session = { field: 'data.session' as const, from: '6-3', to: '6-3' };
    expect(indexes.plan({ ...ofSession('6-3'), streamPrefixes: ['proposal-t:'] }, session)).toEqual([
      expect.stringMatching(/^SEARCH events USING INDEX events_by_field_\w+ \(<expr>=\? AND rowid>\? AND rowid<\?\)$/),
    ]);
    expect(indexes.plan({ eventTypes: ['proposal.filed.v1'] }, session)).toEqual([expect.stringMatching(/USING INDEX events_by_field_/)]);
    const year = { field: 'metadata.occurredAt' as const, from: '2019', to: '2020' };
    expect(indexes.plan({ eventTypes: ['proposal.followed-up.v1'] }, year)).toEqual([
      expect.stringMatching(/^SEARCH events USING INDEX events_by_field_\w+ \(<expr>>\? AND <expr><\?\)$/),
      'USE TEMP B-TREE FOR ORDER BY',
    ]);
    // A type the index does not hold, or no types at all: the index cannot answer.
    expect(indexes.plan({ eventTypes: ['proposal.filed.v2', 'proposal.visited.v1'] }, session)).toEqual([expect.not.stringMatching(/events_by_field_/)]);
    expect(indexes.plan({}, session)).toEqual([expect.not.stringMatching(/events_by_field_/)]);
    db.close();
  });
});
