import { createHash } from 'node:crypto';
import { WrongExpectedRevision, type EventStore } from '@app/event-store';
import {
  evolveProposal,
  evolveSession,
  eventCodec,
  IllegalTransition,
  checkActor,
  directoryStream,
  EMPTY_DIRECTORY,
  evolveDirectory,
  isDirectoryEvent,
  isProposalEvent,
  namesAt,
  isSessionEvent,
  resolveRecording,
  RevisionMismatch,
  DomainError,
  type Actor,
  type DirectoryState,
  type DomainEvent,
  type OnBehalfRole,
  type EventCodec,
  type ProposalState,
  type Recording,
  type SessionState,
} from '@app/proposals';
import { canonicalJson } from './hash-chain.js';
import { commandIdFor } from './ids.js';
import { KeyedLock } from './keyed-lock.js';
import type { EventMetadata } from '@app/proposals';
import { StreamRepository, type Folded } from './stream-repository.js';
import { streamKindOf } from '@app/proposals';

export interface CommandRequest<C> {
  readonly tenant: string;
  /** Who sent the command (from the token). */
  readonly caller: Actor;
  readonly command: C;
  /** A clerk's paper record: who did the step. */
  readonly onBehalfOf?: Actor;
  /** A clerk's paper record: when the step happened. */
  readonly occurredAt?: string;
  /** From If-Match: the revision the caller saw. */
  readonly expectedRevision?: number;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

export interface CommandResult {
  readonly id: string;
  readonly revision: number;
  readonly position: number;
}

export interface HandlingSettings {
  readonly utcOffsetMinutes: number;
  readonly defaultAnswerLimitDays: number;
  readonly clock: () => Date;
  /** Whose paper steps a clerk may record (CLERK_MAY_RECORD_FOR); the domain's safe default when not given. */
  readonly clerkMayRecordFor?: readonly OnBehalfRole[];
  /** Told how each command ended and how long each append took (the API's metrics). */
  readonly observer?: CommandObserver;
}

export interface CommandObserver {
  /** Once per command: accepted when `error` is undefined; else refused (a DomainError) or failed. */
  commandDone(type: string, error?: unknown): void;
  appended(seconds: number): void;
}

/** An Idempotency-Key already used for a different request on the same stream. */
export class IdempotencyKeyReused extends DomainError {
  readonly kind = 'unprocessable';
}

/** The metadata every event of one command shares; each append adds the hash chain. */
export type MetadataBase = Omit<EventMetadata, 'hash'>;

export interface Decision {
  readonly events: readonly DomainEvent[];
  /**
   * Appends to other streams that must land first (the registration number's reservation). `queued` is called
   * once they are queued in the store: the other streams' locks are released then, before their commit.
   */
  readonly before?: (queued: () => void) => Promise<void>;
}

const MAX_ATTEMPTS = 10;
/** After losing a race, wait a little, longer each time, so that racing writers spread out instead of colliding again. */
const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));


/** The metadata every event of a command shares, in its stored (and hashed) key order. */
function metadataBase(
  req: CommandRequest<{ type: string }>,
  recording: Recording,
  commandId: string,
  commandHash: string | undefined,
): MetadataBase {
  // Assigned one by one rather than spread from conditional parts: the same keys in the same order, without
  // building the throw-away objects the spreads made on every command.
  const base: Record<string, unknown> = { tenant: req.tenant, actor: recording.actor };
  if (recording.recorder) base.recorder = recording.recorder;
  base.occurredAt = recording.occurredAt;
  base.recordedAt = recording.recordedAt;
  base.commandId = commandId;
  base.commandType = req.command.type;
  base.correlationId = req.correlationId ?? commandId;
  base.causationId = req.causationId ?? commandId;
  if (req.idempotencyKey !== undefined) {
    base.idempotencyKey = req.idempotencyKey;
    base.commandHash = commandHash;
  }
  return base as MetadataBase;
}

/**
 * The write side's one path, for every kind of stream: load the stream, decide, append with the expected revision.
 * Retries a decision that lost a race unless the caller pinned a revision with If-Match (then the race is the
 * caller's 412). What each kind of stream loads and decides is its command handler's (command-handlers.ts).
 */
export class CommandProcessor {
  readonly proposals: StreamRepository<ProposalState>;
  readonly sessions: StreamRepository<SessionState>;
  readonly directories: StreamRepository<DirectoryState>;
  private readonly lock = new KeyedLock();
  private readonly observed = new WeakSet<object>();

  constructor(
    readonly store: EventStore,
    readonly settings: HandlingSettings,
    codec: EventCodec = eventCodec,
  ) {
    this.proposals = new StreamRepository<ProposalState>(store, codec, (s, e, m) =>
      isProposalEvent(e) ? evolveProposal(s, e, m) : (s as ProposalState),
    );
    this.sessions = new StreamRepository<SessionState>(store, codec, (s, e, m) =>
      isSessionEvent(e) ? evolveSession(s, e, m) : (s as SessionState),
    );
    this.directories = new StreamRepository<DirectoryState>(store, codec, (s, e, _m, revision) =>
      isDirectoryEvent(e) ? evolveDirectory(s, e, { revision }) : (s as DirectoryState),
    );
  }

  /**
   * The one path of every command: resolve who did it and when, check the caller may ask it of this stream, answer
   * a retry from what it did the first time, check If-Match, decide, append with the expected revision — and decide
   * again on a fresh read when another writer got there first. `decide` is the stream kind's own part.
   */
  /** The jurisdiction's directory, folded (empty before its first entry): cached, or read again when `fresh`. */
  async directory(tenant: string, fresh = false): Promise<{ state: DirectoryState; revision: number | 'no_stream' }> {
    const folded = await this.directories.load(directoryStream(tenant), { fresh });
    return { state: folded.state ?? EMPTY_DIRECTORY, revision: folded.revision };
  }

  /** The jurisdiction's directory as cached, when it is: what `directory(tenant)` would answer, without a promise. */
  private cachedDirectory(tenant: string): { state: DirectoryState; revision: number | 'no_stream' } | undefined {
    const folded = this.directories.cached(directoryStream(tenant));
    return folded && { state: folded.state ?? EMPTY_DIRECTORY, revision: folded.revision };
  }

  async run<S>(
    writer: StreamRepository<S>,
    stream: string,
    locks: readonly string[],
    id: string,
    req: CommandRequest<{ type: string; data: unknown }>,
    authorize: (folded: Folded<S>, recording: Recording) => void,
    decide: (folded: Folded<S>, recording: Recording, base: MetadataBase, directory: DirectoryState) => Promise<Decision>,
  ): Promise<CommandResult> {
    const observer = this.settings.observer;
    if (observer && !this.observed.has(req)) {
      // Once around the whole path, so that a refusal at any step (who recorded it, a lost race) is counted once.
      this.observed.add(req);
      const done = (error?: unknown) => observer.commandDone(req.command.type, error);
      return this.run(writer, stream, locks, id, req, authorize, decide).then(
        (result) => (done(), result),
        (error: unknown) => (done(error), Promise.reject(error)),
      );
    }
    const recording = resolveRecording({
      caller: req.caller,
      onBehalfOf: req.onBehalfOf,
      occurredAt: req.occurredAt,
      now: this.settings.clock(),
      utcOffsetMinutes: this.settings.utcOffsetMinutes,
      clerkMayRecordFor: this.settings.clerkMayRecordFor,
    });
    const commandId = commandIdFor(req.tenant, req.caller, req.idempotencyKey);
    const commandHash =
      req.idempotencyKey === undefined
        ? undefined
        : createHash('sha256')
            .update(canonicalJson({ stream, command: req.command, onBehalfOf: req.onBehalfOf, occurredAt: req.occurredAt }))
            .digest('hex');
    const base = metadataBase(req, recording, commandId, commandHash);
    /**
     * Whether the one taking the step is someone the directory knows, and may ask this of the stream at all; then the
     * first answer again for a retried command; else the If-Match check and the decision.
     */
    const decideOn = async (folded: Folded<S>, directory: DirectoryState): Promise<CommandResult | Decision> => {
      checkActor(directory, recording, this.settings.utcOffsetMinutes);
      authorize(folded, recording);
      const earlier = folded.commands.get(commandId);
      if (earlier && req.idempotencyKey !== undefined) {
        if (earlier.commandHash !== commandHash)
          throw new IdempotencyKeyReused('was already used for a different request', 'Idempotency-Key');
        return { id, revision: earlier.revision, position: earlier.position };
      }
      if (req.expectedRevision !== undefined && folded.revision !== req.expectedRevision)
        throw new RevisionMismatch(req.expectedRevision, folded.revision);
      return decide(folded, recording, base, directory);
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.lock.run(locks, async (release) => {
          // The first attempt decides on the cached stream (a lost race decides again on a fresh read), and a
          // refusal never rests on a stale cache: if the stream moved, the command is decided again.
          // A step on a stream with a chained append still uncommitted (a session whose registration numbers are
          // being reserved) decides on what it ends as, as it did when the lock was held through the commit.
          const settling = writer.settling(stream);
          if (settling) await settling;
          let folded = (attempt === 1 && writer.cached(stream)) || (await writer.load(stream, { fresh: attempt > 1 }));
          let directory = (attempt === 1 && this.cachedDirectory(req.tenant)) || (await this.directory(req.tenant, attempt > 1));
          let outcome: CommandResult | Decision;
          try {
            outcome = await decideOn(folded, directory.state);
          } catch (refusal) {
            if (!(refusal instanceof DomainError) || attempt > 1) throw refusal;
            const fresh = await writer.load(stream, { fresh: true });
            const freshDirectory = await this.directory(req.tenant, true);
            if (fresh.revision === folded.revision && freshDirectory.revision === directory.revision) throw refusal;
            [folded, directory] = [fresh, freshDirectory];
            outcome = await decideOn(folded, directory.state);
          }
          if (!('events' in outcome)) return outcome;
          if (outcome.events.length === 0) return { id, revision: folded.revision as number, position: folded.position };
          if (outcome.before) {
            // The other streams' locks (the session of a registration) are released once what must land first is
            // queued, rather than after its commit or this stream's own: the next registration of the session is
            // decided on the session as it will stand (StreamRepository.ahead) and its reservation joins the same
            // group commit, expecting this one's revision — so it is refused if this one is. This stream's own
            // events are still appended only once the reservation has committed.
            const releaseOthers = () => {
              for (const key of locks) if (key !== stream) release(key);
            };
            await outcome.before(releaseOthers);
            releaseOthers();
          }
          const people = [recording.actor, recording.recorder];
          const namesOf = (event: DomainEvent) => ({ names: namesAt(directory.state, event, people) });
          const appendStarted = performance.now();
          const { revision, position } = await writer.append(stream, folded, outcome.events, base, namesOf);
          observer?.appended((performance.now() - appendStarted) / 1000);
          return { id, revision, position };
        });
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (error.stream === stream && req.expectedRevision !== undefined)
          throw new RevisionMismatch(req.expectedRevision, error.actual);
        if (attempt >= MAX_ATTEMPTS)
          throw new IllegalTransition(`the ${streamKindOf(stream)} kept changing while this step was decided; try again`);
        await backOff(attempt);
      }
    }
  }
}
