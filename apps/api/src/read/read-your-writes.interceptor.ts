import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { ReadModels } from '@app/runtime';
import { ProposalTrail } from '@app/command-handling';
import type { Principal } from '@app/identity';
import { ProposalIdPipe } from '../http/params.js';
import { badRequest, HttpProblem } from '../http/problem.js';

/**
 * Read-your-writes: a query with `?minPosition=` (the position a command answered) waits, at most a few seconds,
 * until every read model has projected that event — instead of callers sleeping and hoping. The right to read one
 * proposal is checked first, on its stream, so that waiting (or a 503) never stands in for a 403 or a 404.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ProposalTrail) private readonly proposals: ProposalTrail,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (request.method !== 'GET' || raw === undefined) return next.handle();
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badRequest('minPosition', 'must be a whole number, the position a command answered');
    const timeout = this.config.readYourWritesTimeoutMs;
    const { principal } = request;
    const id = (request.params as Record<string, string> | undefined)?.id;
    const mayRead = async (): Promise<void> => {
      if (principal && id !== undefined && request.routeOptions.url?.startsWith('/proposals/:id'))
        await this.proposals.state(principal.tenant, principal, new ProposalIdPipe().transform(id));
    };
    return from(mayRead().then(() => this.readModels.waitFor(Number(raw), timeout))).pipe(
      switchMap((reached) => {
        if (!reached)
          throw new HttpProblem(503, `the read models have not reached position ${raw} within ${timeout} ms; retry`, undefined, { 'retry-after': '1' });
        return next.handle();
      }),
    );
  }
}
