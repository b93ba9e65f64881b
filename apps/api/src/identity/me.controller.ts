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
  @Get()
  @Answers('Me')
  me(@Req() request: AuthenticatedRequest): Me {
    const { principal, tokenExpiresAt } = request;
    // The guard sets both before any route that is not @Public() runs.
    if (!principal || tokenExpiresAt === undefined) throw new TypeError('GET /me must not be @Public()');
    return {
      sub: principal.id,
      role: principal.role,
      unit: principal.unit ?? null,
      name: principal.name ?? null,
      tenant: principal.tenant,
      expiresAt: new Date(tokenExpiresAt * 1000).toISOString(),
    };
  }
}
