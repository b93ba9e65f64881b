import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Readiness } from '@app/projections';
import { ReadModels } from '@app/runtime';
import { Public } from './http/auth.js';
import { problem } from './http/problem.js';
import { Answers } from './openapi/decorators.js';

/** Probes for a supervisor or a load balancer; both public. */
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readModels: ReadModels,
  ) {}

  /**
   * Liveness: the process is up and serving. Asks no store anything, so that a probe every few seconds costs
   * nothing and a slow store does not get a healthy process killed; whether it can serve queries is /ready's.
   */
  @Public()
  @Get('health')
  @Answers('Health')
  health() {
    return { status: 'ok', eventStore: this.config.eventStore, readStore: this.config.readStore };
  }

  /**
   * Readiness: the read models are fit to serve, no projection stopped and none lagging more than
   * READY_MAX_LAG_SECONDS; else 503 naming the projection and the cause (or the store that could not be asked).
   * Sent here rather than thrown: a probe's 503 is an answer, not an error for the log.
   */
  @Public()
  @Get('ready')
  @Answers('Ready', { unavailable: 'NotReady' })
  async ready(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    let answer: Readiness | { ready: false; cause: string; projections?: undefined; maxLagSeconds: number };
    try {
      answer = await this.readModels.readiness();
    } catch (error) {
      answer = { ready: false, cause: `the stores could not be asked: ${String(error)}`, maxLagSeconds: this.config.readyMaxLagSeconds };
    }
    const { ready, cause, maxLagSeconds, projections } = answer;
    if (ready) {
      await reply.send({ status: 'ready', maxLagSeconds, projections });
      return;
    }
    await reply
      .status(503)
      .headers({ 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '5' })
      .send({ ...problem(503, `not ready: ${cause}`), instance: request.url, maxLagSeconds, ...(projections ? { projections } : {}) });
  }
}
