import { Injectable, type PipeTransform } from '@nestjs/common';
import { SESSION_ID } from '@app/proposals';
import { HttpProblem } from './problem.js';

/** Ids in paths: anything that cannot be an id is simply not found. */
@Injectable()
export class ProposalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new HttpProblem(404, `no proposal ${value.slice(0, 64)}`);
    return value;
  }
}

@Injectable()
export class SessionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SESSION_ID.test(value)) throw new HttpProblem(404, `no session ${value.slice(0, 64)}`);
    return value;
  }
}

/** The command's own fields: the body without the paper-record fields every command may carry. */
export function commandData<T extends { occurredAt?: string; onBehalfOf?: unknown }>(
  body: T,
): Omit<T, 'occurredAt' | 'onBehalfOf'> {
  const { occurredAt: _occurredAt, onBehalfOf: _onBehalfOf, ...data } = body;
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Omit<T, 'occurredAt' | 'onBehalfOf'>;
}
