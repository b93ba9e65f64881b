import { createHash } from 'node:crypto';
import { WrongExpectedRevision, type EventStore } from '@app/event-store';
import {
  decideProposal,
  decideSession,
  evolveProposal,
  evolveSession,
  eventCodec,
  IllegalTransition,
  resolveRecording,
  RevisionMismatch,
  DomainError,
  type Actor,
  type DomainEvent,
  type EventCodec,
  type ProposalCommand,
  type ProposalEvent,
  type ProposalState,
  type Recording,
  type SessionCommand,
  type SessionEvent,
  type SessionState,
} from '@app/proposals';
import { canonicalJson } from './hash-chain.js';
import { commandIdFor, nameBasedUuid } from './ids.js';
import { KeyedLock } from './keyed-lock.js';
import type { EventMetadata } from './metadata.js';
import { StreamWriter, type Folded } from './stream-writer.js';
import { proposalStream, sessionStream } from './streams.js';

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
}

/** An Idempotency-Key already used for a different request on the same stream. */
export class IdempotencyKeyReused extends DomainError {
  readonly kind = 'unprocessable';
}

type MetadataBase = Omit<EventMetadata, 'hash' | 'schemaVersion'>;

interface Decision {
  readonly events: readonly DomainEvent[];
  /** Appends to other streams that must land first (the registration number's reservation). */
  readonly before?: () => Promise<void>;
}

/** Steps whose rules read the session: its existence, its numbers, or its answer limit for a default due date. */
const NEEDS_SESSION: ReadonlySet<ProposalCommand['type']> = new Set([
  'FileProposal',
  'RegisterProposal',
  'AssignProposal',
  'ReassignProposal',
  'RenegotiateProposal',
]);

const MAX_ATTEMPTS = 10;
/** After losing a race, wait a little, longer each time, so that racing writers spread out instead of colliding again. */
const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));

const isProposalEvent = (e: DomainEvent): e is ProposalEvent => !isSessionEvent(e);
const isSessionEvent = (e: DomainEvent): e is SessionEvent =>
  e.type === 'SessionOpened' || e.type === 'ProposalNumberReserved' || e.type === 'SupervisionVisitRecorded';

/**
 * The write side's one path: load the stream, decide, append with the expected revision. Retries a decision that
 * lost a race unless the caller pinned a revision with If-Match (then the race is the caller's 412).
 */
export class CommandProcessor {
  readonly proposals: StreamWriter<ProposalState>;
  readonly sessions: StreamWriter<SessionState>;
  private readonly lock = new KeyedLock();

  constructor(
    readonly store: EventStore,
    private readonly settings: HandlingSettings,
    codec: EventCodec = eventCodec,
  ) {
    this.proposals = new StreamWriter<ProposalState>(store, codec, (s, e, m) =>
      isProposalEvent(e) ? evolveProposal(s, e, m) : (s as ProposalState),
    );
    this.sessions = new StreamWriter<SessionState>(store, codec, (s, e) =>
      isSessionEvent(e) ? evolveSession(s, e) : (s as SessionState),
    );
  }

  async proposal(proposalId: string, req: CommandRequest<ProposalCommand>): Promise<CommandResult> {
    const { tenant, command } = req;
    const stream = proposalStream(tenant, proposalId);
    // A registration also appends to its session stream; lock order is always proposal, then session.
    const registrationSession =
      command.type === 'RegisterProposal' ? (await this.proposals.load(stream)).state?.session : undefined;
    const locks = registrationSession ? [stream, sessionStream(tenant, registrationSession)] : [stream];
    return this.run(this.proposals, stream, locks, proposalId, req, async (folded, recording, base) => {
      const sessionId = command.type === 'FileProposal' ? command.data.session : folded.state?.session;
      const session = sessionId && NEEDS_SESSION.has(command.type) ? await this.sessions.load(sessionStream(tenant, sessionId)) : null;
      const mergeTarget =
        command.type === 'DeclineProposal' && command.data.mergedInto
          ? (await this.proposals.load(proposalStream(tenant, command.data.mergedInto), { fresh: true })).state
          : undefined;
      const events = decideProposal(command, folded.state, {
        ...recording,
        utcOffsetMinutes: this.settings.utcOffsetMinutes,
        session: session?.state ?? null,
        mergeTarget,
      });
      const registered = events.find((e) => e.type === 'ProposalRegistered');
      if (!registered || !session || !sessionId) return { events };
      return {
        events,
        before: () => this.reserveNumber(sessionStream(tenant, sessionId), session, proposalId, registered.data.number, recording, base),
      };
    });
  }

  async session(sessionId: string, req: CommandRequest<SessionCommand>): Promise<CommandResult> {
    const stream = sessionStream(req.tenant, sessionId);
    return this.run(this.sessions, stream, [stream], sessionId, req, async (folded, recording) => ({
      events: decideSession(req.command, folded.state, {
        actor: recording.actor,
        defaultAnswerLimitDays: this.settings.defaultAnswerLimitDays,
      }),
    }));
  }

  private async reserveNumber(
    stream: string,
    session: Folded<SessionState>,
    proposalId: string,
    number: string,
    recording: Recording,
    base: MetadataBase,
  ): Promise<void> {
    const events = decideSession({ type: 'ReserveProposalNumber', data: { proposalId, number } }, session.state, {
      actor: recording.actor,
      defaultAnswerLimitDays: this.settings.defaultAnswerLimitDays,
    });
    if (events.length === 0) return;
    await this.sessions.append(stream, session, events, {
      ...base,
      commandId: nameBasedUuid(base.commandId, 'reserve-number'),
      commandType: 'ReserveProposalNumber',
      causationId: base.commandId,
    });
  }

  private async run<S>(
    writer: StreamWriter<S>,
    stream: string,
    locks: readonly string[],
    id: string,
    req: CommandRequest<{ type: string; data: unknown }>,
    decide: (folded: Folded<S>, recording: Recording, base: MetadataBase) => Promise<Decision>,
  ): Promise<CommandResult> {
    const recording = resolveRecording({
      caller: req.caller,
      onBehalfOf: req.onBehalfOf,
      occurredAt: req.occurredAt,
      now: this.settings.clock(),
      utcOffsetMinutes: this.settings.utcOffsetMinutes,
    });
    const commandId = commandIdFor(req.tenant, req.caller.id, req.idempotencyKey);
    const commandHash =
      req.idempotencyKey === undefined
        ? undefined
        : createHash('sha256')
            .update(canonicalJson({ stream, command: req.command, onBehalfOf: req.onBehalfOf, occurredAt: req.occurredAt }))
            .digest('hex');
    const base: MetadataBase = {
      tenant: req.tenant,
      actor: recording.actor,
      ...(recording.recorder ? { recorder: recording.recorder } : {}),
      occurredAt: recording.occurredAt,
      recordedAt: recording.recordedAt,
      commandId,
      commandType: req.command.type,
      correlationId: req.correlationId ?? commandId,
      causationId: req.causationId ?? commandId,
      ...(req.idempotencyKey === undefined ? {} : { idempotencyKey: req.idempotencyKey, commandHash }),
    };
    /** The first answer again for a retried command; else the If-Match check and the decision. */
    const decideOn = async (folded: Folded<S>): Promise<CommandResult | Decision> => {
      const earlier = folded.commands.get(commandId);
      if (earlier && req.idempotencyKey !== undefined) {
        if (earlier.commandHash !== commandHash)
          throw new IdempotencyKeyReused('was already used for a different request', 'Idempotency-Key');
        return { id, revision: earlier.revision, position: earlier.position };
      }
      if (req.expectedRevision !== undefined && folded.revision !== req.expectedRevision)
        throw new RevisionMismatch(req.expectedRevision, folded.revision);
      return decide(folded, recording, base);
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.lock.run(locks, async () => {
          // The first attempt decides on the cached stream (a lost race decides again on a fresh read), and a
          // refusal never rests on a stale cache: if the stream moved, the command is decided again.
          let folded = await writer.load(stream, { fresh: attempt > 1 });
          let outcome: CommandResult | Decision;
          try {
            outcome = await decideOn(folded);
          } catch (refusal) {
            if (!(refusal instanceof DomainError) || attempt > 1) throw refusal;
            const fresh = await writer.load(stream, { fresh: true });
            if (fresh.revision === folded.revision) throw refusal;
            folded = fresh;
            outcome = await decideOn(folded);
          }
          if (!('events' in outcome)) return outcome;
          await outcome.before?.();
          const { revision, position } = await writer.append(stream, folded, outcome.events, base);
          return { id, revision, position };
        });
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        if (error.stream === stream && req.expectedRevision !== undefined)
          throw new RevisionMismatch(req.expectedRevision, error.actual);
        if (attempt >= MAX_ATTEMPTS)
          throw new IllegalTransition('the proposal kept changing while this step was decided; try again');
        await backOff(attempt);
      }
    }
  }
}
