import { Body, Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { IsBooleanString, IsOptional } from 'class-validator';
import { CommandProcessor, ExecuteDirectoryCommand, type CommandResult } from '@app/command-handling';
import { NotFound, type DirectoryCommand, type MemberEntry, type UnitEntry } from '@app/proposals';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';
import type { CommandBody } from '../http/command-body.js';
import { CommandRoute, commandData, commandRequest, Envelope, type CommandEnvelope } from '../http/command-request.js';
import { ReadQuery } from '../read/query-dto.js';
import { requireRole } from '../read/roles.js';
import {
  DirectoryImportDto,
  MemberChangeDto,
  MemberDeactivationDto,
  MemberDto,
  StaffAccountDto,
  UnitChangeDto,
  UnitDeactivationDto,
  UnitDto,
} from './directory.dto.js';

export class DirectoryListQuery extends ReadQuery {
  /** `true`: only entries in force today; `false`: only those that ended. */
  @IsOptional() @IsBooleanString() active?: string;
}

const unitView = ({ revision: _r, ...unit }: UnitEntry) => ({ ...unit, active: unit.activeUntil === undefined });
const memberView = ({ revision: _r, ...member }: MemberEntry) => ({ ...member, active: member.activeUntil === undefined });
const activeFilter = (active?: string) => (entry: { activeUntil?: string }) =>
  active === undefined || (active === 'true') === (entry.activeUntil === undefined);

/**
 * The jurisdiction's directory (名录): units, members and staff accounts, kept by the office. Each change is a step
 * with the same trail and checks as any other; an entry's ETag is its own revision, so If-Match guards an edit made
 * from a stale copy of that entry.
 */
@Controller('directory')
export class DirectoryController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
  ) {}

  /** The entry's If-Match is checked by the directory's rules against the entry, not against the whole stream. */
  private send(envelope: CommandEnvelope, body: CommandBody, command: DirectoryCommand): Promise<CommandResult> {
    const { expectedRevision, ...rest } = envelope;
    const data = expectedRevision === undefined ? command.data : { ...command.data, expectedRevision };
    return this.commands.execute(new ExecuteDirectoryCommand(commandRequest(rest, body, { ...command, data } as DirectoryCommand)));
  }

  @CommandRoute('units', { creates: (r) => `/directory/units/${r.id}` })
  registerUnit(@Body() b: UnitDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'RegisterUnit', data: commandData(b) });
  }

  @CommandRoute('units/:code', { method: 'PATCH' })
  changeUnit(@Param('code') code: string, @Body() b: UnitChangeDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'ChangeUnit', data: { ...commandData(b), code } });
  }

  @CommandRoute('units/:code/deactivation')
  deactivateUnit(@Param('code') code: string, @Body() b: UnitDeactivationDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'DeactivateUnit', data: { ...commandData(b), code } });
  }

  @CommandRoute('members', { creates: (r) => `/directory/members/${encodeURIComponent(r.id)}` })
  registerMember(@Body() b: MemberDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'RegisterMember', data: commandData(b) });
  }

  @CommandRoute('members/:id', { method: 'PATCH' })
  changeMember(@Param('id') id: string, @Body() b: MemberChangeDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'ChangeMember', data: { ...commandData(b), id } });
  }

  @CommandRoute('members/:id/deactivation')
  deactivateMember(@Param('id') id: string, @Body() b: MemberDeactivationDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'DeactivateMember', data: { ...commandData(b), id } });
  }

  @CommandRoute('staff-accounts', { creates: () => '/directory/staff-accounts' })
  addStaffAccount(@Body() b: StaffAccountDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'AddStaffAccount', data: commandData(b) });
  }

  @CommandRoute('staff-accounts/:sub', { method: 'DELETE' })
  removeStaffAccount(@Param('sub') sub: string, @Envelope() e: CommandEnvelope) {
    return this.send(e, {}, { type: 'RemoveStaffAccount', data: { sub } });
  }

  /** A whole spreadsheet at once: checked row by row, written all or nothing; the same list again appends nothing. */
  @CommandRoute('import')
  importRows(@Body() b: DirectoryImportDto, @Envelope() e: CommandEnvelope) {
    return this.send(e, b, { type: 'ImportDirectory', data: commandData(b) });
  }

  @Get('units')
  @Answers('DirectoryUnitList')
  async units(@CurrentPrincipal() p: Principal, @Query() q: DirectoryListQuery) {
    const { state } = await this.processor.directory(p.tenant, true);
    return [...state.units.values()].filter(activeFilter(q.active)).map(unitView).sort((a, b) => a.code.localeCompare(b.code));
  }

  @Get('units/:code')
  @Answers('DirectoryUnit', { etag: true })
  async unit(@CurrentPrincipal() p: Principal, @Param('code') code: string, @Query() _: ReadQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const unit = (await this.processor.directory(p.tenant, true)).state.units.get(code.trim());
    if (!unit) throw new NotFound(`no unit ${code.trim().slice(0, 64)} in the directory`);
    void reply.header('etag', `"${unit.revision}"`);
    return unitView(unit);
  }

  @Get('members')
  @Answers('DirectoryMemberList')
  async members(@CurrentPrincipal() p: Principal, @Query() q: DirectoryListQuery) {
    const { state } = await this.processor.directory(p.tenant, true);
    return [...state.members.values()].filter(activeFilter(q.active)).map(memberView).sort((a, b) => a.id.localeCompare(b.id));
  }

  @Get('members/:id')
  @Answers('DirectoryMember', { etag: true })
  async member(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() _: ReadQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const member = (await this.processor.directory(p.tenant, true)).state.members.get(id.trim());
    if (!member) throw new NotFound(`no member ${id.trim().slice(0, 64)} in the directory`);
    void reply.header('etag', `"${member.revision}"`);
    return memberView(member);
  }

  /** Which account belongs to which unit: for the office and auditors. */
  @Get('staff-accounts')
  @Answers('StaffAccountList')
  async staffAccounts(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery) {
    requireRole(p, ['office', 'auditor'], 'the staff accounts');
    const { state } = await this.processor.directory(p.tenant, true);
    return [...state.staff.values()].sort((a, b) => a.sub.localeCompare(b.sub));
  }
}
