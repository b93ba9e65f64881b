import { Controller, Get, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { publicAnswers } from '@app/projections';
import { Public } from '../http/auth.js';
import { PublicAnswersQuery } from './query-dto.js';

/** Answers the office made public (公开答复): no token needed. */
@Controller('public')
export class PublicController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('answers')
  answers(@Query() q: PublicAnswersQuery) {
    return publicAnswers(this.readStore, q.tenant ?? this.config.defaultTenant, {
      session: q.session,
      page: q.page ?? 1,
      pageSize: q.pageSize ?? 20,
    });
  }
}
