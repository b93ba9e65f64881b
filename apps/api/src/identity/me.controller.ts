import { Controller, Get, Req } from '@nestjs/common';
import type { AuthenticatedRequest } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';

/** The caller as the service sees it. */
export interface Me {
  readonly sub: string;
  readonly role: string;
  readonly unit: string | null;
  readonly name: string | null;
  readonly tenant: string;
  /** When the token stops being accepted (its `exp`), as an ISO 8601 instant. */
  readonly expiresAt: string;
}

/**
 * GET /me: who the token says the caller is, after the service's own checks (signature, lifetime, the directory
 * for a unit or a member) and its defaults (the jurisdiction) — what a client shows as "signed in as … until …",
 * and the cheapest way to ask whether a token is still good.
 */
@Controller('me')
export class MeController {
  /**
   * The answer per principal: the token verifier keeps one frozen principal per token, which a client sends for
   * hours, and building the answer (the date above all) was a tenth of what the route's own code cost. Weak: gone
   * with the principal; checked against the expiry in case a principal ever served two tokens.
   */
  private readonly answers = new WeakMap<object, { readonly exp: number; readonly me: Me }>();

  @Get()
  @Answers('Me')
  me(@Req() request: AuthenticatedRequest): Me {
    const { principal, tokenExpiresAt } = request;
    // The guard sets both before any route that is not @Public() runs.
    if (!principal || tokenExpiresAt === undefined) throw new TypeError('GET /me must not be @Public()');
    const known = this.answers.get(principal);
    if (known && known.exp === tokenExpiresAt) return known.me;
    const me: Me = Object.freeze({
      sub: principal.id,
      role: principal.role,
      unit: principal.unit ?? null,
      name: principal.name ?? null,
      tenant: principal.tenant,
      expiresAt: new Date(tokenExpiresAt * 1000).toISOString(),
    });
    this.answers.set(principal, { exp: tokenExpiresAt, me });
    return me;
  }
}
