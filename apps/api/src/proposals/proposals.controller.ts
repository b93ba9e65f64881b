import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import {
  ExecuteProposalCommand,
  ProposalQueries,
  proposalIdFor,
  type CommandResult,
  type TrailEntry,
} from '@app/command-handling';
import { canReadDoc, ProposalsQuery, type Paged, type ProposalDoc, type ProposalSummary } from '@app/projections';
import { Forbidden, NotFound, type ProposalCommand, type Proposer } from '@app/proposals';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import type { CommandBody } from '../http/command-body.js';
import { accepted, commandRequest } from '../http/command-request.js';
import { commandData, ProposalIdPipe } from '../http/params.js';
import { ListProposalsQuery, ReadQuery } from '../read/query-dto.js';
import {
  AnswerDto,
  AssignDto,
  CoUnitOpinionDto,
  DeclineDto,
  EmptyCommandDto,
  FeedbackDto,
  FileProposalDto,
  FollowUpDto,
  ReassignmentRequestDto,
  RegisterDto,
  RenegotiationDto,
  SupervisionDto,
  VisitDto,
} from './proposal.dto.js';

type HeaderMap = Record<string, string | string[] | undefined>;

/** The handling of one proposal, step by step: every POST appends the step's events to the proposal's stream. */
@Controller('proposals')
export class ProposalsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ProposalQueries) private readonly queries: ProposalQueries,
    @Inject(ProposalsQuery) private readonly readModel: ProposalsQuery,
  ) {}

  private async execute(
    principal: Principal,
    id: string,
    headers: HeaderMap,
    body: CommandBody,
    command: ProposalCommand,
    reply: FastifyReply,
    status = 200,
  ): Promise<CommandResult> {
    const request = commandRequest(principal, headers, body, command);
    const result = await this.commands.execute(new ExecuteProposalCommand(id, request));
    return accepted(reply, result, status, status === 201 ? `/proposals/${id}` : undefined);
  }

  @Post()
  file(@CurrentPrincipal() p: Principal, @Body() body: FileProposalDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    const id = proposalIdFor(p.tenant, p.id, typeof h['idempotency-key'] === 'string' ? h['idempotency-key'] : undefined);
    const { proposers, ...rest } = commandData(body);
    const data = {
      ...rest,
      proposalId: id,
      ...(proposers ? { proposers: proposers.map((x): Proposer => (typeof x === 'string' ? { id: x } : x)) } : {}),
    };
    return this.execute(p, id, h, body, { type: 'FileProposal', data }, r, 201);
  }

  @Post(':id/register')
  register(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: RegisterDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'RegisterProposal', data: commandData(body) }, r);
  }

  @Post(':id/decline')
  decline(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: DeclineDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'DeclineProposal', data: commandData(body) }, r);
  }

  @Post(':id/assign')
  assign(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: AssignDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'AssignProposal', data: commandData(body) }, r);
  }

  @Post(':id/reassignment-requests')
  requestReassignment(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: ReassignmentRequestDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'RequestReassignment', data: commandData(body) }, r);
  }

  @Post(':id/reassign')
  reassign(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: AssignDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'ReassignProposal', data: commandData(body) }, r);
  }

  @Post(':id/claim')
  claim(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: EmptyCommandDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'ClaimProposal', data: {} }, r);
  }

  @Post(':id/visits')
  visit(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: VisitDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'RecordVisit', data: commandData(body) }, r);
  }

  @Post(':id/co-unit-opinions')
  coUnitOpinion(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: CoUnitOpinionDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'SendCoUnitOpinion', data: commandData(body) }, r);
  }

  @Post(':id/answers')
  answer(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: AnswerDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'AnswerProposal', data: commandData(body) }, r);
  }

  @Post(':id/feedback')
  feedback(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: FeedbackDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'GiveFeedback', data: commandData(body) }, r);
  }

  @Post(':id/renegotiation')
  renegotiate(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: RenegotiationDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'RenegotiateProposal', data: commandData(body) }, r);
  }

  @Post(':id/follow-ups')
  followUp(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: FollowUpDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'FollowUpProposal', data: commandData(body) }, r);
  }

  @Post(':id/supervision')
  supervise(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: SupervisionDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'SuperviseProposal', data: commandData(body) }, r);
  }

  @Post(':id/publication')
  publish(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Body() body: EmptyCommandDto, @Headers() h: HeaderMap, @Res({ passthrough: true }) r: FastifyReply) {
    return this.execute(p, id, h, body, { type: 'PublishAnswer', data: {} }, r);
  }

  /** The proposals the caller may see, filtered, sorted and paged, from the read model. */
  @Get()
  list(@CurrentPrincipal() p: Principal, @Query() q: ListProposalsQuery): Promise<Paged<ProposalSummary>> {
    return this.readModel.list(p.tenant, p, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 20 });
  }

  /** One proposal with every dated fact of its handling, from the read model; ETag is its revision. */
  @Get(':id')
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', ProposalIdPipe) id: string,
    @Query() _: ReadQuery,
    @Res({ passthrough: true }) r: FastifyReply,
  ): Promise<Omit<ProposalDoc, 'tenant' | 'proposalId'>> {
    const doc = await this.readModel.get(p.tenant, id);
    if (!doc) throw new NotFound(`no proposal ${id}`);
    if (!canReadDoc(p, doc)) throw new Forbidden(`proposal ${id} is not one you take part in`);
    void r.header('etag', `"${doc.revision}"`);
    const { tenant: _tenant, proposalId, ...view } = doc;
    return { ...view, id: proposalId };
  }

  @Get(':id/history')
  async history(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string): Promise<{ id: string; events: TrailEntry[] }> {
    return { id, events: await this.queries.history(p.tenant, p, id) };
  }
}
