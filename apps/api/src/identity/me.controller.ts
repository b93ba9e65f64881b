import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';

const JSON_TYPE = 'application/json; charset=utf-8';

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
   * The answer per principal, serialized: the token verifier keeps one frozen principal per token, which a client
   * sends for hours, and building and serializing the same answer again (the date, JSON, Nest's check whether a
   * result is a plain object) was a tenth of what the route's own code cost. Weak: gone with the principal; checked
   * against the expiry in case a principal ever served two tokens.
   */
  private readonly answers = new WeakMap<object, { readonly exp: number; readonly json: string }>();

  @Get()
  @Answers('Me')
  me(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    const { principal, tokenExpiresAt } = request;
    // The guard sets both before any route that is not @Public() runs.
    if (!principal || tokenExpiresAt === undefined) throw new TypeError('GET /me must not be @Public()');
    // Given as JSON, Fastify sends the text as it is.
    void reply.type(JSON_TYPE);
    const known = this.answers.get(principal);
    if (known && known.exp === tokenExpiresAt) return known.json;
    const me: Me = {
      sub: principal.id,
      role: principal.role,
      unit: principal.unit ?? null,
      name: principal.name ?? null,
      tenant: principal.tenant,
      expiresAt: new Date(tokenExpiresAt * 1000).toISOString(),
    };
    const json = JSON.stringify(me);
    this.answers.set(principal, { exp: tokenExpiresAt, json });
    return json;
  }
}
