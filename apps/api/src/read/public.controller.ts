import { Controller, Get, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { publicAnswers, vocabulary } from '@app/projections';
import { Public } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';
import { PublicAnswersQuery } from './query-dto.js';

/** What anyone may read without a token: the answers the office made public (公开答复), and the vocabulary. */
@Controller()
export class PublicController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('public/answers')
  @Answers('PublicAnswerPage')
  answers(@Query() q: PublicAnswersQuery) {
    return publicAnswers(
      this.readStore,
      q.tenant ?? this.config.defaultTenant,
      { session: q.session, page: q.page ?? 1, pageSize: q.pageSize ?? 20 },
      this.config.utcOffsetMinutes,
    );
  }

  /** Every code of the API with its Chinese label, for clients to show (statuses, categories, steps, roles, …). */
  @Public()
  @Get('vocabulary')
  @Answers('Vocabulary')
  vocabulary() {
    return vocabulary();
  }
}
