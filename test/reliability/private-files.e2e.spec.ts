import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ensurePrivateFile, loadConfig } from '@app/config';
import { mintToken } from '@app/identity';
import { createApp } from '../../apps/api/src/create-app.js';
import { tailCommand } from '../../apps/cli/src/tail.command.js';

const modeOf = (path: string): string => (statSync(path).mode & 0o7777).toString(8);

/** Every entry of a directory with its mode, e.g. { 'events.sqlite': '600' }. */
const modes = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).map((name) => [name, modeOf(join(dir, name))]));

const urlOf = (app: NestFastifyApplication): string => {
  const address = app.getHttpServer().address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
};

/**
 * DATA_DIR holds every event (withheld answers included), the read models and the signing secret: another local
 * user must not read them. It used to be 0755 with 0644 files (with the usual umask 022), so `strings` on the
 * SQLite files showed withheld answers to anyone on the machine.
 */
describe('DATA_DIR is private to the user the service runs as', () => {
  let root: string;
  let umask: number;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cppcc-private-'));
    umask = process.umask(0o022); // the usual one, under which files used to be readable by all
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  /** Starts the API on `dataDir` with a generated secret, files and answers one proposal, and calls `check` while it runs. */
  async function whileRunning(dataDir: string, check: (app: NestFastifyApplication, office: string) => Promise<void>): Promise<void> {
    const config = loadConfig({ DATA_DIR: dataDir, SQLITE_SYNCHRONOUS: 'normal' });
    const app = await createApp({ config, logLevel: 'silent' });
    try {
      await app.listen(0, '127.0.0.1');
      const secret = readFileSync(join(dataDir, 'auth-secret'), 'utf8').trim();
      const office = mintToken(secret, { sub: 'o-1', role: 'office' });
      const opened = await fetch(`${urlOf(app)}/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${office}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `6-${Math.floor(Math.random() * 900) + 100}`, name: '六届三次会议', year: 2019 }),
      });
      expect(opened.status).toBe(201);
      await check(app, office);
    } finally {
      await app.close();
    }
  }

  it('creates the directory 0700 and every file in it 0600: the stores, their -wal and -shm, the secret', async () => {
    const dataDir = join(root, 'fresh', 'data');
    await whileRunning(dataDir, async () => {
      expect(modeOf(dataDir)).toBe('700');
      expect(modeOf(join(root, 'fresh'))).toBe('700'); // a parent it had to create too
      const files = modes(dataDir);
      expect(Object.keys(files)).toEqual(expect.arrayContaining(['auth-secret', 'events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'read-models.sqlite', 'read-models.sqlite-wal']));
      expect(files).toEqual(Object.fromEntries(Object.keys(files).map((name) => [name, '600'])));
    });
  });

  it('tightens a directory and files an older version left open, at start', async () => {
    const dataDir = join(root, 'older');
    await whileRunning(dataDir, async () => undefined);
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);
    await whileRunning(dataDir, async () => {
      expect(modeOf(dataDir)).toBe('700');
      const files = modes(dataDir);
      expect(files).toEqual(Object.fromEntries(Object.keys(files).map((name) => [name, '600'])));
    });
  });

  it('writes the tail checkpoint 0600', async () => {
    const dataDir = join(root, 'tail');
    await whileRunning(dataDir, async (app, office) => {
      const url = urlOf(app);
      const checkpoint = join(dataDir, 'tail.position');
      const stop = new AbortController();
      await tailCommand(['--url', url, '--token', office, '--checkpoint', checkpoint], () => stop.abort(), stop);
      expect(modeOf(checkpoint)).toBe('600');
    });
  });

  it('never changes a shared sticky directory such as /tmp, only what it creates in it', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    ensurePrivateFile(join(shared, 'events.sqlite'));
    expect(modeOf(shared)).toBe('1777');
    expect(modeOf(join(shared, 'events.sqlite'))).toBe('600');
  });
});
