import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ROLES, type Actor, type Role } from '@app/proposals';
import { TENANT } from '@app/config';

/** Who a request acts as, in which jurisdiction. */
export interface Principal extends Actor {
  readonly tenant: string;
}

export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly unit?: string;
  readonly name?: string;
  readonly tenant?: string;
}

export class InvalidToken extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidToken';
  }
}

const ALGORITHM = 'HS256';

/** The lifetime of a minted token unless told otherwise; within the default TOKEN_MAX_HOURS (12). */
export const DEFAULT_TOKEN_HOURS = 8;

export function mintToken(secret: string, claims: TokenClaims, expiresInSeconds = DEFAULT_TOKEN_HOURS * 3600): string {
  const { sub, ...rest } = checkClaims(claims);
  return jwt.sign(rest, secret, { algorithm: ALGORITHM, subject: sub, expiresIn: expiresInSeconds });
}

/**
 * Given a string, jsonwebtoken first tries to read the secret as a public key, which fails and costs ~0.7 ms a
 * request; a secret key object, made once, is checked in microseconds.
 */
const keys = new Map<string, KeyObject>();
const keyOf = (secret: string): KeyObject => {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
};

export interface VerifyOptions {
  /** The longest lifetime accepted (TOKEN_MAX_HOURS): a token without `exp`, or living longer, is refused. */
  readonly maxLifetimeSeconds: number;
  /** Seconds since the epoch; by default the system clock's. */
  readonly now?: number;
}

export function verifyToken(secret: string, token: string, defaultTenant: string, options: VerifyOptions): Principal {
  return verifyBearer(secret, token, defaultTenant, options).principal;
}

/** What a valid token says: the caller, and when the token expires (`exp`, seconds since the epoch). */
export interface VerifiedToken {
  readonly principal: Principal;
  readonly expiresAt: number;
}

export function verifyBearer(secret: string, token: string, defaultTenant: string, options: VerifyOptions): VerifiedToken {
  let payload: jwt.JwtPayload | string;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  try {
    payload = jwt.verify(token, keyOf(secret), { algorithms: [ALGORITHM], clockTimestamp: now });
  } catch (error) {
    throw new InvalidToken(error instanceof jwt.TokenExpiredError ? 'the token has expired' : 'the token is not valid');
  }
  if (typeof payload === 'string') throw new InvalidToken('the token carries no claims');
  checkLifetime(payload, now, options.maxLifetimeSeconds);
  const claims = checkClaims(payload as unknown as TokenClaims);
  const principal: Principal = {
    id: claims.sub,
    role: claims.role,
    ...(claims.unit ? { unit: claims.unit } : {}),
    ...(claims.name ? { name: claims.name } : {}),
    tenant: claims.tenant ?? defaultTenant,
  };
  return { principal, expiresAt: payload.exp as number };
}

/**
 * A stolen token is good until it expires, so every token must expire, and soon: `exp` is required, and the
 * lifetime — from `iat`, or from now if that is later or `iat` is missing — may not exceed the maximum. (A token
 * with `exp` decades away used to be accepted.)
 */
function checkLifetime(payload: jwt.JwtPayload, now: number, maxLifetimeSeconds: number): void {
  if (payload.exp === undefined) throw new InvalidToken('the token must expire: it has no exp claim');
  const from = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
  if (payload.exp - from > maxLifetimeSeconds)
    throw new InvalidToken(`a token may live at most ${formatHours(maxLifetimeSeconds)}: this one's exp is too far ahead`);
}

const formatHours = (seconds: number): string => {
  const hours = Math.round((seconds / 3600) * 100) / 100;
  return `${hours} hour${hours === 1 ? '' : 's'}`;
};

function checkClaims(claims: TokenClaims): TokenClaims {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 128)
    throw new InvalidToken('the token needs a subject (sub) of 1 to 128 characters');
  if (!(ROLES as readonly string[]).includes(claims.role))
    throw new InvalidToken(`the token role must be one of ${ROLES.join(', ')}`);
  if (claims.role === 'unit' && (typeof claims.unit !== 'string' || claims.unit.length === 0))
    throw new InvalidToken('a unit token needs its unit');
  if (claims.unit !== undefined && typeof claims.unit !== 'string') throw new InvalidToken('unit must be text');
  if (claims.name !== undefined && typeof claims.name !== 'string') throw new InvalidToken('name must be text');
  if (claims.tenant !== undefined && (typeof claims.tenant !== 'string' || !TENANT.test(claims.tenant)))
    throw new InvalidToken('tenant must be lower-case letters, digits and dashes');
  return claims;
}

/**
 * Verifies bearer tokens, remembering the ones found valid: a client sends the same token with every request for
 * hours, and checking its signature and claims again each time (jsonwebtoken: base64 and JSON decoding, an HMAC,
 * the claims) was most of what a small authenticated request cost. A remembered token is taken again only while it
 * has not expired (`exp`, checked against the clock every time) and only at or after the moment it was found valid
 * (the other checks — signature, claims, `nbf`, the lifetime from `iat` — cannot fail later if they passed then);
 * anything else is verified from scratch, and refusals are never remembered. The key is the whole token, which
 * only the holder of the secret can make. At most `capacity` tokens are kept, the oldest dropped first.
 */
export class TokenVerifier {
  private readonly valid = new Map<string, VerifiedToken & { readonly verifiedAt: number }>();

  constructor(
    private readonly secret: string,
    private readonly defaultTenant: string,
    private readonly maxLifetimeSeconds: number,
    readonly capacity = 10_000,
  ) {}

  verify(token: string, now = Math.floor(Date.now() / 1000)): VerifiedToken {
    const known = this.valid.get(token);
    if (known !== undefined) {
      if (now < known.expiresAt && now >= known.verifiedAt) return known;
      this.valid.delete(token);
    }
    const verified = verifyBearer(this.secret, token, this.defaultTenant, { maxLifetimeSeconds: this.maxLifetimeSeconds, now });
    if (this.valid.size >= this.capacity) this.valid.delete(this.valid.keys().next().value as string);
    // Frozen: one principal object now serves every request made with the token.
    this.valid.set(token, { principal: Object.freeze(verified.principal), expiresAt: verified.expiresAt, verifiedAt: now });
    return verified;
  }

  /** How many tokens are remembered (at most `capacity`). */
  get size(): number {
    return this.valid.size;
  }
}
