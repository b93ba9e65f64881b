import { Controller, Get, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { auditTrail, ProposalsQuery, type AuditEntry, type ProposalSummary, type UnitFigures } from '@app/projections';
import { auditQuery, auditTrailTable, dueSoonTable, DUE_SOON_DAYS, everyAuditEntry, overdueTable, unitRecords, unitRecordsTable, type UnitRecord } from '@app/reporting';
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
  @Exportable((rows: ProposalSummary[], x) => overdueTable(rows, x.meta, x.query))
  @Answers('ProposalSummaryList')
  overdue(@CurrentPrincipal() p: Principal, @Query() q: OverdueQuery): Promise<ProposalSummary[]> {
    requireRole(p, SUPERVISORS, 'the overdue list');
    return this.proposals.overdue(p.tenant, q.session);
  }

  @Get('supervision/due-soon')
  @Exportable((rows: ProposalSummary[], x) => dueSoonTable(rows, x.meta, x.query))
  @Answers('ProposalSummaryList')
  dueSoon(@CurrentPrincipal() p: Principal, @Query() q: DueSoonQuery): Promise<ProposalSummary[]> {
    requireRole(p, SUPERVISORS, 'the due-soon list');
    return this.proposals.dueSoon(p.tenant, q.days ?? DUE_SOON_DAYS, q.session);
  }

  /**
   * Every unit's record, by code, under the name it had in the session's events; `currentName` is what the directory
   * calls it today, so that a reader finds a unit renamed since. A unit sees its own.
   */
  @Get('units')
  @Exportable((units: UnitRecord[], x) => unitRecordsTable(units, x.meta, x.query.session ?? ''))
  @Answers('UnitFiguresList')
  async units(@CurrentPrincipal() p: Principal, @Query() q: UnitsQuery): Promise<(UnitFigures & { currentName: string | null })[]> {
    requireRole(p, [...SUPERVISORS, 'unit'], 'the units’ records');
    const { state } = await this.processor.directory(p.tenant);
    return unitRecords(this.readStore, p.tenant, q.session, p, state, this.proposals.today(), this.config.utcOffsetMinutes);
  }

  @Get('audit')
  @Exportable((rows: AsyncIterable<AuditEntry>, x) => auditTrailTable(rows, x.meta))
  @Answers('AuditPage')
  audit(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto, @WantsFile() file: boolean) {
    requireRole(p, ['auditor', 'office', 'committee'], 'the audit trail');
    const offset = this.config.utcOffsetMinutes;
    const { page, pageSize, minPosition: _, ...filters } = q;
    // A file holds every entry the query matches, streamed; JSON one page.
    if (file) return everyAuditEntry(this.readStore, p.tenant, filters, offset);
    return auditTrail(this.readStore, p.tenant, { ...auditQuery(filters, offset), page: page ?? 1, pageSize: pageSize ?? 50 }, offset);
  }

  @Get('projections')
  @Answers('Projections')
  async projections(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery) {
    requireRole(p, ['auditor', 'office', 'committee'], 'the projections’ status');
    return { projections: await this.readModels.status() };
  }
}
