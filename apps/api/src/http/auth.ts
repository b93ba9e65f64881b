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
import { InvalidToken, TokenVerifier, type Principal, type VerifiedToken } from '@app/identity';
import { CommandProcessor } from '@app/command-handling';
import { businessDate, checkActor, endOfBusinessDay, type DirectoryState } from '@app/proposals';
import { AUTH_SECRET, CLOCK, type Clock } from '@app/runtime';
import { HttpProblem } from './problem.js';

const PUBLIC = Symbol('public');
/** A route anyone may call without a token. */
export const Public = () => SetMetadata(PUBLIC, true);

/** A request the guard let through: its caller, and when the caller's token expires (seconds since the epoch). */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal; tokenExpiresAt?: number };

const unauthenticated = (detail: string) =>
  new HttpProblem(401, detail, [{ field: 'Authorization', reason: detail }], {
    'www-authenticate': 'Bearer realm="cppcc-proposals"',
  });

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SECRET) secret: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CommandProcessor) private readonly processor: CommandProcessor,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tokens = new TokenVerifier(secret, config.defaultTenant, config.tokenMaxHours * 3600);
  }

  /** One per app: bounded, and per secret. */
  private readonly tokens: TokenVerifier;
  /** Whether each route handler is @Public(): its metadata never changes, and reading it was a cost per request. */
  private readonly publicHandlers = new Map<Function, boolean>();
  /**
   * The unit users and members found in the directory: the directory state they were found in (a new state, after
   * any change to the directory, checks again) and the business day (the check is for a date). Keyed by the
   * principal, which the token verifier keeps one of per token; forgotten with it.
   */
  private readonly known = new WeakMap<Principal, { readonly directory: DirectoryState; readonly from: number; readonly until: number }>();

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let found = this.publicHandlers.get(handler);
    if (found === undefined) {
      found = this.reflector.getAllAndOverride<boolean>(PUBLIC, [handler, context.getClass()]) === true;
      this.publicHandlers.set(handler, found);
    }
    return found;
  }

  /** Not async: an answer known at once (a public route, a caller no directory check concerns) is no promise to wait on. */
  canActivate(context: ExecutionContext): true | Promise<true> {
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('a bearer token is required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('must be "Bearer <token>"');
    let verified: VerifiedToken;
    try {
      verified = this.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidToken) throw unauthenticated(error.message);
      throw error;
    }
    const { principal } = verified;
    request.principal = principal;
    request.tokenExpiresAt = verified.expiresAt;
    return principal.role === 'unit' || principal.role === 'member' ? this.knownToTheDirectory(principal) : true;
  }

  /**
   * A unit user's unit and a member must be in the jurisdiction's directory, for reads as for steps: a token for a
   * unit that was never registered (or a typo in its claim) is refused, not served an empty world. The cached
   * directory is read again before a refusal, so an entry added by another process is seen.
   */
  private async knownToTheDirectory(principal: Principal): Promise<true> {
    const at = this.clock();
    const ms = at.getTime();
    const cached = await this.processor.directory(principal.tenant);
    const seen = this.known.get(principal);
    if (seen && seen.directory === cached.state && ms >= seen.from && ms < seen.until) return true;
    const now = at.toISOString();
    const recording = { actor: principal, occurredAt: now, recordedAt: now };
    let directory = cached.state;
    try {
      checkActor(directory, recording, this.config.utcOffsetMinutes);
    } catch {
      directory = (await this.processor.directory(principal.tenant, true)).state;
      checkActor(directory, recording, this.config.utcOffsetMinutes);
    }
    const until = endOfBusinessDay(businessDate(ms, this.config.utcOffsetMinutes), this.config.utcOffsetMinutes);
    this.known.set(principal, { directory, from: until - 86_400_000, until });
    return true;
  }
}

/** The authenticated caller of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthenticated('a bearer token is required');
  return principal;
});
