import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { ReadModels } from '@app/runtime';
import { badRequest, HttpProblem } from '../http/problem.js';

/**
 * Read-your-writes: a query with `?minPosition=` (the position a command answered) waits, at most a few seconds,
 * until every read model has projected that event — instead of callers sleeping and hoping.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badRequest('minPosition', 'must be a whole number, the position a command answered');
    const timeout = this.config.readYourWritesTimeoutMs;
    return from(this.readModels.waitFor(Number(raw), timeout)).pipe(
      switchMap((reached) => {
        if (!reached)
          throw new HttpProblem(503, `the read models have not reached position ${raw} within ${timeout} ms; retry`, undefined, { 'retry-after': '1' });
        return next.handle();
      }),
    );
  }
}
