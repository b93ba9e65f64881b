import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ProposalCommand, SessionCommand } from '@app/proposals';
import { CommandProcessor, type CommandRequest, type CommandResult } from './command-processor.js';

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

@CommandHandler(ExecuteProposalCommand)
export class ExecuteProposalCommandHandler implements ICommandHandler<ExecuteProposalCommand, CommandResult> {
  constructor(private readonly processor: CommandProcessor) {}

  execute({ proposalId, request }: ExecuteProposalCommand): Promise<CommandResult> {
    return this.processor.proposal(proposalId, request);
  }
}

@CommandHandler(ExecuteSessionCommand)
export class ExecuteSessionCommandHandler implements ICommandHandler<ExecuteSessionCommand, CommandResult> {
  constructor(private readonly processor: CommandProcessor) {}

  execute({ sessionId, request }: ExecuteSessionCommand): Promise<CommandResult> {
    return this.processor.session(sessionId, request);
  }
}
