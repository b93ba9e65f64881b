import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorKind } from '@app/proposals';
import { HttpProblem, problem, type Problem } from './problem.js';
import type { Refusal } from '../operations/refusal.js';

/** The one status of each kind of refusal (the metrics count refused commands by it too). */
export const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  'not-found': 404,
  'illegal-transition': 409,
  'revision-mismatch': 412,
  unprocessable: 422,
};

/** The one place where errors become HTTP: every failure leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers } = this.toProblem(error);
    // A failure nobody foresaw, with its stack; the path without its query, as the request's line (a query may carry
    // what a log must not keep). A 503 the API answers on purpose (read models behind) is a refusal like the 4xx.
    if (body.status >= 500 && !(error instanceof HttpProblem))
      this.logger.error(`${request.method} ${request.url.split('?')[0].slice(0, 300)} (request ${request.id}): ${String(error)}`, (error as Error)?.stack);
    // Logged with the request's line (operations/requests.ts): the reason's code, the error's class, the field; the
    // domain's own message, but never an HTTP-layer one, which may quote the request (a body that is not JSON).
    else
      request.refusal = {
        reason: error instanceof DomainError ? error.kind : body.type.slice(body.type.lastIndexOf(':') + 1),
        error: error instanceof Error ? error.name : typeof error,
        ...(body.errors?.[0] ? { field: body.errors[0].field } : {}),
        ...(error instanceof DomainError ? { detail: error.message } : {}),
      } satisfies Refusal;
    void reply
      .status(body.status)
      .headers({ ...headers, 'content-type': 'application/problem+json; charset=utf-8' })
      .send({ ...body, instance: request.url });
  }

  private toProblem(error: unknown): { body: Problem; headers: Record<string, string> } {
    if (error instanceof HttpProblem)
      return { body: problem(error.status, error.message, error.errors), headers: { ...error.headers } };
    if (error instanceof DomainError) {
      const status = STATUS_OF_KIND[error.kind];
      const errors = error.field ? [{ field: error.field, reason: error.message }] : undefined;
      const detail = error.field && status === 400 ? `${error.field} ${error.message}` : error.message;
      return { body: problem(status, detail, errors), headers: {} };
    }
    // Nest's and Fastify's own refusals: no route, or a body that is not JSON, too large, of another media type.
    const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (status === 404) return { body: problem(404, 'no such route'), headers: {} };
      const reason = (error as Error).message;
      const field = status === 415 ? 'content-type' : 'body';
      return { body: problem(status, reason, [{ field, reason }]), headers: {} };
    }
    return { body: problem(500, 'the server failed to handle the request'), headers: {} };
  }
}
