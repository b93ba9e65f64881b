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
