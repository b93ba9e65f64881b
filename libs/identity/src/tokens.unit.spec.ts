import jwt from 'jsonwebtoken';
import { InvalidToken, mintToken, verifyToken } from './tokens.js';

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
