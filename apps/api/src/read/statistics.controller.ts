import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { sessionStatistics, statisticsSourcesFromReadModels, yearOverYear, type SessionStatistics, type YearOverYear } from '@app/reporting';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { SessionIdPipe } from '../http/params.js';
import { StatisticsQuery, YearOverYearQuery } from './query-dto.js';

/** The handling report's figures (docs/domain.md), from the read models, as of any business date. */
@Controller()
export class StatisticsController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async statistics(tenant: string, session: string, asOf?: string): Promise<SessionStatistics> {
    const sources = await statisticsSourcesFromReadModels(this.readStore, tenant, session);
    return sessionStatistics({ ...sources, asOf, utcOffsetMinutes: this.config.utcOffsetMinutes });
  }

  @Get('sessions/:id/statistics')
  session(@CurrentPrincipal() p: Principal, @Param('id', SessionIdPipe) id: string, @Query() query: StatisticsQuery): Promise<SessionStatistics> {
    return this.statistics(p.tenant, id, query.asOf);
  }

  @Get('statistics/year-over-year')
  async yearOverYear(@CurrentPrincipal() p: Principal, @Query() query: YearOverYearQuery): Promise<YearOverYear> {
    const sessions = query.sessions.split(',');
    return yearOverYear(await Promise.all(sessions.map((s) => this.statistics(p.tenant, s, query.asOf))));
  }
}
