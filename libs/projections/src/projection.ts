import type { RecordedEvent } from '@app/event-store';
import type { CollectionDef, Doc } from '@app/read-store';
import { type DomainEvent, type DomainEventType, eventCodec, type EventCodec, type EventMetadata, parseStreamName, type StreamCategory } from '@app/proposals';

/** A stored event as projections see it: the decoded domain event and where it came from. */
export interface ProjectedEvent<E extends DomainEvent = DomainEvent> {
  readonly event: E;
  readonly storedType: string;
  readonly stream: string;
  readonly category: StreamCategory;
  readonly tenant: string;
  /** The proposal id or the session id. */
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly metadata: EventMetadata;
}

export type ProjectedEventOf<T extends DomainEventType> = ProjectedEvent<Extract<DomainEvent, { type: T }>>;

/**
 * A read model: a pure `evolve(doc | null, event) → doc | null` per event type it handles, the document each
 * event changes, and the collection it lives in. The runner owns checkpoints, batching and storage.
 */
export interface Projection<D extends Doc = Doc> {
  /** Versioned: a new version is a new checkpoint, built from the start of the log. */
  readonly name: string;
  readonly collection: CollectionDef;
  /** Stored event types it reads, derived from its handlers. */
  readonly eventTypes: readonly string[];
  /** Every event makes a document of its own that no later event changes: nothing need be read back. */
  readonly appendOnly: boolean;
  keyOf(e: ProjectedEvent): string | undefined;
  evolve(doc: D | null, e: ProjectedEvent): D | null;
}

/** What a read model does with an event type it has nothing to do with: it says so, it does not forget it. */
export const IGNORED = 'ignored';

export type Handler<D, T extends DomainEventType> = (doc: D | null, e: ProjectedEventOf<T>) => D | null;

/**
 * Every event type, handled or explicitly IGNORED: a new event type is a compile error in every projection until
 * each says what it does with it.
 */
export type Handlers<D> = { readonly [T in DomainEventType]: Handler<D, T> | typeof IGNORED };

/** The same decision for a whole group of types, e.g. a session read model ignoring every proposal event. */
export const ignoreAll = <T extends DomainEventType>(types: readonly T[]): Record<T, typeof IGNORED> =>
  Object.fromEntries(types.map((t) => [t, IGNORED])) as Record<T, typeof IGNORED>;

export function defineProjection<D extends Doc>(spec: {
  readonly name: string;
  readonly collection: CollectionDef;
  readonly keyOf: (e: ProjectedEvent) => string | undefined;
  readonly handlers: Handlers<D>;
  readonly appendOnly?: boolean;
}): Projection<D> {
  const handlers = new Map<DomainEventType, (doc: D | null, e: ProjectedEvent) => D | null>();
  for (const [type, handler] of Object.entries(spec.handlers) as [DomainEventType, Handler<D, DomainEventType> | typeof IGNORED][])
    if (handler !== IGNORED) handlers.set(type, handler as (doc: D | null, e: ProjectedEvent) => D | null);
  return {
    name: spec.name,
    collection: spec.collection,
    eventTypes: [...handlers.keys()].flatMap((t) => eventCodec.storedTypesOf(t)),
    appendOnly: spec.appendOnly ?? false,
    keyOf: (e) => (handlers.has(e.event.type) ? spec.keyOf(e) : undefined),
    evolve: (doc, e) => {
      const handler = handlers.get(e.event.type);
      return handler ? handler(doc, e) : doc;
    },
  };
}

/** The projected form of a stored event; undefined for streams and types this application does not know. */
export function toProjected(codec: EventCodec, e: RecordedEvent): ProjectedEvent | undefined {
  const place = parseStreamName(e.stream);
  if (!place) return undefined;
  const event = codec.decode(e.type, e.data);
  if (!event) return undefined;
  return {
    event,
    storedType: e.type,
    stream: e.stream,
    category: place.category,
    tenant: place.tenant,
    streamId: place.id,
    revision: e.revision,
    position: e.position,
    metadata: e.metadata as unknown as EventMetadata,
  };
}

/** Read-model keys carry the jurisdiction: one installation can serve many without collisions. */
export const docId = (tenant: string, id: string): string => `${tenant}:${id}`;
