import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { verifyToken } from '@app/identity';
import { tokenCommand } from './token.command.js';

const SECRET = 'cli-test-secret-of-at-least-32-characters';

/** `npm run token` mints what the service accepts: never longer than TOKEN_MAX_HOURS. */
describe('npm run token', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-token-'));
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: SECRET });
    delete process.env.TOKEN_MAX_HOURS;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  const lifetimeHours = (token: string): number => {
    const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
    return (exp - iat) / 3600;
  };
  const args = ['--role', 'office', '--sub', 'o-1'];

  it('mints 8 hours by default, accepted by the service', () => {
    const token = tokenCommand(args);
    expect(lifetimeHours(token)).toBe(8);
    expect(verifyToken(SECRET, token, 'jinshan', { maxLifetimeSeconds: 12 * 3600 })).toMatchObject({ id: 'o-1', role: 'office' });
  });

  it('keeps its default within a lower TOKEN_MAX_HOURS', () => {
    process.env.TOKEN_MAX_HOURS = '4';
    expect(lifetimeHours(tokenCommand(args))).toBe(4);
  });

  it('lets --hours choose, up to TOKEN_MAX_HOURS, and refuses more', () => {
    expect(lifetimeHours(tokenCommand([...args, '--hours', '12']))).toBe(12);
    expect(lifetimeHours(tokenCommand([...args, '--hours', '0.5']))).toBe(0.5);
    expect(() => tokenCommand([...args, '--hours', '13'])).toThrow('--hours must be at most 12 (TOKEN_MAX_HOURS)');
    expect(() => tokenCommand([...args, '--hours', '87600'])).toThrow(/at most 12/);
    process.env.TOKEN_MAX_HOURS = '24';
    expect(lifetimeHours(tokenCommand([...args, '--hours', '24']))).toBe(24);
  });
});
