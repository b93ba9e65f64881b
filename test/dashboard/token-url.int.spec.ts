import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyToken } from '@app/identity';
import { tokenCommand } from '../../apps/cli/src/token.command.js';

const SECRET = 'cli-test-secret-of-at-least-32-characters';

/** `npm run -s token -- … --url`: the dashboard's sign-in link, the token in the fragment. */
describe('npm run token -- --url', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-token-url-'));
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: SECRET });
    delete process.env.PORT;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints http://localhost:PORT/#token=… with a token the service accepts', () => {
    const link = tokenCommand(['--role', 'auditor', '--sub', 'a-1', '--url']);
    const match = /^http:\/\/localhost:3000\/#token=([A-Za-z0-9_.-]+)$/.exec(link);
    expect(match).not.toBeNull();
    expect(verifyToken(SECRET, (match as RegExpExecArray)[1], 'jinshan', { maxLifetimeSeconds: 12 * 3600 })).toMatchObject({ id: 'a-1', role: 'auditor' });
    process.env.PORT = '8080';
    expect(tokenCommand(['--role', 'auditor', '--sub', 'a-1', '--url'])).toMatch(/^http:\/\/localhost:8080\/#token=/);
    expect(tokenCommand(['--role', 'auditor', '--sub', 'a-1'])).not.toMatch(/^http/);
  });
});
