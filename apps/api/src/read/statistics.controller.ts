import { Controller, Get, Param, Query } from '@nestjs/common';
import { statisticsTable, yearOverYear, yearOverYearTable, type SessionStatistics, type YearOverYear } from '@app/reporting';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { SessionIdPipe } from '../http/params.js';
import { badRequest } from '../http/problem.js';
import { Exportable } from '../http/formats.js';
import { Answers } from '../openapi/decorators.js';
import { StatisticsQuery, YearOverYearQuery } from './query-dto.js';
import { MAX_YEAR_OVER_YEAR_SESSIONS, StatisticsService } from './statistics.service.js';

/** The handling report's figures (docs/domain.md), from the read models, as of any business date. */
@Controller()
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('sessions/:id/statistics')
  @Exportable((s: SessionStatistics, x) => statisticsTable(s, x.meta))
  @Answers('SessionStatistics')
  session(@CurrentPrincipal() p: Principal, @Param('id', SessionIdPipe) id: string, @Query() query: StatisticsQuery): Promise<SessionStatistics> {
    return this.statistics.session(p.tenant, id, query.asOf);
  }

  @Get('statistics/year-over-year')
  @Exportable((y: YearOverYear, x) => yearOverYearTable(y.sessions, x.meta))
  @Answers('YearOverYear')
  async yearOverYear(@CurrentPrincipal() p: Principal, @Query() query: YearOverYearQuery): Promise<YearOverYear> {
    const sessions = query.sessions.split(',');
    const repeated = sessions.find((s, i) => sessions.indexOf(s) !== i);
    if (repeated) throw badRequest('sessions', `names session ${repeated} twice`);
    if (sessions.length > MAX_YEAR_OVER_YEAR_SESSIONS) throw badRequest('sessions', `must name at most ${MAX_YEAR_OVER_YEAR_SESSIONS} sessions`);
    const figures: SessionStatistics[] = [];
    // One session after another, each yielding first: a long list shares the event loop with other requests.
    for (const session of sessions) figures.push(await this.statistics.session(p.tenant, session, query.asOf));
    return yearOverYear(figures);
  }
}
