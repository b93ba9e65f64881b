/**
 * The read-store port: collections of JSON documents keyed by `id`, queried by declared fields with filters,
 * sorting and paging, plus one checkpoint per projection. Shaped so that it maps directly onto MongoDB
 * (a collection per read model, `_id` = id, an index per declared index) and onto SQLite (a table per collection,
 * declared fields as columns). Both adapters meet `testing/read-store.contract.ts`.
 */

export type Scalar = string | number | boolean | null;

export interface Doc {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** `scalar` fields hold one value; `array` fields hold a list and match when any element matches (multikey). */
export type FieldKind = 'string' | 'number' | 'boolean' | 'array';

export interface CollectionDef {
  readonly name: string;
  /** The top-level fields that queries may filter or sort on. Documents may hold any other fields. */
  readonly fields: Readonly<Record<string, FieldKind>>;
  /** Compound indexes over declared scalar fields, in order. Array fields are always indexed. */
  readonly indexes: readonly (readonly string[])[];
  /**
   * A declared string field that queries filter by equality nearly always (the jurisdiction): array fields are
   * indexed within it, as a compound multikey index { partition, arrayField } would be.
   */
  readonly partition?: string;
  /**
   * The top-level fields a list shows of each document. Like an index, a promise about speed only: an adapter may
   * keep them beside the query fields, so that a `find` asking for no more than these (`fields`) reads no whole
   * document.
   */
  readonly summary?: readonly string[];
}

export interface Operators {
  readonly $in?: readonly Scalar[];
  readonly $nin?: readonly Scalar[];
  readonly $ne?: Scalar;
  readonly $gt?: Scalar;
  readonly $gte?: Scalar;
  readonly $lt?: Scalar;
  readonly $lte?: Scalar;
  /** Case-insensitive substring of a string field. */
  readonly $contains?: string;
}

export type Condition = Scalar | Operators;

/** Conditions on declared fields, all of which must hold; `$or` holds when any of its filters does. */
export interface Filter {
  readonly [field: string]: Condition | readonly Filter[] | undefined;
  readonly $or?: readonly Filter[];
}

export interface FindQuery {
  readonly filter?: Filter;
  /**
   * Declared scalar fields; ties are broken by id, in the direction of the last field (ascending when there is
   * none), so that pages are stable and an index on the fields serves the whole order, backwards as well.
   */
  readonly sort?: readonly (readonly [field: string, direction: 1 | -1])[];
  readonly skip?: number;
  /** Omit for every matching document. */
  readonly limit?: number;
  /** Only these top-level fields of each document, and its id; omit for whole documents. */
  readonly fields?: readonly string[];
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

export interface DocWrite {
  readonly collection: string;
  readonly id: string;
  /** The new document, or null to delete it. */
  readonly doc: Doc | null;
  /**
   * The document as it was stored before, when the writer knows it: null for one that did not exist. Adapters may
   * use it to skip work (index entries of unchanged array fields); leaving it out is always correct.
   */
  readonly previous?: Doc | null;
}

/** One projection batch: its document writes and the checkpoints they bring the projections to. */
export interface Batch {
  readonly writes: readonly DocWrite[];
  /**
   * Projection name → the position its checkpoint moves to, and the position it must still be at (null: none
   * yet). If another writer moved it, nothing of the batch is written: `CheckpointMoved`.
   */
  readonly checkpoints: Readonly<Record<string, { readonly from: number | null; readonly to: number }>>;
}

/** Where writes go: the live collections, or the fresh ones a rebuild fills before it swaps them in. */
export type Generation = 'live' | 'rebuild';

export interface ReadStore {
  /** Creates the collections and their indexes if they are missing. */
  ensure(defs: readonly CollectionDef[], generation?: Generation): Promise<void>;
  get<T extends Doc>(collection: string, id: string, generation?: Generation): Promise<T | null>;
  getMany<T extends Doc>(collection: string, ids: readonly string[], generation?: Generation): Promise<Map<string, T>>;
  find<T extends Doc>(collection: string, query?: FindQuery): Promise<Page<T>>;
  count(collection: string, filter?: Filter): Promise<number>;
  checkpoints(generation?: Generation): Promise<Map<string, number>>;
  /** Writes the documents and moves the checkpoints in one transaction: all of it or none. */
  commit(batch: Batch, generation?: Generation): Promise<void>;
  /**
   * Drops whatever a previous rebuild left and creates empty rebuild collections. Adapters may build their
   * secondary indexes only at the swap, which is faster than keeping them up to date during a bulk load.
   */
  beginRebuild(defs: readonly CollectionDef[]): Promise<void>;
  /** Replaces the live collections and checkpoints with the rebuilt ones, atomically for readers. */
  swapRebuild(defs: readonly CollectionDef[]): Promise<void>;
  close(): Promise<void>;
}

export const READ_STORE = Symbol('ReadStore');

export class CheckpointMoved extends Error {
  constructor(
    readonly projection: string,
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    super(`checkpoint of ${projection} is at ${String(actual)}, expected ${String(expected)}`);
    this.name = 'CheckpointMoved';
  }
}

/** A query on a field the collection does not declare: a programming error, caught in tests. */
export class UndeclaredField extends Error {
  constructor(collection: string, field: string) {
    super(`${collection}: field ${field} is not declared for queries`);
    this.name = 'UndeclaredField';
  }
}

/**
 * A rebuild that a newer one replaced (another `beginRebuild` came after it): it can no longer commit or be swapped
 * in, so that a process that stalled cannot put its rebuild, or the newer half-filled one, over the live read models.
 */
export class RebuildSuperseded extends Error {
  constructor(
    readonly token: string,
    readonly by: string | null,
  ) {
    super(`rebuild ${token} was superseded${by ? ` by rebuild ${by}` : ''}: a newer rebuild began after it, so it is not swapped in`);
    this.name = 'RebuildSuperseded';
  }
}
