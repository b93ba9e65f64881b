import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { RuntimeModule, type RuntimeOptions } from '@app/runtime';
import { HealthController } from './health.controller.js';
import { BearerAuthGuard } from './http/auth.js';
import { BodyPipe } from './http/body.pipe.js';
import { ProblemFilter } from './http/problem.filter.js';
import { ProposalsController } from './proposals/proposals.controller.js';
import { SessionsController } from './sessions/sessions.controller.js';

@Module({})
export class ApiModule {
  static forRoot(options: RuntimeOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [RuntimeModule.forRoot(options)],
      controllers: [HealthController, SessionsController, ProposalsController],
      providers: [
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_PIPE, useClass: BodyPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
