import 'reflect-metadata';
import { jest } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { eventStoreFile, loadConfig } from '@app/config';
import { ExecuteSessionCommand } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import { RuntimeModule } from '@app/runtime';
import { cliProgram, runCli } from './program.js';
import { tailCommand } from './tail.command.js';

/** The program as `npm run -s <command> -- …` runs it, in this process, with what it writes captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const COMMANDS = cliProgram().program.commands.map((c) => c.name());

describe('the command line', () => {
  let dir: string;
  let dataDir: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-cli-'));
    dataDir = join(dir, 'data');
    process.env = { ...saved, DATA_DIR: dataDir, SQLITE_SYNCHRONOUS: 'normal', LOG_LEVEL: 'error' };
    delete process.env.AUTH_SECRET;
    delete process.env.PORT;
    delete process.env.TRAIL_SIGNING_KEY;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('has every command the README names, each an npm script as its help says (npm run -s NAME)', () => {
    expect(COMMANDS).toEqual(['token', 'report', 'rebuild', 'tail', 'replay', 'verify', 'anchor', 'directory']);
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Command line\n')) ?? '';
    const listed = [...section.matchAll(/^\| `npm run -s ([a-z:-]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual([...COMMANDS, 'projector']);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of COMMANDS) expect(scripts[name]).toMatch(new RegExp(`scripts/run-built\\.mjs dist/apps/cli/src/main\\.js ${name}$`));
    expect(scripts.projector).toMatch(/dist\/apps\/projector\/src\/main\.js$/);
  });

  it.each(COMMANDS)('%s --help: the usage, options and an example on stdout, exit 0, and nothing else (no DATA_DIR)', async (name) => {
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const { code, out, err } = await cli(...argv);
      expect({ argv, code, err }).toEqual({ argv, code: 0, err: '' });
      expect(out).toMatch(new RegExp(`^usage: npm run -s ${name} -- `));
      expect(out).toContain('\noptions:\n');
      expect(out).toMatch(/\nexamples?:\n {2}\S*npm run -s /);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('lists the commands for --help, help, and says which to use when given none (exit 2)', async () => {
    for (const argv of [['--help'], ['help']]) {
      const { code, out } = await cli(...argv);
      expect(code).toBe(0);
      for (const name of COMMANDS) expect(out).toMatch(new RegExp(`\n {2}${name} `));
    }
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.err).toContain('usage: npm run -s <command> -- [options]');
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(COMMANDS)('%s with an unknown option: the option named, the usage, exit 2, nothing done', async (name) => {
    const { code, out, err } = await cli(name, '--bogus');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^error: unknown option '--bogus'/);
    expect(err).toContain(`usage: npm run -s ${name} -- `);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses an unknown command and bad values with exit 2, before touching DATA_DIR', async () => {
    const calls = [
      ['reprot', '--session', '6-3'],
      ['token', '--role', 'mayor', '--sub', 'x'],
      ['token', '--role', 'office'],
      ['token', '--role', 'office', '--sub', 'o-1', '--hours', '13'],
      ['report'],
      ['report', '--session', '6-3', '--format', 'pdf'],
      ['report', '--session', '6-3', '--answers', '--format', 'csv'],
      ['report', '--session', '6-3', '--as-of', '2019-02-30'],
      ['replay', '2016'],
      ['replay'],
      ['directory', 'export', 'units.csv'],
      ['directory', 'import', 'units.csv', '--units', '--members'],
      ['tail'],
      ['tail', '--token', 't', '--utc-offset', 'Beijing'],
    ];
    for (const argv of calls) {
      const { code, err } = await cli(...argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toMatch(/^error: /);
      expect(err).toContain('usage: npm run -s ');
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  describe('token', () => {
    it('warns when it had to make a new secret: a running service would use another', async () => {
      const first = await cli('token', '--role', 'office', '--sub', 'o-1');
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect(first.err).toContain(`there was no signing secret in ${dataDir}, so a new one was made`);
      expect(first.err).toContain('is the service using another DATA_DIR');

      const again = await cli('token', '--role', 'office', '--sub', 'o-1');
      expect(again).toMatchObject({ code: 0, err: '' });
    });

    it('says nothing with AUTH_SECRET, and makes no file', async () => {
      process.env.AUTH_SECRET = 'a-secret-of-at-least-32-characters-long';
      expect(await cli('token', '--role', 'office', '--sub', 'o-1')).toMatchObject({ code: 0, err: '' });
      expect(existsSync(join(dataDir, 'auth-secret'))).toBe(false);
    });
  });

  describe('tail', () => {
    /** A stand-in for the service's GET /feed: one event, then it stays open; records who asked what. */
    const feeds: { server: Server; requests: { url?: string; headers: IncomingHttpHeaders }[] }[] = [];
    const feed = async (): Promise<{ port: number; requests: { url?: string; headers: IncomingHttpHeaders }[] }> => {
      const requests: { url?: string; headers: IncomingHttpHeaders }[] = [];
      const server = createServer((req, res) => {
        requests.push({ url: req.url, headers: req.headers });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const position = Number(req.headers['last-event-id'] ?? 0) + 7;
        const event = { position, stream: 'proposal-jinshan:p1', type: 'proposal.filed.v1', data: { title: '建议' }, metadata: { occurredAt: '2019-04-15T02:00:00.000Z', actor: { id: 'm-1', role: 'member' }, hash: 'h' } };
        res.write(`id: ${position}\nevent: proposal.filed.v1\ndata: ${JSON.stringify(event)}\n\n`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      feeds.push({ server, requests });
      return { port: (server.address() as AddressInfo).port, requests };
    };
    afterEach(async () => {
      for (const { server } of feeds.splice(0)) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
    const tailOnce = async (...argv: string[]): Promise<string[]> => {
      const lines: string[] = [];
      const stop = new AbortController();
      await tailCommand(['--token', 'the-token', ...argv], (line) => (lines.push(line), stop.abort()), stop);
      return lines;
    };

    it('follows the service on PORT and keeps its checkpoint in DATA_DIR', async () => {
      const service = await feed();
      process.env.PORT = String(service.port);
      const lines = await tailOnce();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ {7}7 {2}2019-04-15T10:00:00\+08:00 /);
      expect(service.requests).toEqual([expect.objectContaining({ url: '/feed', headers: expect.objectContaining({ authorization: 'Bearer the-token', 'last-event-id': '0' }) })]);
      expect(readFileSync(join(dataDir, 'tail.position'), 'utf8')).toBe('7\n');

      // --url wins over PORT; the checkpoint carries over.
      const other = await feed();
      await tailOnce('--url', `http://127.0.0.1:${other.port}`);
      expect(service.requests).toHaveLength(1);
      expect(other.requests).toEqual([expect.objectContaining({ headers: expect.objectContaining({ 'last-event-id': '7' }) })]);
      expect(readFileSync(join(dataDir, 'tail.position'), 'utf8')).toBe('14\n');
    });
  });

  describe('on a store', () => {
    /** Session 6-3 opened the walk-through's way: by the office, over the command path, not by the replay. */
    beforeEach(async () => {
      const config = loadConfig(process.env);
      const app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config: { ...config, inProcessProjections: false } }), { logger: ['error'] });
      try {
        await app.get(CommandBus).execute(
          new ExecuteSessionCommand('6-3', {
            tenant: config.defaultTenant,
            caller: { id: 'o-1', role: 'office' },
            command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019, answerLimitDays: 90 } },
          }),
        );
      } finally {
        await app.close();
      }
    });
    const head = async (): Promise<number> => {
      const store = new SqliteEventStore({ path: eventStoreFile(loadConfig(process.env)), synchronous: 'normal' });
      try {
        return await store.headPosition();
      } finally {
        await store.close();
      }
    };

    it('replay into a store that already has 6-3 says so in one line and appends nothing', async () => {
      const before = await head();
      const { code, out, err } = await cli('replay', 'all');
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^replay: session 6-3 is already in this store \(opened by office o-1 .*\); nothing written\./)]);
      expect(await head()).toBe(before);
    }, 60_000);

    it('rebuild draws its progress on a terminal only: piped, stderr stays empty', async () => {
      const stderr = process.stderr as NodeJS.WriteStream & { isTTY?: boolean };
      const wasTTY = stderr.isTTY;
      const written: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        stderr.isTTY = false;
        expect(await cli('rebuild')).toMatchObject({ code: 0, err: '' });
        expect(written).toEqual([]);
        expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(/^rebuilt .* from 1 events in/);

        stderr.isTTY = true;
        expect((await cli('rebuild')).code).toBe(0);
        expect(written.join('')).toMatch(/^\rrebuild █+ 100%/);
      } finally {
        stderr.isTTY = wasTTY;
        spy.mockRestore();
        stdout.mockRestore();
      }
      expect(readdirSync(dataDir)).toContain('read-models.sqlite');
    }, 60_000);
  });
});
