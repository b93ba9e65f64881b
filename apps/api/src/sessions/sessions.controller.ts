import { Body, Controller, Get, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { CommandProcessor, ExecuteSessionCommand, sessionStream, type CommandResult } from '@app/command-handling';
import { NotFound, type SessionCommand } from '@app/proposals';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { accepted, commandRequest } from '../http/command-request.js';
import { commandData, SessionIdPipe } from '../http/params.js';
import { OpenSessionDto, SupervisionVisitDto } from './session.dto.js';

type HeaderMap = Record<string, string | string[] | undefined>;

@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
  ) {}

  @Post()
  async open(
    @CurrentPrincipal() principal: Principal,
    @Body() body: OpenSessionDto,
    @Headers() headers: HeaderMap,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const command: SessionCommand = { type: 'OpenSession', data: commandData(body) };
    const result = await this.commands.execute(new ExecuteSessionCommand(body.id, commandRequest(principal, headers, body, command)));
    return accepted(reply, result, 201, `/sessions/${body.id}`);
  }

  @Post(':id/supervision-visits')
  async supervisionVisit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', SessionIdPipe) id: string,
    @Body() body: SupervisionVisitDto,
    @Headers() headers: HeaderMap,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const command: SessionCommand = { type: 'RecordSupervisionVisit', data: commandData(body) };
    const result = await this.commands.execute(new ExecuteSessionCommand(id, commandRequest(principal, headers, body, command)));
    return accepted(reply, result, 201);
  }

  /** Any signed-in user may see a session's name, year and answer limit. */
  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', SessionIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const folded = await this.processor.sessions.load(sessionStream(principal.tenant, id), { fresh: true });
    if (!folded.state || folded.revision === 'no_stream') throw new NotFound(`no session ${id}`);
    const { name, year, answerLimitDays } = folded.state;
    void reply.header('etag', `"${folded.revision}"`);
    return { id, name, year, answerLimitDays, revision: folded.revision };
  }
}
