import type { ClientSession, Document, IndexDescription, TransactionOptions } from 'mongodb';
import type { MongoBulkWriteResultLike, MongoClientLike, MongoCollectionLike, MongoCursorLike, MongoDbLike } from '../mongodb/mongodb-read-store.js';

/*
 * A hand-written, in-memory stand-in for the part of the MongoDB driver the read store uses (`MongoClientLike`),
 * for unit tests. It evaluates the query subset the adapter emits with MongoDB's documented semantics
 * (null matches missing, multikey equality and $nin/$ne, type bracketing for ranges, limit 0 = no limit,
 * BSON sort order with binary string comparison, an empty $or refused), emulates `withTransaction` (atomic
 * rollback on error, retry on TransientTransactionError) and records every call. A client can be made to stall
 * before a call (`pauseBefore`), as a process that stops for a while between two steps.
 *
 * It checks the adapter's translation and its use of the driver, not the server: query planning, locking,
 * write conflicts between concurrent transactions, PCRE details and catalog changes are not modelled.
 */

export interface FakeCall {
  readonly op: string;
  /** `db.collection`, or the database for database-level calls. */
  readonly target: string;
  readonly args: readonly unknown[];
  /** Whether the call carried the session of the open transaction. */
  readonly inTransaction: boolean;
}

export class FakeMongoError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    private readonly labels: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FakeMongoError';
  }

  hasErrorLabel(label: string): boolean {
    return this.labels.includes(label);
  }
}

export const transientError = (message = 'WriteConflict'): FakeMongoError =>
  new FakeMongoError(message, 112, ['TransientTransactionError']);

interface CollectionState {
  docs: Map<string, Document>;
  indexes: IndexDescription[];
}

type Databases = Map<string, Map<string, CollectionState>>;

const keyOf = (id: unknown): string => JSON.stringify(id);

/** A deep copy, as a BSON round trip gives (dates stay dates; made here rather than with structuredClone, whose
 * dates belong to another realm under Jest's VM modules). */
function clone<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
  return value;
}

/** The state one or more fake clients share: like one server that several processes connect to. */
export class FakeMongoServer {
  databases: Databases = new Map();
  readonly calls: FakeCall[] = [];
  readonly transactions: { options?: TransactionOptions; attempts: number; outcome?: 'committed' | 'aborted' }[] = [];
  private readonly faults: { op: string; error: Error }[] = [];
  active?: FakeSession;
  /** What `hello` answers: a replica set member unless a test says otherwise. */
  hello: Document = { isWritablePrimary: true, setName: 'rs0' };

  client(): FakeMongoClient {
    return new FakeMongoClient(this);
  }

  /** The next call of `op` throws `error` before it does anything. */
  failNext(op: string, error: Error): void {
    this.faults.push({ op, error });
  }

  database(name: string): Map<string, CollectionState> {
    let db = this.databases.get(name);
    if (!db) this.databases.set(name, (db = new Map()));
    return db;
  }

  /** The stored documents of a collection, as stored (with `_id`). */
  docs(db: string, collection: string): Document[] {
    return [...(this.databases.get(db)?.get(collection)?.docs.values() ?? [])].map((d) => clone(d));
  }

  collectionNames(db: string): string[] {
    return [...(this.databases.get(db)?.keys() ?? [])].sort();
  }

  indexes(db: string, collection: string): IndexDescription[] {
    return this.databases.get(db)?.get(collection)?.indexes ?? [];
  }

  callsOf(op: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  record(op: string, target: string, args: readonly unknown[], options: { session?: unknown } | undefined, ddl = false): void {
    const session = options?.session;
    if (this.active && ddl) throw new Error(`${op} inside a transaction: catalog changes are not allowed there`);
    if (this.active && session !== this.active) throw new Error(`${op} on ${target} without the session of the open transaction`);
    if (!this.active && session !== undefined) throw new Error(`${op} on ${target} with a session but no open transaction`);
    this.calls.push({ op, target, args: clone(args.map(stripSession)), inTransaction: session !== undefined });
    const fault = this.faults.findIndex((f) => f.op === op);
    if (fault >= 0) throw this.faults.splice(fault, 1)[0].error;
  }

  snapshot(): Databases {
    return new Map([...this.databases].map(([name, db]) => [name, new Map([...db].map(([c, s]) => [c, { docs: new Map([...s.docs].map(([k, d]) => [k, clone(d)])), indexes: [...s.indexes] }]))]));
  }
}

function stripSession(arg: unknown): unknown {
  if (typeof arg !== 'object' || arg === null || !('session' in arg)) return arg;
  const { session, ...rest } = arg as { session?: unknown };
  return { ...rest, session: session === undefined ? undefined : '<session>' };
}

class FakeSession {
  ended = false;

  constructor(
    private readonly server: FakeMongoServer,
    private readonly client: FakeMongoClient,
  ) {}

  async withTransaction<T>(fn: (session: ClientSession) => Promise<T>, options?: TransactionOptions): Promise<T> {
    await this.client.gate('withTransaction');
    if (this.server.active) throw new Error('a transaction is already open');
    const record: FakeMongoServer['transactions'][number] = { options, attempts: 0 };
    this.server.transactions.push(record);
    for (;;) {
      record.attempts++;
      const before = this.server.snapshot();
      this.server.active = this;
      try {
        const result = await fn(this as unknown as ClientSession);
        this.server.active = undefined;
        record.outcome = 'committed';
        return result;
      } catch (error) {
        this.server.active = undefined;
        this.server.databases = before;
        record.outcome = 'aborted';
        const transient = error instanceof FakeMongoError && error.hasErrorLabel('TransientTransactionError');
        if (!transient || record.attempts >= 5) throw error;
      }
    }
  }

  async endSession(): Promise<void> {
    this.ended = true;
  }
}

/** Where a client may be made to stall: before a rename, or before a transaction starts. */
export type PausePoint = 'renameCollection' | 'withTransaction';

export class FakeMongoClient implements MongoClientLike {
  closed = false;
  readonly sessions: FakeSession[] = [];
  private readonly pauses = new Map<PausePoint, { arrive: () => void; resumed: Promise<void> }>();

  constructor(readonly server: FakeMongoServer) {}

  db(name: string): MongoDbLike {
    return new FakeDb(this, name);
  }

  startSession(): ClientSession {
    this.check();
    const session = new FakeSession(this.server, this);
    this.sessions.push(session);
    return session as unknown as ClientSession;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  check(): void {
    if (this.closed) throw new FakeMongoError('Operation interrupted because client was closed');
  }

  /**
   * Makes this client's next call at `point` wait, as a process that stalls there: `reached` resolves when the call
   * gets there, and it goes on when `resume` is called.
   */
  pauseBefore(point: PausePoint): { reached: Promise<void>; resume: () => void } {
    let arrive!: () => void;
    let resume!: () => void;
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.pauses.set(point, { arrive, resumed });
    return { reached, resume };
  }

  async gate(point: PausePoint): Promise<void> {
    const pause = this.pauses.get(point);
    if (!pause) return;
    this.pauses.delete(point);
    pause.arrive();
    await pause.resumed;
  }
}

class FakeDb implements MongoDbLike {
  constructor(
    private readonly client: FakeMongoClient,
    private readonly name: string,
  ) {}

  private get server(): FakeMongoServer {
    return this.client.server;
  }

  private get state(): Map<string, CollectionState> {
    return this.server.database(this.name);
  }

  async command(command: Document): Promise<Document> {
    this.client.check();
    this.server.record('command', this.name, [command], undefined);
    if (command.hello !== 1) throw new Error(`fake: command ${Object.keys(command)[0]} is not modelled`);
    return { ...this.server.hello, ok: 1 };
  }

  collection<T extends Document = Document>(name: string): MongoCollectionLike<T> {
    return new FakeCollection(this.client, this.name, name) as unknown as MongoCollectionLike<T>;
  }

  listCollections(filter: Document = {}, options?: { session?: unknown }): MongoCursorLike<{ name: string }> {
    this.client.check();
    this.server.record('listCollections', this.name, [filter, options], options);
    const names = [...this.state.keys()].filter((n) => filter.name === undefined || filter.name === n);
    return cursor(names.map((name) => ({ name, type: 'collection' })));
  }

  async createCollection(name: string, options?: { session?: unknown }): Promise<unknown> {
    this.client.check();
    this.server.record('createCollection', `${this.name}.${name}`, [name, options], options, true);
    if (this.state.has(name)) throw new FakeMongoError(`Collection ${this.name}.${name} already exists.`, 48);
    this.state.set(name, { docs: new Map(), indexes: [] });
    return this.collection(name);
  }

  async dropCollection(name: string, options?: { session?: unknown }): Promise<boolean> {
    this.client.check();
    this.server.record('dropCollection', `${this.name}.${name}`, [name, options], options, true);
    return this.state.delete(name);
  }

  async renameCollection(from: string, to: string, options?: { dropTarget?: boolean; session?: unknown }): Promise<unknown> {
    await this.client.gate('renameCollection');
    this.client.check();
    this.server.record('renameCollection', `${this.name}.${from}`, [from, to, options], options, true);
    const source = this.state.get(from);
    if (!source) throw new FakeMongoError('source namespace does not exist', 26);
    if (this.state.has(to) && !options?.dropTarget) throw new FakeMongoError('target namespace exists', 48);
    this.state.delete(from);
    this.state.set(to, source);
    return this.collection(to);
  }
}

class FakeCollection {
  constructor(
    private readonly client: FakeMongoClient,
    private readonly db: string,
    private readonly name: string,
  ) {}

  private get server(): FakeMongoServer {
    return this.client.server;
  }

  private begin(op: string, args: readonly unknown[], options: { session?: unknown } | undefined): void {
    this.client.check();
    this.server.record(op, `${this.db}.${this.name}`, args, options);
  }

  private read(): Document[] {
    return [...(this.server.database(this.db).get(this.name)?.docs.values() ?? [])];
  }

  /** Writes create the collection implicitly, as MongoDB does. */
  private write(): Map<string, Document> {
    const db = this.server.database(this.db);
    let state = db.get(this.name);
    if (!state) db.set(this.name, (state = { docs: new Map(), indexes: [] }));
    return state.docs;
  }

  find(filter: Document, options: Document = {}): MongoCursorLike<Document> {
    this.begin('find', [filter, options], options);
    let docs = this.read().filter((d) => matches(d, filter));
    if (options.sort !== undefined) docs = sortDocs(docs, options.sort);
    if (options.skip) docs = docs.slice(options.skip as number);
    const limit = Math.abs((options.limit as number | undefined) ?? 0);
    if (limit > 0) docs = docs.slice(0, limit); // limit 0 means no limit
    return cursor(docs.map((d) => project(d, options.projection as Document | undefined)));
  }

  async countDocuments(filter: Document = {}, options: Document = {}): Promise<number> {
    this.begin('countDocuments', [filter, options], options);
    return this.read().filter((d) => matches(d, filter)).length;
  }

  async insertOne(doc: Document, options?: { session?: unknown }): Promise<unknown> {
    this.begin('insertOne', [doc, options], options);
    insert(this.write(), doc);
    return { acknowledged: true, insertedId: doc._id };
  }

  async insertMany(docs: readonly Document[], options?: { session?: unknown }): Promise<unknown> {
    this.begin('insertMany', [docs, options], options);
    if (docs.length === 0) throw new FakeMongoError('Invalid BulkOperation, Batch cannot be empty');
    for (const doc of docs) insert(this.write(), doc);
    return { acknowledged: true, insertedCount: docs.length };
  }

  async deleteMany(filter: Document = {}, options?: { session?: unknown }): Promise<unknown> {
    this.begin('deleteMany', [filter, options], options);
    const docs = this.write();
    let deletedCount = 0;
    for (const [key, doc] of [...docs]) if (matches(doc, filter)) (docs.delete(key), deletedCount++);
    return { acknowledged: true, deletedCount };
  }

  async bulkWrite(operations: readonly Document[], options?: { session?: unknown; ordered?: boolean }): Promise<MongoBulkWriteResultLike> {
    this.begin('bulkWrite', [operations, options], options);
    if (operations.length === 0) throw new FakeMongoError('Invalid BulkOperation, Batch cannot be empty');
    const docs = this.write();
    const result = { insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0 };
    for (const operation of operations) {
      const [kind, model] = Object.entries(operation)[0] as [string, Document];
      const first = () => [...docs.values()].find((d) => matches(d, model.filter as Document));
      switch (kind) {
        case 'insertOne':
          insert(docs, model.document as Document);
          result.insertedCount++;
          break;
        case 'replaceOne': {
          const replacement = model.replacement as Document;
          if (Object.keys(replacement).some((k) => k.startsWith('$'))) throw new FakeMongoError('Replacement document must not contain atomic operators');
          const found = first();
          if (found) {
            if (replacement._id !== undefined && keyOf(replacement._id) !== keyOf(found._id)) throw new FakeMongoError('_id is immutable', 66);
            docs.set(keyOf(found._id), clone({ ...replacement, _id: found._id }));
            result.matchedCount++;
            result.modifiedCount++;
          } else if (model.upsert) {
            insert(docs, { ...replacement, _id: replacement._id ?? equalities(model.filter as Document)._id });
            result.upsertedCount++;
          }
          break;
        }
        case 'updateOne': {
          const update = model.update as Document;
          for (const op of Object.keys(update)) if (op !== '$set' && op !== '$setOnInsert') throw new Error(`fake: update operator ${op} is not modelled`);
          const found = first();
          if (found) {
            docs.set(keyOf(found._id), clone({ ...found, ...(update.$set as Document | undefined) }));
            result.matchedCount++;
            result.modifiedCount++;
          } else if (model.upsert) {
            insert(docs, { ...equalities(model.filter as Document), ...(update.$set as Document | undefined), ...(update.$setOnInsert as Document | undefined) });
            result.upsertedCount++;
          }
          break;
        }
        case 'deleteOne': {
          const found = first();
          if (found) (docs.delete(keyOf(found._id)), result.deletedCount++);
          break;
        }
        default:
          throw new Error(`fake: bulk operation ${kind} is not modelled`);
      }
    }
    return result;
  }

  async createIndexes(specs: IndexDescription[], options?: { session?: unknown }): Promise<string[]> {
    this.client.check();
    this.server.record('createIndexes', `${this.db}.${this.name}`, [specs, options], options, true);
    this.write();
    const state = this.server.database(this.db).get(this.name)!;
    return specs.map((spec) => {
      const key = spec.key as Record<string, number>;
      const name = spec.name ?? Object.entries(key).map(([f, d]) => `${f}_${d}`).join('_');
      const existing = state.indexes.find((i) => (i.name ?? Object.entries(i.key as Record<string, number>).map(([f, d]) => `${f}_${d}`).join('_')) === name);
      if (existing && JSON.stringify(existing.key) !== JSON.stringify(key)) throw new FakeMongoError(`An existing index has the same name as the requested index: ${name}`, 86);
      if (!existing) state.indexes.push({ ...spec, name });
      return name;
    });
  }
}

function cursor<T>(items: T[]): MongoCursorLike<T> {
  return { toArray: async () => items };
}

function insert(docs: Map<string, Document>, doc: Document): void {
  if (doc._id === undefined) throw new Error('fake: documents without _id are not modelled');
  const key = keyOf(doc._id);
  if (docs.has(key)) throw new FakeMongoError(`E11000 duplicate key error dup key: { _id: ${key} }`, 11000);
  docs.set(key, clone(doc));
}

/** The literal equality conditions of a filter: what an upsert copies into the new document. */
function equalities(filter: Document): Document {
  const out: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$')) continue;
    if (isOperatorObject(condition)) {
      if ('$eq' in (condition as Document)) out[field] = (condition as Document).$eq;
    } else out[field] = condition;
  }
  return out;
}

/** Top-level fields only: exclusion (`{ _id: 0 }`), or inclusion with `_id` excluded or not, as MongoDB allows. */
function project(doc: Document, projection: Document | undefined): Document {
  const copy = clone(doc);
  if (!projection) return copy;
  const included = Object.entries(projection).filter(([field, include]) => field !== '_id' && include !== 0 && include !== false);
  if (included.length > 0) {
    if (Object.entries(projection).some(([field, include]) => field !== '_id' && (include === 0 || include === false)))
      throw new FakeMongoError('Cannot do exclusion on field in inclusion projection', 31254);
    const out: Document = {};
    if (projection._id !== 0 && projection._id !== false && '_id' in copy) out._id = copy._id;
    for (const [field] of included) if (field in copy) out[field] = copy[field];
    return out;
  }
  for (const [field] of Object.entries(projection)) delete copy[field];
  return copy;
}

// ---------------------------------------------------------------------------------------------------------------
// Query evaluation with MongoDB's semantics, for the operators the adapter uses.

const isPlainObject = (v: unknown): v is Document =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp);

function isOperatorObject(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys[0].startsWith('$')) return false;
  if (!keys.every((k) => k.startsWith('$'))) throw new FakeMongoError('unknown operator: mixing operators and fields', 2);
  return true;
}

function valueAt(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

export function matches(doc: Document, filter: Document): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(condition) || condition.length === 0) throw new FakeMongoError('$and/$or/$nor must be a nonempty array', 2);
      const results = (condition as Document[]).map((f) => matches(doc, f));
      const ok = key === '$and' ? results.every(Boolean) : key === '$or' ? results.some(Boolean) : !results.some(Boolean);
      if (!ok) return false;
      continue;
    }
    if (key.startsWith('$')) throw new FakeMongoError(`unknown top level operator: ${key}`, 2);
    if (!matchesCondition(valueAt(doc, key), condition)) return false;
  }
  return true;
}

function matchesCondition(value: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return equals(value, condition);
  const ops = condition as Document;
  for (const [op, operand] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        if (!equals(value, operand)) return false;
        break;
      case '$ne':
        if (equals(value, operand)) return false;
        break;
      case '$in':
      case '$nin': {
        if (!Array.isArray(operand)) throw new FakeMongoError(`${op} needs an array`, 2);
        const found = operand.some((v) => equals(value, v));
        if (found !== (op === '$in')) return false;
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (!range(value, op, operand)) return false;
        break;
      case '$regex': {
        const re = new RegExp(operand as string, (ops.$options as string | undefined) ?? '');
        const candidates = Array.isArray(value) ? value : [value];
        if (!candidates.some((c) => typeof c === 'string' && re.test(c))) return false;
        break;
      }
      case '$options':
        if (!('$regex' in ops)) throw new FakeMongoError('$options needs a $regex', 2);
        break;
      case '$exists':
        if ((value !== undefined) !== Boolean(operand)) return false;
        break;
      default:
        throw new FakeMongoError(`unknown operator: ${op}`, 2);
    }
  }
  return true;
}

/** Equality as a query sees it: null matches null and missing; an array matches when it or an element equals. */
function equals(value: unknown, operand: unknown): boolean {
  if (operand === null) return value === null || value === undefined || (Array.isArray(value) && value.some((e) => e === null));
  if (Array.isArray(value)) return value.some((e) => sameValue(e, operand)) || sameValue(value, operand);
  return sameValue(value, operand);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return typeRank(a) === typeRank(b) && compareValues(a, b) === 0;
}

/** Type bracketing: a range only compares values of the same BSON type class; a null bound only admits equality. */
function range(value: unknown, op: string, operand: unknown): boolean {
  if (operand === null) return (op === '$gte' || op === '$lte') && equals(value, null);
  const candidates = Array.isArray(value) ? value : [value];
  return candidates.some((c) => {
    if (c === undefined || c === null || typeRank(c) !== typeRank(operand)) return false;
    const d = compareValues(c, operand);
    return op === '$gt' ? d > 0 : op === '$gte' ? d >= 0 : op === '$lt' ? d < 0 : d <= 0;
  });
}

/** BSON comparison order: null/missing < numbers < strings < objects < arrays < booleans < dates. */
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 4;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return (a as number) - (b as number);
    case 3:
      return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8')); // simple binary comparison
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const d = compareValues(x[i], y[i]);
        if (d !== 0) return d;
      }
      return x.length - y.length;
    }
    default: {
      const x = Object.entries(a as Document);
      const y = Object.entries(b as Document);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const k = Buffer.compare(Buffer.from(x[i][0]), Buffer.from(y[i][0]));
        if (k !== 0) return k;
        const d = compareValues(x[i][1], y[i][1]);
        if (d !== 0) return d;
      }
      return x.length - y.length;
    }
  }
}

function sortKeys(sort: unknown): [string, 1 | -1][] {
  const direction = (d: unknown): 1 | -1 => (d === -1 || d === 'desc' || d === 'descending' ? -1 : 1);
  if (sort instanceof Map) return [...sort].map(([k, d]) => [k as string, direction(d)]);
  if (Array.isArray(sort)) {
    if (sort.length === 2 && typeof sort[0] === 'string' && !Array.isArray(sort[1])) return [[sort[0], direction(sort[1])]];
    return (sort as [string, unknown][]).map(([k, d]) => [k, direction(d)]);
  }
  if (isPlainObject(sort)) return Object.entries(sort).map(([k, d]) => [k, direction(d)]);
  throw new Error('fake: sort form not modelled');
}

/** Sorts as MongoDB does: missing as null; an array sorts by its least element ascending, greatest descending. */
function sortDocs(docs: Document[], sort: unknown): Document[] {
  const keys = sortKeys(sort);
  const keyValue = (doc: Document, field: string, dir: 1 | -1): unknown => {
    const v = valueAt(doc, field);
    if (!Array.isArray(v) || v.length === 0) return v;
    return [...v].sort((a, b) => compareValues(a, b) * dir)[0];
  };
  return [...docs].sort((a, b) => {
    for (const [field, dir] of keys) {
      const d = compareValues(keyValue(a, field, dir), keyValue(b, field, dir));
      if (d !== 0) return d * dir;
    }
    return 0;
  });
}
