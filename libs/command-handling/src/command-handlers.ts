import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  authorizeProposalCommand,
  authorizeSessionCommand,
  decideProposal,
  decideSession,
  proposalNeeds,
  type ProposalCommand,
  type ProposalState,
  type Recording,
  type SessionCommand,
  type SessionState,
} from '@app/proposals';
import { CommandProcessor, type CommandRequest, type CommandResult, type MetadataBase } from './command-processor.js';
import { nameBasedUuid } from './ids.js';
import type { Folded } from './stream-repository.js';
import { proposalStream, sessionStream } from '@app/proposals';

export class ExecuteProposalCommand extends Command<CommandResult> {
  constructor(
    readonly proposalId: string,
    readonly request: CommandRequest<ProposalCommand>,
  ) {
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
    return processor.run(processor.proposals, stream, locks, proposalId, req, authorize, async (folded, recording, base) => {
      const sessionId = sessionOf(folded);
      const session = sessionId ? await processor.sessions.load(sessionStream(tenant, sessionId)) : null;
      const mergeTarget = needs.mergeTarget
        ? (await processor.proposals.load(proposalStream(tenant, needs.mergeTarget), { fresh: true })).state
        : undefined;
      const events = decideProposal(command, folded.state, {
        ...recording,
        utcOffsetMinutes: processor.settings.utcOffsetMinutes,
        session: session?.state ?? null,
        mergeTarget,
      });
      const registered = events.find((e) => e.type === 'ProposalRegistered');
      if (!registered || !session || !sessionId) return { events };
      const reserve = { proposalId, number: registered.data.number };
      return { events, before: () => this.reserveNumber(sessionStream(tenant, sessionId), session, reserve, recording, base) };
    });
  }

  private async reserveNumber(
    stream: string,
    session: Folded<SessionState>,
    data: { proposalId: string; number: string },
    recording: Recording,
    base: MetadataBase,
  ): Promise<void> {
    const events = decideSession({ type: 'ReserveProposalNumber', data }, session.state, sessionContext(this.processor, recording));
    if (events.length === 0) return;
    await this.processor.sessions.append(stream, session, events, {
      ...base,
      commandId: nameBasedUuid(base.commandId, 'reserve-number'),
      commandType: 'ReserveProposalNumber',
      causationId: base.commandId,
    });
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
    return processor.run(processor.sessions, stream, [stream], sessionId, req, authorize, async (folded, recording) => ({
      events: decideSession(req.command, folded.state, sessionContext(processor, recording)),
    }));
  }
}

const sessionContext = (processor: CommandProcessor, recording: Recording) => ({
  ...recording,
  utcOffsetMinutes: processor.settings.utcOffsetMinutes,
  defaultAnswerLimitDays: processor.settings.defaultAnswerLimitDays,
});

/** Both handlers over one command path, for jobs and benchmarks that run without a Nest container. */
export function commandHandlers(processor: CommandProcessor): { proposals: ProposalCommandHandler; sessions: SessionCommandHandler } {
  return { proposals: new ProposalCommandHandler(processor), sessions: new SessionCommandHandler(processor) };
}
