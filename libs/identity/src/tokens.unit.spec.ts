import jwt from 'jsonwebtoken';
import { InvalidToken, mintToken, TokenVerifier, verifyBearer, verifyToken } from './tokens.js';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const NOW = 1_800_000_000;
const MAX = { maxLifetimeSeconds: 12 * 3600, now: NOW };
/** Signs exactly the claims given: no iat unless given (jsonwebtoken would add one, or drop the one given). */
const sign = (claims: object) => jwt.sign({ sub: 'o-1', role: 'office', ...claims }, SECRET, { algorithm: 'HS256', noTimestamp: !('iat' in claims) });
const refusal = (token: string): string => {
  try {
    verifyToken(SECRET, token, 'jinshan', MAX);
    return 'accepted';
  } catch (error) {
    return error instanceof InvalidToken ? error.message : `threw ${String(error)}`;
  }
};

describe('token lifetimes (TOKEN_MAX_HOURS)', () => {
  it('refuses a token without exp: it would never expire', () => {
    expect(refusal(sign({ iat: NOW }))).toBe('the token must expire: it has no exp claim');
  });

  it('refuses a lifetime over the maximum, from iat or, without iat, from now', () => {
    const tooLong = "a token may live at most 12 hours: this one's exp is too far ahead";
    expect(refusal(sign({ iat: NOW, exp: NOW + 30 * 365 * 86400 }))).toBe(tooLong);
    expect(refusal(sign({ iat: NOW - 3600, exp: NOW + 12 * 3600 }))).toBe(tooLong);
    expect(refusal(sign({ exp: NOW + 12 * 3600 + 1 }))).toBe(tooLong);
    // Issued "in the future" to look short-lived: measured from now.
    expect(refusal(sign({ iat: NOW + 86400, exp: NOW + 86400 + 60 }))).toBe(tooLong);
  });

  it('accepts a lifetime up to the maximum, and says when a token has expired', () => {
    expect(refusal(sign({ iat: NOW, exp: NOW + 12 * 3600 }))).toBe('accepted');
    expect(refusal(sign({ exp: NOW + 60 }))).toBe('accepted');
    expect(refusal(sign({ iat: NOW - 7200, exp: NOW - 3600 }))).toBe('the token has expired');
  });

  it('mints tokens the service accepts: 8 hours by default', () => {
    const token = mintToken(SECRET, { sub: 'u-1', role: 'unit', unit: '区财政局' });
    const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
    expect(exp - iat).toBe(8 * 3600);
    expect(verifyToken(SECRET, token, 'jinshan', { maxLifetimeSeconds: 12 * 3600 })).toMatchObject({ id: 'u-1', unit: '区财政局' });
  });
});

describe('TokenVerifier: tokens found valid are remembered, within bounds', () => {
  const verifier = (capacity = 10) => new TokenVerifier(SECRET, 'jinshan', 12 * 3600, capacity);
  const expiring = (exp: number, claims: object = {}) => sign({ iat: NOW, exp, ...claims });

  it('answers what verifyBearer answers: the principal and the expiry', () => {
    const token = expiring(NOW + 3600, { unit: 'fgw', role: 'unit', sub: 'u-1' });
    expect(verifier().verify(token, NOW)).toEqual({ principal: { id: 'u-1', role: 'unit', unit: 'fgw', tenant: 'jinshan' }, expiresAt: NOW + 3600 });
    expect(verifier().verify(token, NOW)).toEqual(verifyBearer(SECRET, token, 'jinshan', MAX));
  });

  it('refuses a remembered token once it has expired, as a fresh check would', () => {
    const tokens = verifier();
    const token = expiring(NOW + 60);
    expect(tokens.verify(token, NOW).principal.id).toBe('o-1');
    expect(tokens.verify(token, NOW + 59).principal.id).toBe('o-1');
    expect(() => tokens.verify(token, NOW + 60)).toThrow(new InvalidToken('the token has expired'));
    expect(tokens.size).toBe(0);
  });

  it('checks again from scratch before the moment it found a token valid (a clock set back)', () => {
    const tokens = verifier();
    const token = sign({ iat: NOW, nbf: NOW, exp: NOW + 60 });
    expect(tokens.verify(token, NOW).principal.id).toBe('o-1');
    expect(() => tokens.verify(token, NOW - 10)).toThrow(new InvalidToken('the token is not valid'));
  });

  it('remembers no refusal, and at most its capacity of tokens, the oldest going first', () => {
    const tokens = verifier(2);
    expect(() => tokens.verify('not-a-token', NOW)).toThrow(InvalidToken);
    expect(tokens.size).toBe(0);
    const [a, b, c] = ['o-1', 'o-2', 'o-3'].map((sub) => expiring(NOW + 600, { sub }));
    for (const token of [a, b, c]) tokens.verify(token, NOW);
    expect(tokens.size).toBe(2);
    // All still verify: a forgotten one is simply checked again.
    expect([a, b, c].map((token) => tokens.verify(token, NOW).principal.id)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(tokens.size).toBe(2);
  });

  it('hands out one frozen principal per token: no request can change another’s caller', () => {
    const tokens = verifier();
    const token = expiring(NOW + 600);
    const first = tokens.verify(token, NOW).principal;
    expect(tokens.verify(token, NOW + 1).principal).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
