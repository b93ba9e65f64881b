import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { fieldPath, type EventFilter, type FieldIndex, type FieldRange } from '../event-store.js';

/**
 * `fieldRange` filters for the SQLite store, and the indexes that serve them: one partial expression index per
 * declared `FieldIndex`, `json_extract(<data|metadata>, '$.<path>') WHERE type IN (<its types>)`. SQLite keeps such an
 * index itself, in the transaction of every insert, whoever writes (another process, an older build): the append path
 * has nothing to do, and a store opened without declarations still keeps the indexes it has.
 *
 * An index is named after its expression and types, so a changed declaration (a new stored version of a type) is a
 * new index: an opener that declares indexes builds the ones missing (on an existing store, one pass over the log,
 * logged with its duration) and drops the field indexes it no longer declares, since each costs every append.
 */

const PREFIX = 'events_by_field_';

interface Declared {
  readonly name: string;
  readonly field: string;
  readonly types: readonly string[];
  /** The index's expression and its WHERE term, as the queries must repeat them for SQLite to use the index. */
  readonly key: string;
  readonly where: string;
}

type Args = (from: number, to: number, max: number, filter: EventFilter, range: FieldRange) => unknown[];

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

function keyOf(field: string): { key: string; isText: string } {
  const [column, path] = fieldPath(field);
  return { key: `json_extract(${column}, ${quote(path)})`, isText: `json_type(${column}, ${quote(path)}) = 'text'` };
}

function declare(index: FieldIndex): Declared {
  const types = [...new Set(index.eventTypes)].sort();
  if (types.length === 0) throw new RangeError(`a field index of ${index.field} needs event types`);
  const { key } = keyOf(index.field);
  const where = `type IN (${types.map(quote).join(', ')})`;
  const name = PREFIX + createHash('sha256').update(`${key} WHERE ${where}`).digest('hex').slice(0, 16);
  return { name, field: index.field, types, key, where };
}

export class SqliteFieldIndexes {
  private readonly declared: readonly Declared[];
  /** The declared indexes the file has (a build refused by a busy store leaves one out until a later start). */
  private readonly present = new Set<string>();
  private readonly statements = new Map<string, { statement: Database.Statement; args: Args }>();

  constructor(
    private readonly db: Database.Database,
    indexes: readonly FieldIndex[],
    private readonly log: (line: string) => void,
  ) {
    this.declared = indexes.map(declare);
    if (this.declared.length > 0) this.migrate();
  }

  private migrate(): void {
    const existing = this.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND substr(name, 1, ?) = ?`)
      .pluck()
      .all(PREFIX.length, PREFIX) as string[];
    for (const name of existing) {
      if (this.declared.some((d) => d.name === name)) this.present.add(name);
      else if (this.tryExec(`DROP INDEX IF EXISTS ${name}`)) this.log(`event store: dropped ${name}, a field index no longer declared`);
      else this.log(`event store: ${name}, a field index no longer declared, not dropped now (the store is busy)`);
    }
    const events = this.db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number;
    for (const d of this.declared) {
      if (this.present.has(d.name)) continue;
      const what = `${d.field} of ${d.types.join(', ')}`;
      if (events > 0) this.log(`event store: indexing ${what} over ${events.toLocaleString('en-US')} events (first start with this index) …`);
      const started = performance.now();
      if (!this.tryExec(`CREATE INDEX IF NOT EXISTS ${d.name} ON events (${d.key}) WHERE ${d.where}`)) {
        this.log(`event store: ${what} not indexed now (the store is busy); filters on it read without the index until a later start builds it`);
        continue;
      }
      this.present.add(d.name);
      if (events > 0) this.log(`event store: indexed ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  /** The rows after `from` up to `to` that the filter selects (`range` is its `fieldRange`), by position. */
  read(from: number, to: number, max: number, filter: EventFilter, range: FieldRange): unknown[] {
    const { statement, args } = this.statementFor(filter, range);
    return statement.all(...args(from, to, max, filter, range));
  }

  /** How SQLite reads for the filter (EXPLAIN QUERY PLAN): `SEARCH events USING INDEX …`, or a `SCAN`. */
  plan(filter: EventFilter, range: FieldRange): string[] {
    const { statement, args } = this.statementFor(filter, range);
    const explain = this.db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`);
    return (explain.all(...args(0, Number.MAX_SAFE_INTEGER, 1, filter, range)) as { detail: string }[]).map((r) => r.detail);
  }

  private statementFor(filter: EventFilter, range: FieldRange): { statement: Database.Statement; args: Args } {
    const index = this.indexFor(filter.eventTypes, range.field);
    const one = range.from === range.to;
    const shape = `${index?.name ?? range.field}/${one}/${filter.streamPrefixes?.length ?? -1}/${filter.eventTypes?.length ?? -1}`;
    let prepared = this.statements.get(shape);
    if (!prepared) {
      prepared = this.prepare(index, range.field, one, filter);
      this.statements.set(shape, prepared);
    }
    return prepared;
  }

  /** False when another process held the write lock longer than busy_timeout: the next start tries again. */
  private tryExec(sql: string): boolean {
    try {
      this.db.exec(sql);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      return false;
    }
  }

  /** Whether a filter on these types with a range of this field is answered from an index. */
  serves(types: readonly string[] | undefined, field: string): boolean {
    return this.indexFor(types, field) !== undefined;
  }

  /** A declared, built index of the range's field whose types include every type the filter asks for. */
  private indexFor(types: readonly string[] | undefined, field: string): Declared | undefined {
    if (!types || types.length === 0) return undefined;
    return this.declared.find((d) => this.present.has(d.name) && d.field === field && types.every((t) => d.types.includes(t)));
  }

  private prepare(index: Declared | undefined, field: string, one: boolean, filter: EventFilter): { statement: Database.Statement; args: Args } {
    const { key, isText } = keyOf(field);
    const clauses: string[] = [];
    const args: Args[] = [];
    const add = (clause: string, arg?: Args) => {
      clauses.push(clause);
      if (arg) args.push(arg);
    };
    // The index's own WHERE term, word for word: SQLite uses a partial index only for queries that repeat it.
    if (index) add(index.where);
    if (filter.eventTypes) add(`type IN (${filter.eventTypes.map(() => '?').join(', ') || 'NULL'})`, (_f, _t, _m, f) => [...(f.eventTypes ?? [])]);
    if (filter.streamPrefixes)
      add(`(${filter.streamPrefixes.map(() => 'substr(stream, 1, ?) = ?').join(' OR ') || '0'})`, (_f, _t, _m, f) =>
        (f.streamPrefixes ?? []).flatMap((p) => [p.length, p]),
      );
    if (one) add(`${key} = ?`, (_f, _t, _m, _filter, r) => [r.from]);
    else add(`${key} BETWEEN ? AND ?`, (_f, _t, _m, _filter, r) => [r.from, r.to]);
    // json_extract gives an object or array as its JSON text, which could fall in a range of strings.
    add(isText);
    add('position > ? AND position <= ?', (from, to) => [from, to]);
    const statement = this.db.prepare(
      `SELECT * FROM events${index ? ` INDEXED BY ${index.name}` : ''} WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT ?`,
    );
    return { statement, args: (from, to, max, f, r) => [...args.flatMap((a) => a(from, to, max, f, r)), max] };
  }
}
