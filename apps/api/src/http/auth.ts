import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { InvalidToken, verifyToken, type Principal } from '@app/identity';
import { CommandProcessor } from '@app/command-handling';
import { checkActor } from '@app/proposals';
import { AUTH_SECRET, CLOCK, type Clock } from '@app/runtime';
import { HttpProblem } from './problem.js';

const PUBLIC = Symbol('public');
/** A route anyone may call without a token. */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

const unauthenticated = (detail: string) =>
  new HttpProblem(401, detail, [{ field: 'Authorization', reason: detail }], {
    'www-authenticate': 'Bearer realm="cppcc-proposals"',
  });

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SECRET) private readonly secret: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('a bearer token is required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('must be "Bearer <token>"');
    try {
      request.principal = verifyToken(this.secret, match[1], this.config.defaultTenant, { maxLifetimeSeconds: this.config.tokenMaxHours * 3600 });
    } catch (error) {
      if (error instanceof InvalidToken) throw unauthenticated(error.message);
      throw error;
    }
    await this.knownToTheDirectory(request.principal);
    return true;
  }

  /**
   * A unit user's unit and a member must be in the jurisdiction's directory, for reads as for steps: a token for a
   * unit that was never registered (or a typo in its claim) is refused, not served an empty world. The cached
   * directory is read again before a refusal, so an entry added by another process is seen.
   */
  private async knownToTheDirectory(principal: Principal): Promise<void> {
    if (principal.role !== 'unit' && principal.role !== 'member') return;
    const now = this.clock().toISOString();
    const recording = { actor: principal, occurredAt: now, recordedAt: now };
    try {
      checkActor((await this.processor.directory(principal.tenant)).state, recording, this.config.utcOffsetMinutes);
    } catch {
      checkActor((await this.processor.directory(principal.tenant, true)).state, recording, this.config.utcOffsetMinutes);
    }
  }
}

/** The authenticated caller of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthenticated('a bearer token is required');
  return principal;
});
