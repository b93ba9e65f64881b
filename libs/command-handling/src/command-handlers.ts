import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  assertNever,
  authorizeDirectoryCommand,
  authorizeReminderCommand,
  decideReminder,
  DEFAULT_REMINDER_POLICY,
  eventCodec,
  evolveReminders,
  isReminderEvent,
  remindersStream,
  type ReminderCommand,
  type ReminderPolicy,
  type RemindersState,
  authorizeProposalCommand,
  authorizeSessionCommand,
  decideDirectory,
  decideProposal,
  decideSession,
  directoryStream,
  proposalNeeds,
  type ProposalCommand,
  type ProposalState,
  type DirectoryCommand,
  type DirectoryState,
  type Recording,
  type SessionCommand,
  type SessionState,
} from '@app/proposals';
import { CommandProcessor, type CommandRequest, type CommandResult, type MetadataBase } from './command-processor.js';
import { nameBasedUuid } from './ids.js';
import { StreamRepository, type Folded } from './stream-repository.js';
import { proposalStream, sessionStream } from '@app/proposals';

export class ExecuteProposalCommand extends Command<CommandResult> {
  constructor(
    readonly proposalId: string,
    readonly request: CommandRequest<ProposalCommand>,
  ) {
    super();
  }
}

export class ExecuteDirectoryCommand extends Command<CommandResult> {
  constructor(readonly request: CommandRequest<DirectoryCommand>) {
    super();
  }
}

export class ExecuteSessionCommand extends Command<CommandResult> {
  constructor(
    readonly sessionId: string,
    readonly request: CommandRequest<SessionCommand>,
  ) {
    super();
  }
}

/**
 * A proposal's commands: loads what the domain says the decision needs (proposalNeeds: the session, a merge
 * target), locks the streams it writes, decides, and reserves a registration number on the session stream before
 * the registration lands. The command path (CommandProcessor) does the rest.
 */
@CommandHandler(ExecuteProposalCommand)
export class ProposalCommandHandler implements ICommandHandler<ExecuteProposalCommand, CommandResult> {
  constructor(private readonly processor: CommandProcessor) {}

  execute({ proposalId, request }: ExecuteProposalCommand): Promise<CommandResult> {
    return this.handle(proposalId, request);
  }

  async handle(proposalId: string, req: CommandRequest<ProposalCommand>): Promise<CommandResult> {
    const { processor } = this;
    const { tenant, command } = req;
    const stream = proposalStream(tenant, proposalId);
    const needs = proposalNeeds(command);
    const sessionOf = (folded: Folded<ProposalState>): string | undefined =>
      needs.session === 'none' ? undefined : needs.session === 'own' ? folded.state?.session : needs.session.named;
    // A registration also appends to its session stream; lock order is always proposal, then session.
    const lockedSession = needs.reservesNumber ? sessionOf(await processor.proposals.load(stream)) : undefined;
    const locks = lockedSession ? [stream, sessionStream(tenant, lockedSession)] : [stream];
    const authorize = (folded: Folded<ProposalState>, recording: Recording) =>
      authorizeProposalCommand(command.type, folded.state, recording.actor);
    return processor.run(processor.proposals, stream, locks, proposalId, req, authorize, async (folded, recording, base, directory) => {
      const sessionId = sessionOf(folded);
      const sessionKey = sessionId && sessionStream(tenant, sessionId);
      // A registration holding the session's lock decides on the session as it will stand once the reservations
      // queued before its own commit (its reservation then expects theirs); other steps decide on what is committed.
      const ahead = sessionKey !== undefined && lockedSession === sessionId;
      let session = sessionKey
        ? ((ahead ? processor.sessions.ahead(sessionKey) : processor.sessions.cached(sessionKey)) ?? (await processor.sessions.load(sessionKey)))
        : null;
      const mergeTarget = needs.mergeTarget
        ? (await processor.proposals.load(proposalStream(tenant, needs.mergeTarget), { fresh: true })).state
        : undefined;
      const decide = () =>
        decideProposal(command, folded.state, {
          ...recording,
          utcOffsetMinutes: processor.settings.utcOffsetMinutes,
          session: session?.state ?? null,
          mergeTarget,
          directory,
        });
      let events: ReturnType<typeof decideProposal>;
      try {
        events = decide();
      } catch (refusal) {
        // A refusal never rests on reservations not yet committed: decided again on what they end as.
        const settling = ahead && sessionKey ? processor.sessions.settling(sessionKey) : undefined;
        if (!settling || !sessionKey) throw refusal;
        await settling;
        session = processor.sessions.cached(sessionKey) ?? (await processor.sessions.load(sessionKey));
        events = decide();
      }
      const registered = events.find((e) => e.type === 'ProposalRegistered');
      if (!registered || !session || !sessionId) return { events };
      const reserveFrom = session;
      const reserve = { proposalId, number: registered.data.number };
      const reserveIn = sessionStream(tenant, sessionId);
      return { events, before: (queued) => this.reserveNumber(reserveIn, reserveFrom, reserve, { ...recording, directory }, base, queued) };
    });
  }

  private async reserveNumber(
    stream: string,
    session: Folded<SessionState>,
    data: { proposalId: string; number: string },
    recording: Recording & { directory: DirectoryState },
    base: MetadataBase,
    queued: () => void,
  ): Promise<void> {
    const events = decideSession({ type: 'ReserveProposalNumber', data }, session.state, sessionContext(this.processor, recording, recording.directory));
    if (events.length === 0) return;
    await this.processor.sessions.append(stream, session, events, {
      ...base,
      commandId: nameBasedUuid(base.commandId, 'reserve-number'),
      commandType: 'ReserveProposalNumber',
      causationId: base.commandId,
    }, undefined, queued);
  }
}

/** A session's commands: decided on the session stream alone. */
@CommandHandler(ExecuteSessionCommand)
export class SessionCommandHandler implements ICommandHandler<ExecuteSessionCommand, CommandResult> {
  constructor(private readonly processor: CommandProcessor) {}

  execute({ sessionId, request }: ExecuteSessionCommand): Promise<CommandResult> {
    return this.handle(sessionId, request);
  }

  handle(sessionId: string, req: CommandRequest<SessionCommand>): Promise<CommandResult> {
    const { processor } = this;
    const stream = sessionStream(req.tenant, sessionId);
    const authorize = (_: Folded<SessionState>, recording: Recording) => authorizeSessionCommand(req.command.type, recording.actor);
    return processor.run(processor.sessions, stream, [stream], sessionId, req, authorize, async (folded, recording, _base, directory) => ({
      events: decideSession(req.command, folded.state, sessionContext(processor, recording, directory)),
    }));
  }
}

/**
 * The directory's commands, on the jurisdiction's one directory stream. An entry's ETag is the revision of its
 * latest change, so the answer to a step on one entry carries that entry's revision.
 */
@CommandHandler(ExecuteDirectoryCommand)
export class DirectoryCommandHandler implements ICommandHandler<ExecuteDirectoryCommand, CommandResult> {
  constructor(private readonly processor: CommandProcessor) {}

  execute({ request }: ExecuteDirectoryCommand): Promise<CommandResult> {
    return this.handle(request);
  }

  async handle(req: CommandRequest<DirectoryCommand>): Promise<CommandResult> {
    const { processor } = this;
    const stream = directoryStream(req.tenant);
    const authorize = (_: Folded<DirectoryState>, recording: Recording) => authorizeDirectoryCommand(req.command.type, recording.actor);
    const result = await processor.run(processor.directories, stream, [stream], 'main', req, authorize, async (folded, recording) => ({
      events: decideDirectory(req.command, folded.state, { ...recording, utcOffsetMinutes: processor.settings.utcOffsetMinutes }),
    }));
    const entry = entryOf(req.command);
    if (!entry) return result;
    const { state } = await processor.directory(req.tenant);
    const revision = (entry.kind === 'unit' ? state.units.get(entry.key) : state.members.get(entry.key))?.revision;
    return { id: entry.key, revision: revision ?? result.revision, position: result.position };
  }
}

/** The one entry a directory command is about, if it is about one. */
function entryOf(cmd: DirectoryCommand): { kind: 'unit' | 'member'; key: string } | undefined {
  switch (cmd.type) {
    case 'RegisterUnit':
    case 'ChangeUnit':
    case 'DeactivateUnit':
      return { kind: 'unit', key: cmd.data.code.trim() };
    case 'RegisterMember':
    case 'ChangeMember':
    case 'DeactivateMember':
      return { kind: 'member', key: cmd.data.id.trim() };
    case 'AddStaffAccount':
    case 'RemoveStaffAccount':
    case 'ImportDirectory':
      return undefined;
    default:
      return assertNever(cmd, 'directory command');
  }
}

export class ExecuteReminderCommand extends Command<CommandResult> {
  constructor(readonly request: CommandRequest<ReminderCommand>) {
    super();
  }
}

/** When reminders fall due, for the reminders' handler (REMINDER_DAYS_BEFORE_DUE, FEEDBACK_REMINDER_DAYS, ESCALATE_AFTER_DAYS). */
export const REMINDER_POLICY = Symbol('ReminderPolicy');

/**
 * The reminders of a jurisdiction, on its one reminders stream (`reminders-<tenant>:main`): each decided on the
 * proposal it is about, read fresh, so that a reminder is sent only while its proposal still calls for it.
 */
@CommandHandler(ExecuteReminderCommand)
export class ReminderCommandHandler implements ICommandHandler<ExecuteReminderCommand, CommandResult> {
  readonly reminders: StreamRepository<RemindersState>;

  constructor(
    private readonly processor: CommandProcessor,
    @Inject(REMINDER_POLICY) private readonly policy: ReminderPolicy,
  ) {
    this.reminders = new StreamRepository<RemindersState>(processor.store, eventCodec, (s, e) =>
      isReminderEvent(e) ? evolveReminders(s, e) : (s as RemindersState),
    );
  }

  execute({ request }: ExecuteReminderCommand): Promise<CommandResult> {
    return this.handle(request);
  }

  handle(req: CommandRequest<ReminderCommand>): Promise<CommandResult> {
    const { processor, policy } = this;
    const stream = remindersStream(req.tenant);
    const authorize = (_: Folded<RemindersState>, recording: Recording) => authorizeReminderCommand(req.command.type, recording.actor);
    return processor.run(this.reminders, stream, [stream], 'main', req, authorize, async (folded, recording) => {
      const proposal = await processor.proposals.load(proposalStream(req.tenant, req.command.data.proposalId), { fresh: true });
      const { utcOffsetMinutes } = processor.settings;
      return { events: decideReminder(req.command, folded.state, { ...recording, utcOffsetMinutes, policy, proposal: proposal.state }) };
    });
  }
}

const sessionContext = (processor: CommandProcessor, recording: Recording, directory: DirectoryState) => ({
  ...recording,
  directory,
  utcOffsetMinutes: processor.settings.utcOffsetMinutes,
  defaultAnswerLimitDays: processor.settings.defaultAnswerLimitDays,
});

/** The handlers over one command path, for jobs and benchmarks that run without a Nest container. */
export function commandHandlers(processor: CommandProcessor, reminderPolicy: ReminderPolicy = DEFAULT_REMINDER_POLICY) {
  return {
    proposals: new ProposalCommandHandler(processor),
    sessions: new SessionCommandHandler(processor),
    directory: new DirectoryCommandHandler(processor),
    reminders: new ReminderCommandHandler(processor, reminderPolicy),
  };
}
