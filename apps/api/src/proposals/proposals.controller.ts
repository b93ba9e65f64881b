import { Body, Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { ExecuteProposalCommand, ProposalTrail, proposalIdFor, type CommandResult } from '@app/command-handling';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { canReadDoc, historyEntry, ProposalsQuery, type HistoryEntry, type Paged, type ProposalSummary, type ProposalView } from '@app/projections';
import { Forbidden, NotFound, type ProposalCommand } from '@app/proposals';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import type { CommandBody } from '../http/command-body.js';
import { CommandRoute, commandData, commandRequest, Envelope, type CommandEnvelope } from '../http/command-request.js';
import { ProposalIdPipe } from '../http/params.js';
import { Answers } from '../openapi/decorators.js';
import { ListProposalsQuery, ReadQuery } from '../read/query-dto.js';
import { Exportable, WantsFile } from '../http/formats.js';
import { everyProposal, proposalListTable } from '@app/reporting';
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
  WithdrawalDto,
} from './proposal.dto.js';

const ProposalId = () => Param('id', ProposalIdPipe);

/**
 * The handling of one proposal, step by step: every POST appends the step's events to the proposal's stream. A
 * route says only its path, its body and its command; the envelope and the reply are the same for all.
 */
@Controller('proposals')
export class ProposalsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ProposalTrail) private readonly trail: ProposalTrail,
    @Inject(ProposalsQuery) private readonly readModel: ProposalsQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private send(id: string, envelope: CommandEnvelope, body: CommandBody, command: ProposalCommand): Promise<CommandResult> {
    return this.commands.execute(new ExecuteProposalCommand(id, commandRequest(envelope, body, command)));
  }

  /** A retried filing with the same Idempotency-Key names the same proposal. */
  @CommandRoute('', { creates: (r) => `/proposals/${r.id}` })
  file(@Body() b: FileProposalDto, @Envelope() e: CommandEnvelope) {
    const id = proposalIdFor(e.principal.tenant, e.principal, e.idempotencyKey);
    return this.send(id, e, b, { type: 'FileProposal', data: { ...commandData(b), proposalId: id } });
  }

  /** A member asked to join a joint proposal (联名) confirms; only then do they take part in it. */
  @CommandRoute(':id/co-proposer-confirmations') confirm(@ProposalId() id: string, @Body() b: EmptyCommandDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'ConfirmCoProposal', data: {} }); }

  @CommandRoute(':id/withdrawal') withdraw(@ProposalId() id: string, @Body() b: WithdrawalDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'WithdrawProposal', data: commandData(b) }); }

  @CommandRoute(':id/register') register(@ProposalId() id: string, @Body() b: RegisterDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'RegisterProposal', data: commandData(b) }); }

  @CommandRoute(':id/decline') decline(@ProposalId() id: string, @Body() b: DeclineDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'DeclineProposal', data: commandData(b) }); }

  @CommandRoute(':id/assign') assign(@ProposalId() id: string, @Body() b: AssignDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'AssignProposal', data: commandData(b) }); }

  @CommandRoute(':id/reassignment-requests') requestReassignment(@ProposalId() id: string, @Body() b: ReassignmentRequestDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'RequestReassignment', data: commandData(b) }); }

  @CommandRoute(':id/reassign') reassign(@ProposalId() id: string, @Body() b: AssignDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'ReassignProposal', data: commandData(b) }); }

  @CommandRoute(':id/claim') claim(@ProposalId() id: string, @Body() b: EmptyCommandDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'ClaimProposal', data: {} }); }

  @CommandRoute(':id/visits') visit(@ProposalId() id: string, @Body() b: VisitDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'RecordVisit', data: commandData(b) }); }

  @CommandRoute(':id/co-unit-opinions') sendOpinion(@ProposalId() id: string, @Body() b: CoUnitOpinionDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'SendCoUnitOpinion', data: commandData(b) }); }

  @CommandRoute(':id/answers') answer(@ProposalId() id: string, @Body() b: AnswerDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'AnswerProposal', data: commandData(b) }); }

  @CommandRoute(':id/feedback') giveFeedback(@ProposalId() id: string, @Body() b: FeedbackDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'GiveFeedback', data: commandData(b) }); }

  @CommandRoute(':id/renegotiation') renegotiate(@ProposalId() id: string, @Body() b: RenegotiationDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'RenegotiateProposal', data: commandData(b) }); }

  @CommandRoute(':id/follow-ups') followUp(@ProposalId() id: string, @Body() b: FollowUpDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'FollowUpProposal', data: commandData(b) }); }

  @CommandRoute(':id/supervision') supervise(@ProposalId() id: string, @Body() b: SupervisionDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'SuperviseProposal', data: commandData(b) }); }

  @CommandRoute(':id/publication') publish(@ProposalId() id: string, @Body() b: EmptyCommandDto, @Envelope() e: CommandEnvelope) { return this.send(id, e, b, { type: 'PublishAnswer', data: {} }); }

  /** The proposals the caller may see, filtered, sorted and paged, from the read model. */
  @Get()
  @Exportable((rows: AsyncIterable<ProposalSummary>, x) => proposalListTable(rows, x.meta, x.query))
  @Answers('ProposalPage')
  list(@CurrentPrincipal() p: Principal, @Query() q: ListProposalsQuery, @WantsFile() file: boolean): Promise<Paged<ProposalSummary>> | AsyncIterable<ProposalSummary> {
    // A file holds every proposal the filters select, in the order asked for; JSON one page.
    if (file) return everyProposal(this.readModel, p.tenant, p, q);
    return this.readModel.list(p.tenant, p, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 20 });
  }

  /** One proposal with its text and every dated fact of its handling, readable, from the read model; ETag is its revision. */
  @Get(':id')
  @Answers('Proposal', { etag: true })
  async get(
    @CurrentPrincipal() p: Principal,
    @ProposalId() id: string,
    @Query() _: ReadQuery,
    @Res({ passthrough: true }) r: FastifyReply,
  ): Promise<ProposalView> {
    const doc = await this.readModel.get(p.tenant, id);
    if (!doc) throw new NotFound(`no proposal ${id}`);
    if (!canReadDoc(p, doc)) throw new Forbidden(`proposal ${id} is not one you take part in`);
    void r.header('etag', `"${doc.revision}"`);
    return this.readModel.view(doc);
  }

  /**
   * The handling trail straight from the event store, each step readable (presentation.ts), with its hash; and the
   * reminders sent about the proposal (stored in the jurisdiction's reminders stream, found through their read model).
   */
  @Get(':id/history')
  @Answers('History')
  async history(@CurrentPrincipal() p: Principal, @ProposalId() id: string): Promise<{ id: string; number: string | null; title: string; events: HistoryEntry[]; reminders: HistoryEntry[] }> {
    const { proposal, events } = await this.trail.history(p.tenant, p, id); // refuses those who may not read it
    const heading = { number: proposal.number ?? null, title: proposal.title };
    const entry = (e: Parameters<typeof historyEntry>[0]) => historyEntry(e, heading, this.config.utcOffsetMinutes);
    return { id, ...heading, events: events.map(entry), reminders: (await this.readModel.reminders(p.tenant, id)).map(entry) };
  }
}
