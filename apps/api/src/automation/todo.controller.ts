import { Controller, Get, Inject, Query } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { ProposalsQuery, todoList, type TodoList } from '@app/projections';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';
import { ReadQuery } from '../read/query-dto.js';

/**
 * 待办: what waits on the caller now — a unit's visits, co-unit opinions, answers and follow-ups, a member's
 * feedback and co-proposals, the committee's filings, the office's assignments and reassignment requests, a
 * leader's claimed proposals — counted by kind, from the to-do read model (one indexed query, not a scan).
 */
@Controller('todo')
export class TodoController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(ProposalsQuery) private readonly proposals: ProposalsQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Answers('TodoList')
  todo(@CurrentPrincipal() p: Principal, @Query() _: ReadQuery): Promise<TodoList> {
    return todoList(this.readStore, p.tenant, p, this.proposals.today(), this.config.utcOffsetMinutes);
  }
}
