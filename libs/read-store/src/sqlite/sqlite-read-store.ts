import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { ensurePrivateFile } from '@app/config';
import {
  CheckpointMoved,
  RebuildSuperseded,
  UndeclaredField,
  type Batch,
  type CollectionDef,
  type DocWrite,
  type Condition,
  type Doc,
  type Filter,
  type FindQuery,
  type Generation,
  type Operators,
  type Page,
  type ReadStore,
  type Scalar,
} from '../read-store.js';

export interface SqliteReadStoreOptions {
  /** A file path, or `:memory:` for tests. */
  readonly path: string;
  readonly synchronous?: 'full' | 'normal';
  /** Prepared statements kept for reuse; beyond it the least recently used is dropped. Default 256. */
  readonly statementCacheSize?: number;
}

/**
 * The default bound of the statement cache. Statement texts depend only on a query's shape (its filtered fields,
 * operators and sort; values, limits, offsets and list lengths are bound), so a few dozen cover the service; the bound
 * is there so that no sequence of requests can make the store hold more.
 */
export const STATEMENT_CACHE_SIZE = 256;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Column names of the store's own: a declared field may not take them. */
const RESERVED = new Set(['id', 'doc', 'summary']);
/**
 * A list filtered by an array field is read either by walking the sort's index and probing the array's for each
 * document until the page is full — about (skip + limit) × N / n probes for n matches among a partition's N
 * documents (a unit's proposals: many matches, few probes) — or by gathering the n matches from the array's index and
 * sorting them (a member's own: few), which reads each match's row. A probe stays within the compact array index and
 * the sort's, a row is read anywhere in the table: measured over 200,000 proposals, a row read costs as much as some
 * SEEK_PER_PROBE probes. So the second is chosen when SEEK_PER_PROBE × n² ≤ (skip + limit) × N; with no statistics
 * for N yet, when n ≤ DRIVE_FROM_ARRAY × (skip + limit).
 */
const DRIVE_FROM_ARRAY = 8;
const SEEK_PER_PROBE = 16;
/** Finds between two readings of the partitions' average size from the planner's statistics (sqlite_stat1). */
const PARTITION_SIZE_EVERY = 1_000;
/**
 * Counts kept for the data as it is (a page after page of one list counts its matches once), at most this many: a
 * count of thousands of index entries costs more than the rest of a page.
 */
export const COUNT_CACHE_SIZE = 1024;
const COUNT_KEY_LENGTH = 4096;
const SCHEMA_VERSION = 1;

const tableOf = (collection: string, generation: Generation) =>
  generation === 'live' ? `c_${collection}` : `c_${collection}__rebuild`;
const sideOf = (collection: string, field: string, generation: Generation) => `${tableOf(collection, generation)}__${field}`;
/** The documents themselves live apart from the narrow table of query fields, so scans and counts stay small. */
const docsOf = (collection: string, generation: Generation) => sideOf(collection, 'doc', generation);
const q = (identifier: string) => `"${identifier}"`;

/**
 * The placeholders of a non-empty list, as many as the next power of two, the last value repeated to fill them (IN
 * ignores repeats): lists of any length share a handful of statement texts instead of one each.
 */
function listOf(values: readonly unknown[], params: unknown[]): string {
  const size = 2 ** Math.ceil(Math.log2(values.length));
  for (let i = 0; i < size; i++) params.push(values[Math.min(i, values.length - 1)]);
  return Array<string>(size).fill('?').join(',');
}

function sqlValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value;
}

/**
 * The embedded read store: one SQLite file; per collection a narrow table of the declared scalar fields (indexed
 * as declared), a side table per declared array field (a multikey index, as MongoDB has), and the documents
 * themselves in a table of their own.
 */
interface WritePlan {
  readonly scalars: readonly string[];
  readonly arrays: readonly string[];
  readonly upsert: Database.Statement;
  /** For a document known to be new: cheaper than an upsert. */
  readonly insert: Database.Statement;
  readonly remove: Database.Statement;
  readonly upsertDoc: Database.Statement;
  readonly insertDoc: Database.Statement;
  readonly removeDoc: Database.Statement;
  readonly sideDelete: readonly Database.Statement[];
  readonly sideInsert: readonly Database.Statement[];
  readonly partition?: string;
  readonly summary?: readonly string[];
}

const sameValues = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

export class SqliteReadStore implements ReadStore {
  readonly db: Database.Database;
  private readonly defs = new Map<string, CollectionDef>();
  /** Prepared statements by SQL text, least recently used first. */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly statementCacheBound: number;
  private readonly plans = new Map<string, WritePlan>();
  private commits = 0;
  /** Counts by statement and parameters, least recently used first, for the data as of `countsVersion`. */
  private readonly counts = new Map<string, number>();
  private countsVersion = '';
  /** Documents per partition value on average, by collection, as the statistics had it (null: none yet). */
  private readonly partitionSizes = new Map<string, { size: number | null; finds: number }>();
  /**
   * The rebuild this store began (`rm_info` names the one begun last, by whichever process). A holder, so that a
   * wrapper made with Object.create (as specs make) shares it.
   */
  private readonly rebuild: { token: string | undefined } = { token: undefined };

  constructor(options: SqliteReadStoreOptions) {
    // 0600 before SQLite creates it, so that its -wal and -shm files are 0600 too.
    if (options.path !== ':memory:') ensurePrivateFile(options.path);
    this.db = new Database(options.path);
    this.statementCacheBound = Math.max(1, options.statementCacheSize ?? STATEMENT_CACHE_SIZE);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 10000');
    // Statistics for the query planner, refreshed when SQLite thinks they are stale (cheap when they are not).
    this.db.pragma('optimize = 0x10002');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rm_checkpoints (
        generation TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, updated TEXT NOT NULL,
        PRIMARY KEY (generation, name)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rm_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT OR IGNORE INTO rm_info VALUES ('schema_version', '${SCHEMA_VERSION}');
    `);
  }

  /** A prepared statement for the text, from the cache when it is there (made the most recently used). */
  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s) this.statements.delete(sql);
    else {
      s = this.db.prepare(sql);
      // Dropped statements are finalized when they are garbage-collected; none is in use across an await.
      if (this.statements.size >= this.statementCacheBound) this.statements.delete(this.statements.keys().next().value as string);
    }
    this.statements.set(sql, s);
    return s;
  }

  /** How many prepared statements the store keeps now: never more than its bound (`statementCacheSize`). */
  statementCacheSize(): number {
    return this.statements.size;
  }

  private def(collection: string): CollectionDef {
    const def = this.defs.get(collection);
    if (!def) throw new Error(`collection ${collection} was not declared (ensure)`);
    return def;
  }

  private scalarFields(def: CollectionDef): string[] {
    return Object.entries(def.fields).filter(([, kind]) => kind !== 'array').map(([f]) => f);
  }

  private arrayFields(def: CollectionDef): string[] {
    return Object.entries(def.fields).filter(([, kind]) => kind === 'array').map(([f]) => f);
  }

  private tableExists(name: string): boolean {
    return this.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  private create(def: CollectionDef, generation: Generation, withIndexes = true): void {
    const table = tableOf(def.name, generation);
    if (this.tableExists(table)) {
      // A collection declared with a summary (or more indexes) than it has, by a newer version of the code, gets it
      // here. Documents written before have none until they are written again (or rebuilt): find reads them whole.
      if (def.summary && !(this.db.pragma(`table_info(${q(table)})`) as { name: string }[]).some((c) => c.name === 'summary'))
        this.db.exec(`ALTER TABLE ${q(table)} ADD COLUMN summary TEXT`);
      if (withIndexes) this.createIndexes(def, generation);
      return;
    }
    const columns = this.scalarFields(def).map((f) => `${q(f)} ${def.fields[f] === 'string' ? 'TEXT' : 'NUMERIC'}`);
    // The summary (CollectionDef.summary) as JSON, beside the query fields: a list reads it without the document.
    if (def.summary) columns.push('summary TEXT');
    this.db.exec(`CREATE TABLE ${q(table)} (id TEXT PRIMARY KEY NOT NULL${columns.map((c) => `, ${c}`).join('')}) WITHOUT ROWID`);
    this.db.exec(`CREATE TABLE ${q(docsOf(def.name, generation))} (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    for (const field of this.arrayFields(def)) {
      // The partition (the jurisdiction) leads the key, so that an array match within it reads only its entries.
      this.db.exec(`CREATE TABLE ${q(sideOf(def.name, field, generation))} (part, value, id TEXT NOT NULL, PRIMARY KEY (part, value, id)) WITHOUT ROWID`);
    }
    if (withIndexes) this.createIndexes(def, generation);
  }

  /** The declared indexes, and the by-id index of each array side table, that do not exist yet. */
  private createIndexes(def: CollectionDef, generation: Generation): void {
    const index = () => q(`ix_${def.name}_${randomBytes(4).toString('hex')}`);
    const ensure = (table: string, columns: readonly string[]) => {
      const existing = (this.db.pragma(`index_list(${q(table)})`) as { name: string }[]).map((i) =>
        (this.db.pragma(`index_info(${q(i.name)})`) as { name: string }[]).map((c) => c.name).join(','),
      );
      if (!existing.includes(columns.join(','))) this.db.exec(`CREATE INDEX ${index()} ON ${q(table)} (${columns.map(q).join(', ')})`);
    };
    for (const fields of def.indexes) ensure(tableOf(def.name, generation), fields);
    for (const field of this.arrayFields(def)) ensure(sideOf(def.name, field, generation), ['id']);
  }

  private plan(collection: string, generation: Generation): WritePlan {
    const key = `${generation}/${collection}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const def = this.def(collection);
      const table = q(tableOf(collection, generation));
      const scalars = this.scalarFields(def);
      const arrays = this.arrayFields(def);
      const columns = ['id', ...scalars, ...(def.summary ? ['summary'] : [])];
      const docs = q(docsOf(collection, generation));
      const values = `VALUES (${columns.map(() => '?').join(', ')})`;
      const updates = columns.slice(1).map((c) => `${q(c)} = excluded.${q(c)}`);
      plan = {
        scalars,
        arrays,
        upsert: this.db.prepare(
          `INSERT INTO ${table} (${columns.map(q).join(', ')}) ${values} ` +
            (updates.length ? `ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}` : 'ON CONFLICT (id) DO NOTHING'),
        ),
        insert: this.db.prepare(`INSERT INTO ${table} (${columns.map(q).join(', ')}) ${values}`),
        remove: this.db.prepare(`DELETE FROM ${table} WHERE id = ?`),
        upsertDoc: this.db.prepare(`INSERT INTO ${docs} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`),
        insertDoc: this.db.prepare(`INSERT INTO ${docs} (id, doc) VALUES (?, ?)`),
        removeDoc: this.db.prepare(`DELETE FROM ${docs} WHERE id = ?`),
        sideDelete: arrays.map((f) => this.db.prepare(`DELETE FROM ${q(sideOf(collection, f, generation))} WHERE id = ?`)),
        sideInsert: arrays.map((f) => this.db.prepare(`INSERT OR IGNORE INTO ${q(sideOf(collection, f, generation))} (part, value, id) VALUES (?, ?, ?)`)),
        partition: def.partition,
        summary: def.summary,
      };
      this.plans.set(key, plan);
    }
    return plan;
  }

  async ensure(defs: readonly CollectionDef[], generation: Generation = 'live'): Promise<void> {
    for (const def of defs) {
      if (!NAME.test(def.name)) throw new Error(`collection name ${def.name} must be an identifier`);
      for (const field of Object.keys(def.fields)) if (!NAME.test(field) || RESERVED.has(field)) throw new Error(`field name ${field} is not allowed`);
      if (def.partition !== undefined && def.fields[def.partition] !== 'string') throw new UndeclaredField(def.name, def.partition);
      for (const index of def.indexes)
        for (const field of index)
          if (!(field in def.fields) || def.fields[field] === 'array') throw new UndeclaredField(def.name, field);
      this.defs.set(def.name, def);
      this.db.transaction(() => this.create(def, generation)).immediate();
    }
    this.plans.clear(); // a summary column may have been added
  }

  async get<T extends Doc>(collection: string, id: string, generation: Generation = 'live'): Promise<T | null> {
    this.def(collection);
    const row = this.statement(`SELECT doc FROM ${q(docsOf(collection, generation))} WHERE id = ?`).pluck().get(id) as string | undefined;
    return row === undefined ? null : (JSON.parse(row) as T);
  }

  async getMany<T extends Doc>(collection: string, ids: readonly string[], generation: Generation = 'live'): Promise<Map<string, T>> {
    this.def(collection);
    const found = new Map<string, T>();
    const table = q(docsOf(collection, generation));
    for (let i = 0; i < ids.length; i += 512) {
      const params: unknown[] = [];
      const list = listOf(ids.slice(i, i + 512), params);
      const rows = this.statement(`SELECT doc FROM ${table} WHERE id IN (${list})`).pluck().all(...params) as string[];
      for (const row of rows) {
        const doc = JSON.parse(row) as T;
        found.set(doc.id, doc);
      }
    }
    return found;
  }

  /** The stored summaries of these documents (null: written before the collection had one), by id. */
  private summaries(table: string, ids: readonly string[]): Map<string, string | null> {
    const found = new Map<string, string | null>();
    for (let i = 0; i < ids.length; i += 512) {
      const params: unknown[] = [];
      const list = listOf(ids.slice(i, i + 512), params);
      for (const [id, summary] of this.statement(`SELECT id, summary FROM ${q(table)} WHERE id IN (${list})`).raw().all(...params) as [string, string | null][])
        found.set(id, summary);
    }
    return found;
  }

  async find<T extends Doc>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const def = this.def(collection);
    const table = tableOf(collection, 'live');
    const filter = query.filter ?? {};
    const skip = Math.max(0, Math.floor(query.skip ?? 0));
    const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
    const membership = this.membership(def, filter);
    const drive = membership !== undefined && limit !== undefined && this.fewMatches(def, membership.count, skip + limit) ? membership.field : undefined;
    const params: unknown[] = [];
    const where = this.where(def, table, filter, params, drive);
    const sort = query.sort ?? [];
    const order = sort.map(([field, direction]) => {
      if (def.fields[field] === undefined || def.fields[field] === 'array') throw new UndeclaredField(collection, field);
      return `${q(field)} ${direction === -1 ? 'DESC' : 'ASC'}`;
    });
    // In the direction of the last key, so that an index on the keys (which ends with the id) serves the whole order.
    order.push(`id ${sort.length > 0 && sort[sort.length - 1][1] === -1 ? 'DESC' : 'ASC'}`);
    // Bound, not written into the text: the text (the statement cache's key) is the query's shape alone, whatever
    // page a caller asks for. A negative limit is SQLite's "no limit".
    params.push(limit === undefined ? -1 : limit, skip);
    const fields = query.fields;
    const fromSummary = fields !== undefined && def.summary !== undefined && fields.every((f) => (def.summary as readonly string[]).includes(f));
    // The page's ids from the indexes alone (OFFSET skips index entries, not rows), then its rows by key.
    const ids = this.statement(`SELECT id FROM ${q(table)} WHERE ${where} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...params) as string[];
    let items: T[];
    if (fromSummary) {
      const summaries = this.summaries(table, ids);
      const exact = fields.length === (def.summary as readonly string[]).length;
      // Documents written before the collection had a summary: read whole.
      const stale = ids.filter((id) => summaries.get(id) === null);
      const docs = stale.length > 0 ? await this.getMany(collection, stale) : undefined;
      items = ids.map((id) => {
        const summary = summaries.get(id);
        if (typeof summary !== 'string') return pick<T>(docs?.get(id) as Doc, fields);
        const doc = JSON.parse(summary) as T;
        return exact ? doc : pick<T>(doc, fields);
      });
    } else {
      const docs = await this.getMany<T>(collection, ids);
      items = ids.map((id) => (fields ? pick<T>(docs.get(id) as Doc, fields) : (docs.get(id) as T)));
    }
    // A page that is not full ends the matches: it tells the total without counting them.
    const ends = limit === undefined || items.length < limit;
    const total =
      ends && (items.length > 0 || skip === 0)
        ? skip + items.length
        : membership?.exact
          ? membership.count
          : await this.count(collection, query.filter);
    return { items, total };
  }

  async count(collection: string, filter: Filter = {}): Promise<number> {
    const def = this.def(collection);
    const table = tableOf(collection, 'live');
    const byMembership = this.countByMembership(def, filter);
    if (byMembership !== undefined) return byMembership;
    const params: unknown[] = [];
    const where = this.where(def, table, filter, params);
    return this.countOf(`SELECT count(*) FROM ${q(table)} WHERE ${where}`, params);
  }

  /**
   * A count, from the cache when nothing was written since it was counted: by this connection (total_changes, rows
   * changed since it opened) or by any other — the projector, a rebuild in another process (data_version). A swap
   * in this connection changes no row: it clears the cache itself.
   */
  private countOf(sql: string, params: readonly unknown[]): number {
    const version = this.statement('SELECT total_changes() || \':\' || data_version FROM pragma_data_version').pluck().get() as string;
    if (version !== this.countsVersion) {
      this.counts.clear();
      this.countsVersion = version;
    }
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    // A count of a long list of values is not kept: the cache stays within COUNT_CACHE_SIZE × COUNT_KEY_LENGTH.
    if (key.length > COUNT_KEY_LENGTH) return this.statement(sql).pluck().get(...params) as number;
    let n = this.counts.get(key);
    if (n === undefined) {
      n = this.statement(sql).pluck().get(...params) as number;
      if (this.counts.size >= COUNT_CACHE_SIZE) this.counts.delete(this.counts.keys().next().value as string);
    } else this.counts.delete(key);
    this.counts.set(key, n);
    return n;
  }

  /** How many counts the store keeps now: never more than COUNT_CACHE_SIZE. */
  countCacheSize(): number {
    return this.counts.size;
  }

  /** Whether n matches of an array field are few enough to gather and sort (DRIVE_FROM_ARRAY). */
  private fewMatches(def: CollectionDef, n: number, rows: number): boolean {
    let known = this.partitionSizes.get(def.name);
    if (!known || ++known.finds >= PARTITION_SIZE_EVERY) {
      known = { size: this.partitionSize(def), finds: 0 };
      this.partitionSizes.set(def.name, known);
    }
    return known.size === null ? n <= DRIVE_FROM_ARRAY * rows : SEEK_PER_PROBE * n * n <= rows * known.size;
  }

  /** The average number of documents per partition value, from the statistics of an index led by the partition. */
  private partitionSize(def: CollectionDef): number | null {
    const table = tableOf(def.name, 'live');
    try {
      for (const { name } of this.db.pragma(`index_list(${q(table)})`) as { name: string }[]) {
        const first = (this.db.pragma(`index_info(${q(name)})`) as { name: string }[])[0]?.name;
        if (first !== def.partition) continue;
        const stat = this.statement('SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx = ?').pluck().get(table, name) as string | undefined;
        const size = Number(stat?.split(' ')[1]);
        if (Number.isFinite(size) && size > 0) return size;
      }
    } catch {
      // No statistics yet (sqlite_stat1 is made by the first ANALYZE).
    }
    return null;
  }

  /**
   * "Documents of this partition whose array holds this value" (a unit's proposals, a member's) is counted from the
   * array's own index alone: one entry per document, no document read.
   */
  private countByMembership(def: CollectionDef, filter: Filter): number | undefined {
    const membership = this.membership(def, filter);
    return membership?.exact ? membership.count : undefined;
  }

  /**
   * When the filter names the partition and holds one array field by equality or `$in`: how many entries the array's
   * index has for it — exactly the matches when the filter has nothing else and names one value, else at least as
   * many as there are matches (a document holding two of the values counts twice).
   */
  private membership(def: CollectionDef, filter: Filter): { field: string; count: number; exact: boolean } | undefined {
    if (def.partition === undefined || typeof filter[def.partition] !== 'string') return undefined;
    const keys = Object.keys(filter).filter((k) => filter[k] !== undefined);
    const arrays = keys.filter((k) => def.fields[k] === 'array');
    if (arrays.length !== 1) return undefined;
    const field = arrays[0];
    const condition = filter[field] as Condition;
    const values = !isOperators(condition) ? [condition] : Object.keys(condition).length === 1 && condition.$in ? condition.$in : undefined;
    if (values === undefined || values.length === 0) return undefined;
    const params: unknown[] = [filter[def.partition]];
    const list = listOf(values.map(sqlValue), params);
    const count = this.countOf(`SELECT count(*) FROM ${q(sideOf(def.name, field, 'live'))} WHERE part = ? AND value IN (${list})`, params);
    return { field, count, exact: keys.length === 2 && values.length === 1 };
  }

  /** `drive`: the array field whose matches are few, read from its index rather than probed per document. */
  private where(def: CollectionDef, table: string, filter: Filter, params: unknown[], drive?: string): string {
    const clauses: string[] = [];
    for (const [field, condition] of Object.entries(filter)) {
      if (condition === undefined) continue;
      if (field === '$or') {
        const alternatives = (condition as readonly Filter[]).map((f) => `(${this.where(def, table, f, params)})`);
        clauses.push(alternatives.length ? `(${alternatives.join(' OR ')})` : '0');
        continue;
      }
      const kind = def.fields[field];
      if (kind === undefined) throw new UndeclaredField(def.name, field);
      const partition = def.partition !== undefined && typeof filter[def.partition] === 'string' ? (filter[def.partition] as string) : null;
      clauses.push(
        kind === 'array'
          ? this.arrayClause(table, field, condition as Condition, params, partition, field === drive)
          : scalarClause(field, condition as Condition, params),
      );
    }
    return clauses.length ? clauses.join(' AND ') : '1';
  }

  private arrayClause(table: string, field: string, condition: Condition, params: unknown[], partition: string | null, drive = false): string {
    const side = q(`${table}__${field}`);
    // Within the partition the filter names, when it names one; otherwise across all of them.
    // Correlated, so that the planner may walk a sort index and probe the array's index per document, stopping at the
    // end of the page, instead of gathering and sorting every member first — unless the members are few (`drive`):
    // then they are gathered from the array's index and sorted.
    const within = (values: readonly Scalar[]) => {
      if (drive && partition !== null) {
        params.push(partition);
        return `${q(table)}.id IN (SELECT s.id FROM ${side} s WHERE s.part = ? AND s.value IN (${listOf(values.map(sqlValue), params)}))`;
      }
      if (partition === null) return `EXISTS (SELECT 1 FROM ${side} s WHERE s.value IN (${listOf(values.map(sqlValue), params)}) AND s.id = ${q(table)}.id)`;
      params.push(partition);
      return `EXISTS (SELECT 1 FROM ${side} s WHERE s.part = ? AND s.value IN (${listOf(values.map(sqlValue), params)}) AND s.id = ${q(table)}.id)`;
    };
    const ops: Operators = isOperators(condition) ? condition : { $in: [condition] };
    const parts: string[] = [];
    for (const [op, value] of Object.entries(ops)) {
      switch (op) {
        case '$in': {
          const values = value as readonly Scalar[];
          parts.push(values.length ? within(values) : '0');
          break;
        }
        case '$nin':
        case '$ne': {
          const values = (op === '$ne' ? [value] : value) as readonly Scalar[];
          parts.push(values.length ? `NOT ${within(values)}` : '1');
          break;
        }
        default:
          throw new Error(`operator ${op} is not supported on array field ${field}`);
      }
    }
    return parts.join(' AND ') || '1';
  }

  async checkpoints(generation: Generation = 'live'): Promise<Map<string, number>> {
    const rows = this.statement('SELECT name, position FROM rm_checkpoints WHERE generation = ?').all(generation) as { name: string; position: number }[];
    return new Map(rows.map((r) => [r.name, r.position]));
  }

  /**
   * Every write transaction here is BEGIN IMMEDIATE: it takes the write lock first, waiting for it (busy_timeout) if
   * another process holds it (a rebuild beside the service). A deferred one reads first and then fails at once with
   * SQLITE_BUSY(_SNAPSHOT) when another process committed in between, whatever busy_timeout says.
   */
  async commit(batch: Batch, generation: Generation = 'live'): Promise<void> {
    if (++this.commits % 10_000 === 0) this.db.pragma('optimize');
    this.db.transaction(() => {
      const now = new Date().toISOString();
      for (const [name, { from, to }] of Object.entries(batch.checkpoints)) {
        const actual = this.statement('SELECT position FROM rm_checkpoints WHERE generation = ? AND name = ?').pluck().get(generation, name) as number | undefined;
        if ((actual ?? null) !== from) throw new CheckpointMoved(name, from, actual ?? null);
        this.statement('INSERT INTO rm_checkpoints VALUES (?, ?, ?, ?) ON CONFLICT (generation, name) DO UPDATE SET position = excluded.position, updated = excluded.updated').run(generation, name, to, now);
      }
      if (generation === 'rebuild') this.assertRebuildCurrent();
      for (const write of batch.writes) this.write(write, generation);
    }).immediate();
  }

  /**
   * Inside a write transaction: the rebuild tables are still this store's. Another process's `beginRebuild` dropped
   * and recreated them under the same names: a rebuild that stalled meanwhile must neither write into the newer one's
   * tables nor swap them in half-filled (with its own checkpoints).
   */
  private assertRebuildCurrent(): void {
    const token = this.rebuild.token;
    if (token === undefined) throw new Error('no rebuild under way in this store (beginRebuild first)');
    const current = this.statement("SELECT value FROM rm_info WHERE key = 'rebuild'").pluck().get() as string | undefined;
    if (current !== token) throw new RebuildSuperseded(token, current ?? null);
  }

  /**
   * The hot path of every projection batch and of a rebuild (once per document): plain loops and one parameter array
   * per row, no closure or spread per write.
   */
  private write({ collection, id, doc, previous }: DocWrite, generation: Generation): void {
    const plan = this.plan(collection, generation);
    const { arrays, scalars, partition, summary } = plan;
    for (let i = 0; i < arrays.length; i++) {
      const field = arrays[i];
      const after = doc?.[field] ?? [];
      if (previous !== undefined) {
        const before = previous?.[field] ?? [];
        const samePartition = partition === undefined || previous?.[partition] === doc?.[partition];
        if (samePartition && sameValues(before, after)) continue;
      }
      if (previous !== null) plan.sideDelete[i].run(id);
      if (doc !== null && Array.isArray(after)) {
        const part = partition === undefined ? null : sqlValue(doc[partition]);
        for (const value of after) plan.sideInsert[i].run(part, sqlValue(value), id);
      }
    }
    if (doc === null) {
      plan.remove.run(id);
      plan.removeDoc.run(id);
      return;
    }
    const row = new Array<unknown>(scalars.length + (summary ? 2 : 1));
    row[0] = id;
    for (let i = 0; i < scalars.length; i++) row[i + 1] = sqlValue(doc[scalars[i]]);
    if (summary) row[scalars.length + 1] = summaryOf(doc, summary);
    if (previous === null) plan.insert.run(row);
    else if (previous === undefined || !this.updateChanged(collection, generation, plan, row, previous)) plan.upsert.run(row);
    (previous === null ? plan.insertDoc : plan.upsertDoc).run(id, JSON.stringify(doc));
  }

  /**
   * Updates only the columns whose values differ from the stored document's (none: nothing), and says whether the
   * row was there. SQLite rewrites the entry of every index over a column an UPDATE sets, changed or not: an upsert
   * of every field rewrote a page of each of a collection's indexes (a dozen for proposals) per changed document,
   * where a step changes two or three fields.
   */
  private updateChanged(collection: string, generation: Generation, plan: WritePlan, row: readonly unknown[], previous: Doc): boolean {
    const { scalars, summary } = plan;
    const columns: string[] = [];
    const params: unknown[] = [];
    for (let i = 0; i < scalars.length; i++) {
      if (row[i + 1] === sqlValue(previous[scalars[i]])) continue;
      columns.push(`${q(scalars[i])} = ?`);
      params.push(row[i + 1]);
    }
    if (summary && row[scalars.length + 1] !== summaryOf(previous, summary)) {
      columns.push('summary = ?');
      params.push(row[scalars.length + 1]);
    }
    const table = q(tableOf(collection, generation));
    // Nothing changed: the row stays as it is (if it is there at all: an upsert makes sure).
    if (columns.length === 0) return this.statement(`SELECT 1 FROM ${table} WHERE id = ?`).get(row[0]) !== undefined;
    params.push(row[0]);
    return this.statement(`UPDATE ${table} SET ${columns.join(', ')} WHERE id = ?`).run(params).changes === 1;
  }

  async beginRebuild(defs: readonly CollectionDef[]): Promise<void> {
    const token = randomBytes(8).toString('hex');
    this.db.transaction(() => {
      this.statement("INSERT INTO rm_info VALUES ('rebuild', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(token);
      for (const def of defs) {
        this.defs.set(def.name, def);
        this.dropGeneration(def, 'rebuild');
        this.create(def, 'rebuild', false);
      }
      this.plans.clear();
      this.statement("DELETE FROM rm_checkpoints WHERE generation = 'rebuild'").run();
    }).immediate();
    this.rebuild.token = token;
  }

  async swapRebuild(defs: readonly CollectionDef[]): Promise<void> {
    // Built once, after the bulk load, and before the swap so that readers never see a collection without them.
    for (const def of defs)
      this.db.transaction(() => {
        this.assertRebuildCurrent();
        if (this.tableExists(tableOf(def.name, 'rebuild'))) this.createIndexes(def, 'rebuild');
      }).immediate();
    this.db.transaction(() => {
      this.assertRebuildCurrent();
      this.statement("DELETE FROM rm_info WHERE key = 'rebuild'").run();
      for (const def of defs) {
        if (!this.tableExists(tableOf(def.name, 'rebuild'))) throw new Error(`no rebuilt ${def.name} to swap in`);
        this.dropGeneration(def, 'live');
        this.db.exec(`ALTER TABLE ${q(tableOf(def.name, 'rebuild'))} RENAME TO ${q(tableOf(def.name, 'live'))}`);
        this.db.exec(`ALTER TABLE ${q(docsOf(def.name, 'rebuild'))} RENAME TO ${q(docsOf(def.name, 'live'))}`);
        for (const field of this.arrayFields(def))
          this.db.exec(`ALTER TABLE ${q(sideOf(def.name, field, 'rebuild'))} RENAME TO ${q(sideOf(def.name, field, 'live'))}`);
      }
      this.statement("DELETE FROM rm_checkpoints WHERE generation = 'live'").run();
      this.statement("UPDATE rm_checkpoints SET generation = 'live' WHERE generation = 'rebuild'").run();
    }).immediate();
    this.rebuild.token = undefined;
    this.statements.clear();
    this.plans.clear();
    this.counts.clear();
    this.partitionSizes.clear();
    this.db.exec('ANALYZE');
  }

  private dropGeneration(def: CollectionDef, generation: Generation): void {
    for (const field of this.arrayFields(def)) this.db.exec(`DROP TABLE IF EXISTS ${q(sideOf(def.name, field, generation))}`);
    this.db.exec(`DROP TABLE IF EXISTS ${q(docsOf(def.name, generation))}`);
    this.db.exec(`DROP TABLE IF EXISTS ${q(tableOf(def.name, generation))}`);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * The id and the summary fields of a document, as JSON (fields the document lacks are left out, as in the document's
 * own): parsed, it is what a find with these fields answers.
 */
function summaryOf(doc: Doc, fields: readonly string[]): string {
  const summary: Record<string, unknown> = { id: doc.id };
  for (const field of fields) summary[field] = doc[field];
  return JSON.stringify(summary);
}

/** The document with only these fields, and its id. */
function pick<T extends Doc>(doc: Doc, fields: readonly string[]): T {
  const picked: Record<string, unknown> = { id: doc.id };
  for (const field of fields) if (doc[field] !== undefined) picked[field] = doc[field];
  return picked as T;
}

function isOperators(condition: Condition): condition is Operators {
  return typeof condition === 'object' && condition !== null;
}

function scalarClause(field: string, condition: Condition, params: unknown[]): string {
  const column = q(field);
  if (!isOperators(condition)) {
    if (condition === null) return `${column} IS NULL`;
    params.push(sqlValue(condition));
    return `${column} = ?`;
  }
  const parts: string[] = [];
  for (const [op, value] of Object.entries(condition)) {
    switch (op) {
      case '$in':
      case '$nin': {
        const values = (value as readonly Scalar[]).map(sqlValue);
        if (values.length === 0) parts.push(op === '$in' ? '0' : '1');
        else if (op === '$in') parts.push(`${column} IN (${listOf(values, params)})`);
        else parts.push(`(${column} IS NULL OR ${column} NOT IN (${listOf(values, params)}))`);
        break;
      }
      case '$ne':
        params.push(sqlValue(value));
        parts.push(`${column} IS NOT ?`);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        params.push(sqlValue(value));
        parts.push(`${column} ${{ $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[op]} ?`);
        break;
      case '$contains':
        params.push(String(value).toLowerCase());
        parts.push(`instr(lower(${column}), ?) > 0`);
        break;
      default:
        throw new Error(`unknown operator ${op}`);
    }
  }
  return parts.join(' AND ') || '1';
}
