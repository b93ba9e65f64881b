import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { RuntimeModule, type RuntimeOptions } from '@app/runtime';
import { DirectoryController } from './directory/directory.controller.js';
import { EventsController } from './events/events.controller.js';
import { HealthController } from './health.controller.js';
import { MeController } from './identity/me.controller.js';
import { BearerAuthGuard } from './http/auth.js';
import { BodyPipe } from './http/body.pipe.js';
import { DashboardFiles } from './dashboard/serve.js';
import { ProblemFilter } from './http/problem.filter.js';
import { ProposalsController } from './proposals/proposals.controller.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { FeedController } from './read/feed.controller.js';
import { PublicController } from './read/public.controller.js';
import { ReadYourWritesGuard } from './read/read-your-writes.guard.js';
import { ProgressController } from './read/progress.controller.js';
import { StatisticsController } from './read/statistics.controller.js';
import { StatisticsService } from './read/statistics.service.js';
import { SupervisionController } from './read/supervision.controller.js';
import { DocumentsController } from './read/documents.controller.js';
import { AnchorTimer } from './trail/anchor-timer.js';
import { AutomationTimer } from './automation/automation-timer.js';
import { TodoController } from './automation/todo.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { StreamVerificationController } from './trail/stream-verification.controller.js';
import { TrailController } from './trail/trail.controller.js';

@Module({})
export class ApiModule {
  static forRoot(options: RuntimeOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [RuntimeModule.forRoot(options)],
      controllers: [
        HealthController,
        MeController,
        SessionsController,
        ProposalsController,
        StatisticsController,
        SupervisionController,
        DocumentsController,
        PublicController,
        FeedController,
        TrailController,
        DirectoryController,
        EventsController,
        ProgressController,
        StreamVerificationController,
        TodoController,
        WebhooksController,
      ],
      providers: [
        AnchorTimer,
        AutomationTimer,
        // In this order: the caller is known before a read waits for its writes.
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: ReadYourWritesGuard },
        { provide: APP_PIPE, useClass: BodyPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
        StatisticsService,
        DashboardFiles,
      ],
    };
  }
}
