import type { AppendResult, EventStore, NewEvent, RecordedEvent } from '@app/event-store';
import type { DomainEvent, EventCodec } from '@app/proposals';
import { chainHashOfJson, withHashJson } from './hash-chain.js';
import { eventIdFor } from './ids.js';
import type { EventMetadata } from '@app/proposals';

interface CommandRecord {
  readonly revision: number;
  readonly position: number;
  readonly commandHash?: string;
}

/** One stream folded to the state its decider needs, plus what appending after it requires. */
export interface Folded<S> {
  readonly state: S | null;
  readonly revision: number | 'no_stream';
  /** The global position of the stream's last event (0 before its first). */
  readonly position: number;
  readonly lastHash: string | null;
  /**
   * Commands with an Idempotency-Key already applied to this stream, by command id: how a retry finds its first
   * answer. (Commands without a key cannot be retried as such, so they are not kept.)
   */
  readonly commands: ReadonlyMap<string, CommandRecord>;
}

/** Folds one event: the state before, the event, its metadata and its revision in the stream. */
export type Evolve<S> = (state: S | null, event: DomainEvent, metadata: EventMetadata, revision: number) => S;

/** An append queued and not yet committed: the stream as it will stand, its last event's id, and when it ends. */
interface Pending<S> {
  readonly folded: Folded<S>;
  readonly lastId: string;
  readonly settled: Promise<unknown>;
}

const EMPTY: Folded<never> = { state: null, revision: 'no_stream', position: 0, lastHash: null, commands: new Map() };

/**
 * Loads streams folded through a decider's `evolve`, keeping recent ones in memory. Deciding on a cached stream is
 * optimistic: if another process appended meanwhile, the append's expected revision refuses it, the cache entry is
 * dropped, and the command is decided again on a fresh load. Reads that must see other writers ask for `fresh`.
 */
export class StreamRepository<S> {
  private readonly cache = new Map<string, Folded<S>>();
  /**
   * Streams with an append queued but not yet committed (`append` with `queued`), as they will stand once it commits:
   * what the next append of a chain decides on. Never what `load` or `cached` answer, so that no reader sees what
   * is not committed; an entry leaves when its append ends, and at most one is kept per stream.
   */
  private readonly pending = new Map<string, Pending<S>>();

  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly evolve: Evolve<S>,
    private readonly maxCached = 20_000,
  ) {}

  async load(stream: string, options: { fresh?: boolean } = {}): Promise<Folded<S>> {
    const hit = this.cache.get(stream);
    if (hit && !options.fresh) return hit;
    const cached = hit ?? (EMPTY as Folded<S>);
    const from = cached.revision === 'no_stream' ? 0 : cached.revision + 1;
    const newer = await this.store.readStream(stream, { fromRevision: from });
    const folded = newer.length === 0 ? cached : this.fold(cached, newer);
    if (folded !== EMPTY) this.remember(stream, folded);
    return folded;
  }

  /**
   * The stream as cached, without a read; undefined when it is not cached. For a caller that would otherwise await
   * `load` only to be handed the cache entry: a command's several loads are each a promise and a resumption.
   */
  cached(stream: string): Folded<S> | undefined {
    return this.cache.get(stream);
  }

  /**
   * The stream as it will stand after the appends queued with `queued` and not yet committed, else as cached. An
   * append decided on it expects their last event (the store's appendAfter), so it is refused if one of them is.
   */
  ahead(stream: string): Folded<S> | undefined {
    return this.pending.get(stream)?.folded ?? this.cache.get(stream);
  }

  /** When an append queued with `queued` is not committed yet: the promise that it has ended (committed or not). */
  settling(stream: string): Promise<unknown> | undefined {
    return this.pending.get(stream)?.settled;
  }

  forget(stream: string): void {
    this.cache.delete(stream);
  }

  private remember(stream: string, folded: Folded<S>): void {
    this.cache.delete(stream);
    this.cache.set(stream, folded);
    if (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
  }

  private fold(start: Folded<S>, events: readonly RecordedEvent[]): Folded<S> {
    let { state, revision, position, lastHash } = start;
    let commands = start.commands;
    for (const e of events) {
      const metadata = e.metadata as unknown as EventMetadata;
      const domain = this.codec.decode(e.type, e.data);
      if (domain) state = this.evolve(state, domain, metadata, e.revision);
      revision = e.revision;
      position = e.position;
      lastHash = metadata.hash ?? null;
      if (metadata.idempotencyKey !== undefined)
        commands = new Map(commands).set(metadata.commandId, { revision: e.revision, position: e.position, commandHash: metadata.commandHash });
    }
    return { state, revision, position, lastHash, commands };
  }

  /**
   * Appends the events a decision produced after `folded`, chaining their hashes, and caches the stream as it
   * now stands. Throws WrongExpectedRevision when the stream moved since it was loaded.
   */
  async append(
    stream: string,
    folded: Folded<S>,
    events: readonly DomainEvent[],
    metadata: Omit<EventMetadata, 'hash'>,
    /** What each event's metadata adds of its own (the names it refers to). */
    ownMetadata?: (event: DomainEvent) => Partial<Omit<EventMetadata, 'hash'>>,
    /**
     * Called once the append is queued, before its commit, when the store can queue the next one behind it
     * (appendAfter): from then on `ahead` answers the stream as it will stand, so that the next append of a chain
     * (the next registration number of a session) is decided and queued without waiting for this commit. Without
     * appendAfter it is not called, and the caller waits for the commit.
     */
    queued?: () => void,
  ): Promise<{ revision: number; position: number }> {
    let previousHash = folded.lastHash;
    let revision = folded.revision === 'no_stream' ? -1 : folded.revision;
    const retriable = metadata.idempotencyKey !== undefined;
    // Data and metadata are written as JSON once: the hash chain hashes that text and the store stores it.
    const stored: NewEvent[] = new Array(events.length);
    const metadatas: EventMetadata[] = new Array(events.length);
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      const { type, data } = this.codec.encode(event);
      revision += 1;
      // Key order is the stored and hashed order: the command's, then the event's own, then `hash`.
      const own = ownMetadata?.(event);
      const withHash = (own ? Object.assign({}, metadata, own) : Object.assign({}, metadata)) as EventMetadata;
      const dataJson = JSON.stringify(data);
      const unhashedJson = JSON.stringify(withHash);
      const hash = chainHashOfJson(previousHash, stream, revision, type, dataJson, unhashedJson);
      previousHash = hash;
      (withHash as { hash: string }).hash = hash;
      metadatas[index] = withHash;
      stored[index] = {
        id: eventIdFor(metadata.commandId, stream, index, retriable),
        type,
        data,
        metadata: withHash as unknown as NewEvent['metadata'],
        json: { data: dataJson, metadata: withHashJson(unhashedJson, hash) },
      };
    }
    let result: AppendResult;
    let ahead: Pending<S> | undefined;
    try {
      // Decided on an append still queued: expect its very last event, not only its revision.
      const behind = this.pending.get(stream);
      const appending =
        behind && behind.folded === folded && this.store.appendAfter
          ? this.store.appendAfter(stream, stored, folded.revision as number, behind.lastId)
          : this.store.append(stream, stored, folded.revision);
      if (queued && this.store.appendAfter) {
        // Its position is not known before the commit: the last committed one stands in until then.
        const settled = appending.then(
          () => undefined,
          () => undefined,
        );
        ahead = { folded: this.foldAppended(folded, events, metadatas, folded.position), lastId: stored[stored.length - 1].id, settled };
        this.pending.set(stream, ahead);
        queued();
      }
      result = await appending;
    } catch (error) {
      // Appends queued after this one on its pending state expect its revision: they are refused too.
      if (ahead) this.pending.delete(stream);
      this.forget(stream);
      throw error;
    }
    if (ahead && this.pending.get(stream) === ahead) this.pending.delete(stream);
    // A store-level idempotent repeat answers with the earlier revision: reload rather than fold twice.
    // Queued ahead, the stream was folded already: folding it again from the same state would branch the state's
    // shared tables (a session's number register copies its numbers then). Only retriable commands keep positions.
    if (result.nextExpectedRevision === revision)
      this.remember(stream, ahead && !retriable ? { ...ahead.folded, position: result.position } : this.foldAppended(folded, events, metadatas, result.position));
    else this.forget(stream);
    return { revision: result.nextExpectedRevision, position: result.position };
  }

  /** The stream after its own append: the decided events evolve the state as they are, without a trip through JSON. */
  private foldAppended(start: Folded<S>, events: readonly DomainEvent[], metadatas: readonly EventMetadata[], position: number): Folded<S> {
    let { state, revision } = start;
    let commands = start.commands;
    let next = revision === 'no_stream' ? 0 : revision + 1;
    for (let i = 0; i < events.length; i++, next++) {
      const metadata = metadatas[i];
      state = this.evolve(state, events[i], metadata, next);
      revision = next;
      if (metadata.idempotencyKey !== undefined)
        commands = new Map(commands).set(metadata.commandId, { revision: next, position, commandHash: metadata.commandHash });
    }
    return { state, revision, position, lastHash: metadatas[metadatas.length - 1].hash ?? null, commands };
  }
}
