import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { FastifyRequest } from 'fastify';
import { ReadModels } from '@app/runtime';
import { ProposalTrail } from '@app/command-handling';
import type { Principal } from '@app/identity';
import { ProposalIdPipe } from '../http/params.js';
import { badRequest, HttpProblem } from '../http/problem.js';

/**
 * Read-your-writes: a query with `?minPosition=` (the position a command answered) waits, at most a few seconds,
 * until every read model has projected that event — instead of callers sleeping and hoping. The right to read one
 * proposal is checked first, on its stream, so that waiting (or a 503) never stands in for a 403 or a 404. A position
 * past the end of the log is no position a command answered: a 400 at once, not a wait that cannot end well.
 *
 * A guard, registered after BearerAuthGuard (app.module.ts), so that it runs once the caller is known and before
 * any pipe or handler, as an interceptor did; unlike a global interceptor it wraps no request in an Observable
 * chain, which every request paid for whether or not it asked to wait.
 */
@Injectable()
export class ReadYourWritesGuard implements CanActivate {
  constructor(
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ProposalTrail) private readonly proposals: ProposalTrail,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    if (request.method !== 'GET') return true;
    const raw = (request.query as Record<string, unknown> | undefined)?.minPosition;
    if (raw === undefined) return true;
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badRequest('minPosition', 'must be a whole number, the position a command answered');
    return this.wait(request, raw);
  }

  private async wait(request: FastifyRequest & { principal?: Principal }, raw: string): Promise<true> {
    const timeout = this.config.readYourWritesTimeoutMs;
    const { principal } = request;
    const id = (request.params as Record<string, string> | undefined)?.id;
    if (principal && id !== undefined && request.routeOptions.url?.startsWith('/proposals/:id'))
      await this.proposals.state(principal.tenant, principal, new ProposalIdPipe().transform(id));
    // Every position a command answered is in the log before the answer leaves: one past its end was never given.
    if (Number(raw) > (await this.store.headPosition())) throw badRequest('minPosition', 'is past the end of the event log: not a position a command answered');
    if (!(await this.readModels.waitFor(Number(raw), timeout)))
      throw new HttpProblem(503, `the read models have not reached position ${raw} within ${timeout} ms; retry`, undefined, { 'retry-after': '1' });
    return true;
  }
}
