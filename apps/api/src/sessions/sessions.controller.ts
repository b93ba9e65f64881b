import { Body, Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { CommandProcessor, ExecuteSessionCommand, type CommandResult } from '@app/command-handling';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { sessionSummaries, type SessionSummary } from '@app/projections';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { NotFound, type SessionCommand, sessionStream } from '@app/proposals';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import type { CommandBody } from '../http/command-body.js';
import { CommandRoute, commandData, commandRequest, Envelope, type CommandEnvelope } from '../http/command-request.js';
import { SessionIdPipe } from '../http/params.js';
import { Answers } from '../openapi/decorators.js';
import { ReadQuery } from '../read/query-dto.js';
import { OpenSessionDto, SupervisionVisitDto } from './session.dto.js';

/** The sessions of the committee: opening one, and the supervision visits recorded on it. */
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private send(id: string, envelope: CommandEnvelope, body: CommandBody, command: SessionCommand): Promise<CommandResult> {
    return this.commands.execute(new ExecuteSessionCommand(id, commandRequest(envelope, body, command)));
  }

  @CommandRoute('', { creates: (r) => `/sessions/${r.id}` })
  open(@Body() b: OpenSessionDto, @Envelope() e: CommandEnvelope) {
    return this.send(b.id, e, b, { type: 'OpenSession', data: commandData(b) });
  }

  @CommandRoute(':id/supervision-visits', { creates: (r) => `/sessions/${r.id}` })
  supervisionVisit(@Param('id', SessionIdPipe) id: string, @Body() b: SupervisionVisitDto, @Envelope() e: CommandEnvelope) {
    return this.send(id, e, b, { type: 'RecordSupervisionVisit', data: commandData(b) });
  }

  /** The jurisdiction's sessions with their counts (filed, registered, declined, answered, published); anyone signed in. */
  @Get()
  @Answers('SessionList')
  list(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery): Promise<{ items: SessionSummary[] }> {
    return sessionSummaries(this.readStore, p.tenant, this.config.utcOffsetMinutes).then((items) => ({ items }));
  }

  /** Any signed-in user may see a session's name, year and answer limit. */
  @Get(':id')
  @Answers('Session', { etag: true })
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
