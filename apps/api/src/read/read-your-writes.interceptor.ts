import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { ReadModels } from '@app/runtime';
import { badRequest, HttpProblem } from '../http/problem.js';

export const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/**
 * Read-your-writes: a query with `?minPosition=` (the position a command answered) waits, at most a few seconds,
 * until every read model has projected that event — instead of callers sleeping and hoping.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly readModels: ReadModels) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badRequest('minPosition', 'must be a whole number, the position a command answered');
    return from(this.readModels.waitFor(Number(raw), READ_YOUR_WRITES_TIMEOUT_MS)).pipe(
      switchMap((reached) => {
        if (!reached)
          throw new HttpProblem(503, `the read models have not reached position ${raw} within ${READ_YOUR_WRITES_TIMEOUT_MS / 1000}s; retry`, undefined, { 'retry-after': '1' });
        return next.handle();
      }),
    );
  }
}
