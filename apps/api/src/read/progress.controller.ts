import { Controller, Get, Param, Query } from '@nestjs/common';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { SessionIdPipe } from '../http/params.js';
import { Answers } from '../openapi/decorators.js';
import type { SessionProgress } from './progress.js';
import { StatisticsQuery } from './query-dto.js';
import { StatisticsService } from './statistics.service.js';

/** The session's progress through the year by week, beside its figures and read by the same people. */
@Controller()
export class ProgressController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('sessions/:id/progress')
  @Answers('SessionProgress')
  progress(@CurrentPrincipal() p: Principal, @Param('id', SessionIdPipe) id: string, @Query() query: StatisticsQuery): Promise<SessionProgress> {
    return this.statistics.progress(p.tenant, id, query.asOf);
  }
}
