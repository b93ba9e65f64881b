import { Controller, Get, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { auditEntries, auditTrail, ProposalsQuery, unitFigures, type AuditEntry, type ProposalSummary, type UnitFigures } from '@app/projections';
import { auditTable, proposalsTable, unitsTable, type UnitRecord } from '@app/reporting';
import { endOfBusinessDay } from '@app/proposals';
import { ReadModels } from '@app/runtime';
import { CommandProcessor } from '@app/command-handling';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { Exportable, WantsFile } from '../http/formats.js';
import { Answers } from '../openapi/decorators.js';
import { AuditQueryDto, DueSoonQuery, OverdueQuery, ReadQuery, UnitsQuery } from './query-dto.js';
import { requireRole, SUPERVISORS } from './roles.js';

/** The office's and the supervisors' views: overdue and due-soon lists, units' records, the audit trail, lag. */
@Controller()
export class SupervisionController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ProposalsQuery) private readonly proposals: ProposalsQuery,
    private readonly readModels: ReadModels,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
  ) {}

  @Get('supervision/overdue')
  @Exportable((rows: ProposalSummary[], x) => proposalsTable('overdue', rows, x.meta, x.query.session ? [`届次 ${x.query.session}`] : []))
  @Answers('ProposalSummaryList')
  overdue(@CurrentPrincipal() p: Principal, @Query() q: OverdueQuery): Promise<ProposalSummary[]> {
    requireRole(p, SUPERVISORS, 'the overdue list');
    return this.proposals.overdue(p.tenant, q.session);
  }

  @Get('supervision/due-soon')
  @Exportable((rows: ProposalSummary[], x) => proposalsTable('due-soon', rows, x.meta, [`${x.query.days ?? 14}天内到期`, ...(x.query.session ? [`届次 ${x.query.session}`] : [])]))
  @Answers('ProposalSummaryList')
  dueSoon(@CurrentPrincipal() p: Principal, @Query() q: DueSoonQuery): Promise<ProposalSummary[]> {
    requireRole(p, SUPERVISORS, 'the due-soon list');
    return this.proposals.dueSoon(p.tenant, q.days ?? 14, q.session);
  }

  /**
   * Every unit's record, by code, under the name it had in the session's events; `currentName` is what the directory
   * calls it today, so that a reader finds a unit renamed since. A unit sees its own.
   */
  @Get('units')
  @Exportable((units: UnitRecord[], x) => unitsTable(units, { id: x.query.session ?? '' }, x.meta))
  @Answers('UnitFiguresList')
  async units(@CurrentPrincipal() p: Principal, @Query() q: UnitsQuery): Promise<(UnitFigures & { currentName: string | null })[]> {
    requireRole(p, [...SUPERVISORS, 'unit'], 'the units’ records');
    const figures = await unitFigures(this.readStore, p.tenant, q.session, this.proposals.today(), this.config.utcOffsetMinutes);
    const { state } = await this.processor.directory(p.tenant);
    const named = figures.map((f) => ({ ...f, currentName: state.units.get(f.unit)?.shortName ?? null }));
    return p.role === 'unit' ? named.filter((f) => f.unit === p.unit) : named;
  }

  @Get('audit')
  @Exportable((rows: AsyncIterable<AuditEntry>, x) => auditTable(rows, x.meta))
  @Answers('AuditPage')
  audit(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto, @WantsFile() file: boolean) {
    requireRole(p, ['auditor', 'office', 'committee'], 'the audit trail');
    const offset = this.config.utcOffsetMinutes;
    // A bare date is a business day: from its start, to its end.
    const from = q.from && q.from.length === 10 ? new Date(endOfBusinessDay(q.from, offset) - 86_400_000).toISOString() : q.from;
    const to = q.to && q.to.length === 10 ? new Date(endOfBusinessDay(q.to, offset)).toISOString() : q.to;
    const query = { ...q, subject: q.proposal, from: from && normalizeInstant(from), to: to && normalizeInstant(to) };
    // A file holds every entry the query matches, streamed; JSON one page.
    if (file) return auditEntries(this.readStore, p.tenant, query, offset);
    return auditTrail(this.readStore, p.tenant, { ...query, page: q.page ?? 1, pageSize: q.pageSize ?? 50 }, offset);
  }

  @Get('projections')
  @Answers('Projections')
  async projections(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery) {
    requireRole(p, ['auditor', 'office', 'committee'], 'the projections’ status');
    return { projections: await this.readModels.status() };
  }
}

function normalizeInstant(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}
