import { randomBytes } from 'node:crypto';
import {
  MongoClient,
  WriteConcern,
  type AnyBulkWriteOperation,
  type BulkWriteOptions,
  type ClientSession,
  type CountDocumentsOptions,
  type CreateCollectionOptions,
  type CreateIndexesOptions,
  type DeleteOptions,
  type Document,
  type DropCollectionOptions,
  type Filter as MongoFilter,
  type FindOptions,
  type IndexDescription,
  type InsertOneOptions,
  type ListCollectionsOptions,
  type OptionalUnlessRequiredId,
  type RenameOptions,
  type TransactionOptions,
} from 'mongodb';
import {
  CheckpointMoved,
  RebuildSuperseded,
  UndeclaredField,
  type Batch,
  type CollectionDef,
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

/*
 * The narrow part of the official driver (`mongodb` 7.x) this adapter uses. `MongoClient` satisfies it (checked by
 * the compiler in `MongoReadStore.connect`); the unit tests pass a hand-written in-memory fake. Sessions stay the
 * driver's `ClientSession` type because the adapter only hands them back to the driver in `{ session }` options.
 */

export interface MongoCursorLike<T> {
  toArray(): Promise<T[]>;
}

export interface MongoBulkWriteResultLike {
  readonly insertedCount: number;
  readonly matchedCount: number;
  readonly deletedCount: number;
  readonly upsertedCount: number;
}

/** What every collection of this adapter holds: documents keyed by a string `_id`. */
export interface StoredDoc extends Document {
  _id: string;
}

export interface MongoCollectionLike<T extends Document = StoredDoc> {
  find(filter: MongoFilter<T>, options?: FindOptions): MongoCursorLike<T>;
  countDocuments(filter?: MongoFilter<T>, options?: CountDocumentsOptions): Promise<number>;
  bulkWrite(operations: ReadonlyArray<AnyBulkWriteOperation<T>>, options?: BulkWriteOptions): Promise<MongoBulkWriteResultLike>;
  insertOne(doc: OptionalUnlessRequiredId<T>, options?: InsertOneOptions): Promise<unknown>;
  insertMany(docs: ReadonlyArray<OptionalUnlessRequiredId<T>>, options?: BulkWriteOptions): Promise<unknown>;
  deleteMany(filter?: MongoFilter<T>, options?: DeleteOptions): Promise<unknown>;
  createIndexes(indexSpecs: IndexDescription[], options?: CreateIndexesOptions): Promise<string[]>;
}

export interface MongoDbLike {
  command(command: Document): Promise<Document>;
  collection<T extends Document = Document>(name: string): MongoCollectionLike<T>;
  listCollections(filter?: Document, options?: ListCollectionsOptions): MongoCursorLike<{ name: string }>;
  createCollection(name: string, options?: CreateCollectionOptions): Promise<unknown>;
  /** Resolves false when there is no such collection (the driver swallows NamespaceNotFound). */
  dropCollection(name: string, options?: DropCollectionOptions): Promise<boolean>;
  renameCollection(from: string, to: string, options?: RenameOptions): Promise<unknown>;
}

export interface MongoClientLike {
  db(name: string): MongoDbLike;
  startSession(): ClientSession;
  close(): Promise<void>;
}

export interface MongoReadStoreOptions {
  readonly database: string;
}

/** The collection of checkpoints (and of the rebuild claim and the swap marker). Read models may not use this name. */
export const CHECKPOINTS = 'checkpoints';
/** `_id` of the marker document a swap writes to `checkpoints` before it renames anything. */
export const SWAP_MARKER = 'swap';
/** `_id` of the document in `checkpoints` that names the rebuild under way (the latest `beginRebuild`). */
export const REBUILD_CLAIM = 'rebuild';
export const DEFAULT_DATABASE = 'cppcc';

/**
 * The collection that holds a read model of a generation: `<name>` live, `<name>__rebuild__<token>` while the rebuild
 * with that token fills it. The token makes every rebuild's collections its own: a process can only rename its own.
 */
export const collectionName = (name: string, generation: Generation, token?: string): string => {
  if (generation === 'live') return name;
  if (token === undefined) throw new Error(`no rebuild under way in this store (beginRebuild first): no rebuild collection for ${name}`);
  return `${name}__rebuild__${token}`;
};
/** `live:<projection>`, or `rebuild:<token>:<projection>` for the checkpoint of one rebuild. */
export const checkpointId = (generation: Generation, name: string, token?: string): string =>
  generation === 'live' ? `live:${name}` : `rebuild:${token}:${name}`;
/** A rebuild collection of any rebuild, with its token (none: the layout before tokens, `<name>__rebuild`). */
const REBUILD_COLLECTION = /^.+__rebuild(?:__([0-9a-f]+))?$/;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `id` and `doc` are reserved by the SQLite adapter too, so that a definition valid here is valid there. */
const RESERVED_FIELDS = new Set(['id', '_id', 'doc']);
const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const GET_MANY_CHUNK = 1000;
/** A clause no document satisfies (an empty `$in`): what SQLite's `0` is. */
const NOTHING: Document = Object.freeze({ _id: { $in: [] } });
/**
 * Snapshot reads and majority commit, as MongoDB's own `withTransaction` examples use. Within the transaction the
 * checkpoint read and the writes see one snapshot; a concurrent transaction that writes the same checkpoint
 * document makes one of the two fail with a WriteConflict (TransientTransactionError), which `withTransaction`
 * retries by running the callback again, which then sees the moved checkpoint and throws `CheckpointMoved`.
 */
const TRANSACTION: TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: new WriteConcern('majority') };

interface CheckpointDoc {
  readonly _id: string;
  readonly generation: Generation;
  /** The rebuild a rebuild checkpoint belongs to. */
  readonly token?: string;
  readonly name: string;
  readonly position: number;
  readonly updated: Date;
}

/** The rebuild under way: the one `beginRebuild` claimed last. Only it may commit to its collections and swap. */
interface RebuildClaimDoc {
  readonly _id: typeof REBUILD_CLAIM;
  readonly token: string;
  readonly collections: readonly string[];
  readonly started: Date;
  readonly updated: Date;
}

interface SwapMarkerDoc {
  readonly _id: typeof SWAP_MARKER;
  /** The token of the rebuild being swapped in. */
  readonly token: string;
  /** The read models, and the collection each is renamed from (missing in a marker of the layout before tokens). */
  readonly collections: readonly string[];
  readonly sources?: readonly string[];
  readonly started: Date;
}

/** Thrown inside a commit's transaction when it finds a swap in progress; never leaves this module. */
class SwapInProgress extends Error {}

/**
 * The read store on MongoDB, through the official driver (`mongodb` 7.x). Needs a replica set or a sharded cluster
 * (multi-document transactions); a single-node replica set is enough (docs/mongodb.md).
 *
 * Layout. A collection per read model: `<name>` live and `<name>__rebuild__<token>` while the rebuild with that token
 * fills it (`beginRebuild` draws the token and claims the rebuild in `checkpoints`; a later claim supersedes it).
 * Documents are stored as written (after a JSON round trip, so that exactly what the SQLite adapter would return
 * comes back) plus `_id` = id; reads project `_id` away. Every declared compound index is created with `_id` appended
 * (so that a sort on an index prefix plus the id tie-break is served by the index), and each array field gets a
 * single-field (multikey) index. Checkpoints live in `checkpoints` as `{ _id: 'live:<projection>', generation, name,
 * position, updated }`, a rebuild's as `{ _id: 'rebuild:<token>:<projection>', generation: 'rebuild', token, … }`.
 *
 * Queries. The port's filters translate to MongoDB filters with the SQLite adapter's meaning (see `mongoFilter`):
 * null equals a missing field; `$ne`/`$nin` include missing and null; `$contains` is an escaped, case-insensitive
 * `$regex`; array fields match element-wise and `$ne`/`$nin` on them mean "no element equals". Sorting uses the
 * simple binary collation (as SQLite's BINARY does), null and missing first ascending, ties broken by `_id`.
 *
 * What is atomic. `commit` is one multi-document transaction: the checkpoint compare-and-set, the document writes
 * and the checkpoint moves commit together or not at all. `swapRebuild` is not atomic across collections: MongoDB
 * renames one collection at a time and cannot rename inside a transaction. It is made crash-safe instead
 * (see `swapRebuild`).
 */
export class MongoReadStore implements ReadStore {
  private readonly db: MongoDbLike;
  private readonly defs = new Map<string, CollectionDef>();
  private transactionsChecked?: Promise<void>;
  /** The token of the rebuild this store began and has not swapped in yet. */
  private rebuildToken?: string;

  constructor(
    private readonly client: MongoClientLike,
    options: MongoReadStoreOptions,
  ) {
    this.db = client.db(options.database);
  }

  /**
   * Connects to e.g. `mongodb://localhost:27017/cppcc?replicaSet=rs0` and uses the database the URL names ('cppcc'
   * when it names none). Fails up front when the server cannot run transactions (a standalone mongod).
   */
  static async connect(url: string): Promise<MongoReadStore> {
    const client = new MongoClient(url);
    try {
      await client.connect();
      const store = new MongoReadStore(client, { database: databaseFromUrl(url) });
      await store.assertTransactions();
      return store;
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /**
   * The same without waiting: for factories that must return synchronously. The driver connects on the first
   * operation, and the first `ensure` or `beginRebuild` checks that the server can run transactions.
   */
  static fromUrl(url: string): MongoReadStore {
    return new MongoReadStore(new MongoClient(url), { database: databaseFromUrl(url) });
  }

  /**
   * Refuses a deployment without multi-document transactions: `hello` names a replica set (`setName`) or a mongos
   * (`msg: 'isdbgrid'`). Checked once per store.
   */
  assertTransactions(): Promise<void> {
    this.transactionsChecked ??= this.client
      .db('admin')
      .command({ hello: 1 })
      .then((hello) => {
        if (typeof hello.setName !== 'string' && hello.msg !== 'isdbgrid')
          throw new Error(
            'the MongoDB read store needs a replica set or a sharded cluster (multi-document transactions); ' +
              'this is a standalone server — start mongod with --replSet and run rs.initiate() (docs/mongodb.md)',
          );
      })
      .catch((error: unknown) => {
        this.transactionsChecked = undefined;
        throw error;
      });
    return this.transactionsChecked;
  }

  private collection(name: string, generation: Generation): MongoCollectionLike {
    return this.db.collection<StoredDoc>(collectionName(name, generation, this.rebuildToken));
  }

  /** False for the rebuild generation of a store with no rebuild under way: nothing to read there. */
  private readable(generation: Generation): boolean {
    return generation === 'live' || this.rebuildToken !== undefined;
  }

  private async currentClaim(session?: ClientSession): Promise<RebuildClaimDoc | undefined> {
    const [claim] = (await this.checkpointCollection.find({ _id: REBUILD_CLAIM }, session ? { session } : {}).toArray()) as RebuildClaimDoc[];
    return claim;
  }

  private get checkpointCollection(): MongoCollectionLike {
    return this.db.collection<StoredDoc>(CHECKPOINTS);
  }

  private def(collection: string): CollectionDef {
    const def = this.defs.get(collection);
    if (!def) throw new Error(`collection ${collection} was not declared (ensure)`);
    return def;
  }

  private async transaction(fn: (session: ClientSession) => Promise<void>): Promise<void> {
    const session = this.client.startSession();
    try {
      await session.withTransaction(() => fn(session), TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  private async exists(name: string): Promise<boolean> {
    const found = await this.db.listCollections({ name }, { nameOnly: true }).toArray();
    return found.some((c) => c.name === name);
  }

  /** Creates a collection unless it exists (outside any transaction, like every catalog change here). */
  private async createCollection(name: string): Promise<void> {
    if (await this.exists(name)) return;
    try {
      await this.db.createCollection(name);
    } catch (error) {
      if (codeOf(error) !== NAMESPACE_EXISTS) throw error; // another process created it meanwhile
    }
  }

  /** Creates the collection if it is missing, then its indexes (createIndexes is a no-op for existing ones). */
  private async create(def: CollectionDef, generation: Generation): Promise<void> {
    const name = collectionName(def.name, generation, this.rebuildToken);
    await this.createCollection(name);
    const specs = indexSpecs(def);
    if (specs.length > 0) await this.db.collection<StoredDoc>(name).createIndexes(specs);
  }

  async ensure(defs: readonly CollectionDef[], generation: Generation = 'live'): Promise<void> {
    for (const def of defs) validate(def);
    await this.assertTransactions();
    await this.completeInterruptedSwap();
    await this.createCollection(CHECKPOINTS);
    for (const def of defs) {
      this.defs.set(def.name, def);
      await this.create(def, generation);
    }
  }

  async get<T extends Doc>(collection: string, id: string, generation: Generation = 'live'): Promise<T | null> {
    this.def(collection);
    if (!this.readable(generation)) return null;
    const [doc] = await this.collection(collection, generation).find({ _id: id }, { projection: { _id: 0 }, limit: 1 }).toArray();
    return (doc as unknown as T | undefined) ?? null;
  }

  async getMany<T extends Doc>(collection: string, ids: readonly string[], generation: Generation = 'live'): Promise<Map<string, T>> {
    this.def(collection);
    const found = new Map<string, T>();
    if (!this.readable(generation)) return found;
    for (let i = 0; i < ids.length; i += GET_MANY_CHUNK) {
      const chunk = ids.slice(i, i + GET_MANY_CHUNK);
      const docs = await this.collection(collection, generation).find({ _id: { $in: chunk } }, { projection: { _id: 0 } }).toArray();
      for (const doc of docs as unknown as T[]) found.set(doc.id, doc);
    }
    return found;
  }

  async find<T extends Doc>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const def = this.def(collection);
    const filter = mongoFilter(def, query.filter ?? {});
    const sort = mongoSort(def, query.sort ?? []);
    const skip = query.skip ? Math.max(0, Math.floor(query.skip)) : 0;
    const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
    const target = this.collection(collection, 'live');
    const projection = query.fields ? { _id: 0, id: 1, ...Object.fromEntries(query.fields.map((f) => [f, 1])) } : { _id: 0 };
    // MongoDB reads limit 0 as "no limit"; the port (like SQL's LIMIT 0) means no documents.
    const items =
      limit === 0
        ? []
        : ((await target.find(filter, { projection, sort, ...(skip ? { skip } : {}), ...(limit ? { limit } : {}) }).toArray()) as unknown as T[]);
    // A page that is not full ends the matches: it tells the total without counting them.
    const ends = limit === undefined || items.length < limit;
    const total = ends && (items.length > 0 || skip === 0) ? skip + items.length : await target.countDocuments(filter);
    return { items, total };
  }

  async count(collection: string, filter: Filter = {}): Promise<number> {
    const def = this.def(collection);
    return this.collection(collection, 'live').countDocuments(mongoFilter(def, filter));
  }

  async checkpoints(generation: Generation = 'live'): Promise<Map<string, number>> {
    if (!this.readable(generation)) return new Map();
    const filter = generation === 'live' ? { generation } : { generation, token: this.rebuildToken };
    const docs = (await this.checkpointCollection.find(filter).toArray()) as CheckpointDoc[];
    return new Map(docs.map((c) => [c.name, c.position]));
  }

  /**
   * One transaction: reads the checkpoints (and the swap marker), throws `CheckpointMoved` if one is not where the
   * batch expects it (the transaction is aborted, nothing is written), writes the documents with one ordered
   * `bulkWrite` per collection, and moves the checkpoints (insert when new, compare-and-set update otherwise).
   * The driver may run the callback more than once (TransientTransactionError); it starts from scratch each time.
   *
   * A rebuild batch first writes the claim of its rebuild (`updated`), and throws `RebuildSuperseded` when the claim
   * names another rebuild: a write, not a read, so that it conflicts with a newer `beginRebuild` and cannot commit
   * after it.
   */
  async commit(batch: Batch, generation: Generation = 'live'): Promise<void> {
    const names = Object.keys(batch.checkpoints);
    if (batch.writes.length === 0 && names.length === 0) return;
    const token = generation === 'rebuild' ? this.rebuildToken : undefined;
    const grouped = new Map<string, AnyBulkWriteOperation<StoredDoc>[]>();
    for (const write of batch.writes) {
      this.def(write.collection);
      const target = collectionName(write.collection, generation, this.rebuildToken);
      let ops = grouped.get(target);
      if (!ops) grouped.set(target, (ops = []));
      ops.push(
        write.doc === null
          ? { deleteOne: { filter: { _id: write.id } } }
          : { replaceOne: { filter: { _id: write.id }, replacement: stored(write.id, write.doc), upsert: true } },
      );
    }
    for (;;) {
      try {
        await this.transaction(async (session) => {
          if (generation === 'rebuild') {
            if (token === undefined) throw new Error('no rebuild under way in this store (beginRebuild first)');
            const claimed = await this.checkpointCollection.bulkWrite(
              [{ updateOne: { filter: { _id: REBUILD_CLAIM, token }, update: { $set: { updated: new Date() } } } }],
              { session, ordered: true },
            );
            if (claimed.matchedCount !== 1) throw new RebuildSuperseded(token, (await this.currentClaim(session))?.token ?? null);
          }
          const ids = [SWAP_MARKER, ...names.map((n) => checkpointId(generation, n, token))];
          const current = (await this.checkpointCollection.find({ _id: { $in: ids } }, { session }).toArray()) as (CheckpointDoc | SwapMarkerDoc)[];
          if (current.some((c) => c._id === SWAP_MARKER)) throw new SwapInProgress();
          const positions = new Map(current.map((c) => [c._id, (c as CheckpointDoc).position]));
          for (const name of names) {
            const { from } = batch.checkpoints[name];
            const actual = positions.get(checkpointId(generation, name, token)) ?? null;
            if (actual !== from) throw new CheckpointMoved(name, from, actual);
          }
          for (const [target, ops] of grouped) await this.db.collection<StoredDoc>(target).bulkWrite(ops, { session, ordered: true });
          if (names.length === 0) return;
          const updated = new Date();
          const moves = names.map((name): AnyBulkWriteOperation<StoredDoc> => {
            const { from, to } = batch.checkpoints[name];
            const _id = checkpointId(generation, name, token);
            return from === null
              ? { insertOne: { document: { _id, generation, ...(token === undefined ? {} : { token }), name, position: to, updated } satisfies CheckpointDoc } }
              : { updateOne: { filter: { _id, position: from }, update: { $set: { position: to, updated } } } };
          });
          const result = await this.checkpointCollection.bulkWrite(moves, { session, ordered: true });
          const updates = names.filter((n) => batch.checkpoints[n].from !== null).length;
          // Cannot differ after the read above within one snapshot; checked so that a broken assumption aborts.
          if (result.matchedCount !== updates) {
            const name = names.find((n) => batch.checkpoints[n].from !== null) ?? names[0];
            throw new CheckpointMoved(name, batch.checkpoints[name].from, null);
          }
        });
        return;
      } catch (error) {
        if (!(error instanceof SwapInProgress)) throw error;
      }
      // A swap is (or was, if its process died) under way: finish it, then make the caller start over on the
      // swapped-in collections. Its documents may have been read from the collections being replaced.
      await this.completeInterruptedSwap();
      if (names.length > 0) {
        const name = names[0];
        const actual = (await this.checkpoints(generation)).get(name) ?? null;
        throw new CheckpointMoved(name, batch.checkpoints[name].from, actual);
      }
    }
  }

  /**
   * Claims a new rebuild with a fresh token, which supersedes any rebuild under way (its commits and its swap are
   * refused from then on), drops the collections and checkpoints of every other rebuild, and creates empty
   * `<name>__rebuild__<token>` collections with their indexes. Finishes any interrupted swap first, so that it cannot
   * drop rebuilt collections a swap still has to move.
   */
  async beginRebuild(defs: readonly CollectionDef[]): Promise<void> {
    for (const def of defs) validate(def);
    await this.assertTransactions();
    await this.createCollection(CHECKPOINTS);
    const token = randomBytes(8).toString('hex');
    const now = new Date();
    const claim: RebuildClaimDoc = { _id: REBUILD_CLAIM, token, collections: defs.map((d) => d.name), started: now, updated: now };
    for (;;) {
      await this.completeInterruptedSwap();
      try {
        // One transaction that writes the claim: a swap of the superseded rebuild, which deletes the claim, conflicts
        // with it and so either completes before (the marker is then seen here) or is refused.
        await this.transaction(async (session) => {
          const [marker] = await this.checkpointCollection.find({ _id: SWAP_MARKER }, { session }).toArray();
          if (marker) throw new SwapInProgress();
          await this.checkpointCollection.bulkWrite([{ replaceOne: { filter: { _id: REBUILD_CLAIM }, replacement: claim, upsert: true } }], { session, ordered: true });
          await this.checkpointCollection.deleteMany({ generation: 'rebuild' }, { session });
        });
        break;
      } catch (error) {
        if (!(error instanceof SwapInProgress)) throw error;
      }
    }
    this.rebuildToken = token;
    await this.dropStaleRebuilds(token);
    for (const def of defs) {
      this.defs.set(def.name, def);
      await this.create(def, 'rebuild');
    }
  }

  /**
   * Drops the rebuild collections of every other rebuild (superseded ones, and those of the layout before tokens),
   * only while this store's rebuild is the one claimed: then no other swap can be under way (a swap starts by deleting
   * its own claim, and one that started before this claim was completed before it was written), so every other
   * rebuild collection is stale. Listed before the claim is read, so that no collection of a later claim is listed.
   */
  private async dropStaleRebuilds(token: string): Promise<void> {
    const names = (await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const current = (await this.currentClaim())?.token ?? null;
    if (current !== token) throw new RebuildSuperseded(token, current);
    for (const name of names) {
      const rebuild = REBUILD_COLLECTION.exec(name);
      if (rebuild && rebuild[1] !== token) await this.db.dropCollection(name);
    }
  }

  /**
   * Swaps this store's rebuild in: its collections and checkpoints replace the live ones. MongoDB cannot rename
   * several collections atomically, nor rename inside a transaction, so the swap is a roll-forward procedure:
   *
   * 1. in one transaction: delete the rebuild's claim (none with this token: `RebuildSuperseded`, nothing changes) and
   *    insert the swap marker `{ _id: 'swap', token, collections, sources }` into `checkpoints`;
   * 2. rename each `<name>__rebuild__<token>` to `<name>` with `dropTarget: true` (each rename is atomic on its own);
   * 3. in one transaction: replace every live checkpoint by the rebuild's checkpoints, delete the rebuild checkpoints
   *    and the marker.
   *
   * While the marker exists every `commit` refuses to write: it completes the swap itself and throws
   * `CheckpointMoved`, so a running projection runner re-reads its checkpoints and carries on from the rebuilt
   * positions on the rebuilt collections. If the process dies between 1 and 3, the next `ensure`, `commit`,
   * `beginRebuild` or `swapRebuild` of any process finds the marker and completes steps 2–3 with the token it names
   * (renames whose source is already gone are skipped). A process that stalls anywhere in this cannot swap in another
   * rebuild's collections: the names it renames carry its own token, and step 1 fails once a newer rebuild has claimed.
   * Readers (`get`, `find`, `count`) are not fenced: between 2 and 3 they may see some read models rebuilt and others
   * not yet, each collection on its own consistent; a cursor open on a collection being replaced is killed by the
   * server.
   */
  async swapRebuild(defs: readonly CollectionDef[]): Promise<void> {
    await this.completeInterruptedSwap();
    const token = this.rebuildToken;
    if (token === undefined) throw new Error(`no rebuilt ${defs.map((d) => d.name).join(', ')} to swap in (this store began no rebuild)`);
    const current = (await this.currentClaim())?.token ?? null;
    if (current !== token) throw new RebuildSuperseded(token, current);
    for (const def of defs) if (!(await this.exists(collectionName(def.name, 'rebuild', token)))) throw new Error(`no rebuilt ${def.name} to swap in`);
    const collections = defs.map((d) => d.name);
    const marker: SwapMarkerDoc = { _id: SWAP_MARKER, token, collections, sources: collections.map((n) => collectionName(n, 'rebuild', token)), started: new Date() };
    await this.transaction(async (session) => {
      const released = await this.checkpointCollection.bulkWrite([{ deleteOne: { filter: { _id: REBUILD_CLAIM, token } } }], { session, ordered: true });
      if (released.deletedCount !== 1) throw new RebuildSuperseded(token, (await this.currentClaim(session))?.token ?? null);
      await this.checkpointCollection.insertOne(marker, { session });
    });
    this.rebuildToken = undefined;
    await this.completeInterruptedSwap();
  }

  /** Completes a swap whose marker is present (steps 2 and 3 of `swapRebuild`); a no-op otherwise. Idempotent. */
  async completeInterruptedSwap(): Promise<void> {
    const [marker] = (await this.checkpointCollection.find({ _id: SWAP_MARKER }).toArray()) as SwapMarkerDoc[];
    if (!marker) return;
    // A marker written before rebuilds had tokens names no sources: its rebuild is `<name>__rebuild`, its checkpoints
    // have no token.
    const sources = marker.sources ?? marker.collections.map((name) => `${name}__rebuild`);
    const rebuild = marker.sources ? marker.token : null;
    for (const [i, name] of marker.collections.entries()) {
      try {
        await this.db.renameCollection(sources[i], name, { dropTarget: true });
      } catch (error) {
        if (codeOf(error) !== NAMESPACE_NOT_FOUND) throw error; // renamed already, by us before a crash or by another process
      }
    }
    await this.transaction(async (session) => {
      const [still] = (await this.checkpointCollection.find({ _id: SWAP_MARKER, token: marker.token }, { session }).toArray()) as SwapMarkerDoc[];
      if (!still) return; // another process finished it
      const rebuilt = (await this.checkpointCollection.find({ generation: 'rebuild', token: rebuild }, { session }).toArray()) as CheckpointDoc[];
      await this.checkpointCollection.deleteMany({ generation: 'live' }, { session });
      const updated = new Date();
      if (rebuilt.length > 0)
        await this.checkpointCollection.insertMany(
          rebuilt.map((c): CheckpointDoc => ({ _id: checkpointId('live', c.name), generation: 'live', name: c.name, position: c.position, updated })),
          { session },
        );
      await this.checkpointCollection.deleteMany({ generation: 'rebuild' }, { session });
      await this.checkpointCollection.deleteMany({ _id: SWAP_MARKER }, { session });
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function validate(def: CollectionDef): void {
  if (!NAME.test(def.name)) throw new Error(`collection name ${def.name} must be an identifier`);
  if (def.name === CHECKPOINTS) throw new Error(`collection name ${CHECKPOINTS} is reserved for the checkpoints`);
  if (def.name.includes('__rebuild')) throw new Error(`collection name ${def.name}: __rebuild is reserved for the rebuild collections`);
  for (const field of Object.keys(def.fields)) if (!NAME.test(field) || RESERVED_FIELDS.has(field)) throw new Error(`field name ${field} is not allowed`);
  for (const index of def.indexes)
    for (const field of index) if (!(field in def.fields) || def.fields[field] === 'array') throw new UndeclaredField(def.name, field);
}

/** The indexes of a collection: each declared compound index with `_id` appended, then one per array field. */
export function indexSpecs(def: CollectionDef): IndexDescription[] {
  const specs: IndexDescription[] = def.indexes.map((index) => ({ key: Object.fromEntries([...index.map((f) => [f, 1] as const), ['_id', 1] as const]) }));
  for (const [field, kind] of Object.entries(def.fields))
    if (kind === 'array') specs.push({ key: def.partition ? { [def.partition]: 1, [field]: 1 } : { [field]: 1 } });
  return specs;
}

/** What is stored for a document: `_id` = id, then the document as JSON would carry it (as the SQLite store keeps it). */
function stored(id: string, doc: Doc): StoredDoc {
  if (Object.hasOwn(doc, '_id')) throw new Error(`document ${id}: the field _id is reserved by the MongoDB read store`);
  return { _id: id, ...(JSON.parse(JSON.stringify(doc)) as Document) };
}

/**
 * The sort of a query: declared scalar fields in order, then `_id` in the direction of the last field (ascending when
 * there is none), so that ties (and pages) are stable and an index on the fields, which ends with `_id`, serves the
 * whole sort — backwards for a descending one — without sorting in memory.
 */
export function mongoSort(def: CollectionDef, sort: FindQuery['sort'] & {}): [string, 1 | -1][] {
  const keys: [string, 1 | -1][] = [];
  for (const [field, direction] of sort) {
    if (def.fields[field] === undefined || def.fields[field] === 'array') throw new UndeclaredField(def.name, field);
    if (!keys.some(([f]) => f === field)) keys.push([field, direction === -1 ? -1 : 1]);
  }
  keys.push(['_id', keys.length > 0 ? keys[keys.length - 1][1] : 1]);
  return keys;
}

/**
 * Translates a port filter into a MongoDB filter with the SQLite adapter's meaning. Every condition becomes its own
 * clause (joined by `$and` when there are several), so operators on one field never overwrite each other.
 *
 * - equality: `{ f: { $eq: v } }`; `{ $eq: null }` also matches a missing field, as a missing column is NULL;
 * - `$in`, `$nin`, `$ne` as in MongoDB: `$ne`/`$nin` include documents where the field is missing or null (unless
 *   null is listed); `$in`/`$nin` with null treat null like equality does (SQLite's `IN (NULL)` never matches; see
 *   docs/mongodb.md);
 * - `$gt`/`$gte`/`$lt`/`$lte`: MongoDB compares within a type (type bracketing), so a string bound never matches a
 *   number or a missing field; a null bound matches nothing (as any SQL comparison with NULL);
 * - `$contains`: `{ $regex: <escaped>, $options: 'i' }`, a literal case-insensitive substring;
 * - `$or`: `{ $or: [...] }`; an empty `$or` matches nothing (MongoDB refuses an empty array), an alternative without
 *   conditions makes the whole `$or` true;
 * - array fields: equality and `$in` hold when some element is listed, `$ne`/`$nin` when no element is (MongoDB's
 *   own multikey semantics); null never equals an element (as in the SQLite side tables), so it is left out of the
 *   lists; other operators are refused.
 */
export function mongoFilter(def: CollectionDef, filter: Filter): Document {
  const clauses: Document[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (condition === undefined) continue;
    if (field === '$or') {
      const alternatives = (condition as readonly Filter[]).map((f) => mongoFilter(def, f));
      if (alternatives.length === 0) clauses.push(NOTHING);
      else if (!alternatives.some((a) => Object.keys(a).length === 0)) clauses.push({ $or: alternatives });
      continue;
    }
    const kind = def.fields[field];
    if (kind === undefined) throw new UndeclaredField(def.name, field);
    clauses.push(...(kind === 'array' ? arrayClauses(field, condition as Condition) : scalarClauses(field, condition as Condition)));
  }
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function isOperators(condition: Condition): condition is Operators {
  return typeof condition === 'object' && condition !== null;
}

function scalarClauses(field: string, condition: Condition): Document[] {
  if (!isOperators(condition)) return [{ [field]: { $eq: condition } }];
  const clauses: Document[] = [];
  for (const [op, value] of Object.entries(condition)) {
    if (value === undefined) continue;
    switch (op) {
      case '$in':
      case '$nin':
        clauses.push({ [field]: { [op]: [...(value as readonly Scalar[])] } });
        break;
      case '$ne':
        clauses.push({ [field]: { $ne: value } });
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        clauses.push(value === null ? NOTHING : { [field]: { [op]: value } });
        break;
      case '$contains':
        clauses.push({ [field]: { $regex: escapeRegex(String(value)), $options: 'i' } });
        break;
      default:
        throw new Error(`unknown operator ${op}`);
    }
  }
  return clauses;
}

function arrayClauses(field: string, condition: Condition): Document[] {
  const ops: Operators = isOperators(condition) ? condition : { $in: [condition] };
  const clauses: Document[] = [];
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case '$in': {
        const values = (value as readonly Scalar[]).filter((v) => v !== null);
        clauses.push(values.length ? { [field]: { $in: values } } : NOTHING);
        break;
      }
      case '$nin':
      case '$ne': {
        const values = (op === '$ne' ? [value as Scalar] : (value as readonly Scalar[])).filter((v) => v !== null);
        if (values.length) clauses.push({ [field]: { $nin: values } });
        break;
      }
      default:
        throw new Error(`operator ${op} is not supported on array field ${field}`);
    }
  }
  return clauses;
}

/** Escapes every regular-expression metacharacter, so that the pattern matches the text literally (PCRE and JS). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * The database a connection string names (`mongodb://h1,h2/<db>?…`), or 'cppcc'. Parsed by hand: a MongoDB URL may
 * list several hosts, which WHATWG `URL` does not accept, and the driver itself falls back to 'test'.
 */
export function databaseFromUrl(url: string): string {
  const scheme = /^mongodb(\+srv)?:\/\//.exec(url);
  if (!scheme) return DEFAULT_DATABASE;
  const rest = url.slice(scheme[0].length).split('?')[0];
  const slash = rest.indexOf('/', rest.lastIndexOf('@') + 1);
  if (slash < 0) return DEFAULT_DATABASE;
  const name = decodeURIComponent(rest.slice(slash + 1));
  return name === '' ? DEFAULT_DATABASE : name;
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return code === undefined ? undefined : Number(code);
}
