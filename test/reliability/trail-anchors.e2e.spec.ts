import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { anchorStream, CommandProcessor, commandHandlers, recordAnchor, signAnchor } from '@app/command-handling';
import { eventStoreFile, loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, SqliteEventStore, type EventStore, type RecordedEvent } from '@app/event-store';
import { mintToken } from '@app/identity';
import { createApp } from '../../apps/api/src/create-app.js';
import { AnchorTimer } from '../../apps/api/src/trail/anchor-timer.js';
import { verifyCommand } from '../../apps/cli/src/verify.command.js';
import { startProjector, type Projector } from '../../apps/projector/src/projector.js';
import { proposalScript, seededRandom, seedWorkloadDirectory } from '../../bench/workload.js';

/**
 * Anchors are recorded without anyone asking: daily, by the one process that runs the projections (the API in the
 * embedded default, the projector when they run apart), and an auditor fetches them from GET /trail/anchors.
 */
describe('recorded anchors of the trail', () => {
  const SECRET = 'x'.repeat(32);
  const signing = generateKeyPairSync('ed25519');
  const key = signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let dir: string;
  let apps: NestFastifyApplication[];
  let projector: Projector | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-anchors-'));
    apps = [];
    projector = undefined;
    // A trail already there when the service starts: a session and two proposals.
    const store = new SqliteEventStore({ path: eventStoreFile(configWith()), synchronous: 'normal' });
    let now = Date.parse('2019-03-01T01:00:00Z');
    const processor = new CommandProcessor(store, { clock: () => new Date((now += 60_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    await seedWorkloadDirectory(commandHandlers(processor).directory, 'jinshan');
    await commandHandlers(processor).sessions.handle('6-3', { tenant: 'jinshan', caller: { id: 'o-1', role: 'office' }, command: { type: 'OpenSession', data: { id: '6-3', name: '六届三次会议', year: 2019 } } });
    const random = seededRandom(5);
    for (const [n, id] of ['p0', 'p1'].entries())
      for (const { actor, command } of proposalScript(id, '6-3', n, random)) await commandHandlers(processor).proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
    await store.close();
  });
  afterEach(async () => {
    await projector?.close();
    for (const app of apps) await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configWith = (env: Record<string, string> = {}): AppConfig =>
    loadConfig({ DATA_DIR: dir, AUTH_SECRET: SECRET, SQLITE_SYNCHRONOUS: 'normal', TRAIL_SIGNING_KEY: key, ...env });
  const start = async (env: Record<string, string> = {}) => {
    const app = await createApp({ config: configWith(env), logLevel: 'silent' });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return app;
  };
  const anchorsIn = (app: NestFastifyApplication) => app.get<EventStore>(EVENT_STORE).readStream(anchorStream('jinshan'));
  const get = async (app: NestFastifyApplication, path: string, role: string) => {
    const response = await fetch(`${await app.getUrl()}${path}`, { headers: { authorization: `Bearer ${mintToken(SECRET, { sub: `${role}-1`, role: role as never })}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Resolves with the first anchor event appended to the store from now on. */
  const nextAnchor = (store: EventStore): Promise<RecordedEvent> => {
    const subscription = store.subscribeToAll({ fromPosition: 0, filter: { streamPrefixes: ['anchor-'] } });
    return (async () => {
      for await (const e of subscription) {
        await subscription.unsubscribe();
        return e;
      }
      throw new Error('the subscription ended');
    })();
  };

  it('the API records one at start when none is a day old, and auditors fetch it to verify the log', async () => {
    const app = await start();
    await app.get(AnchorTimer).recorder?.idle();
    const recorded = await anchorsIn(app);
    expect(recorded.map((e) => e.metadata.recordedBy)).toEqual(['api']);

    const listed = await get(app, '/trail/anchors', 'auditor');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect(listed.body.items[0]).toMatchObject({ statement: { tenant: 'jinshan', streams: 4 }, recorded: { by: 'api' } });
    expect((await get(app, '/trail/anchors', 'office')).status).toBe(403);

    // The auditor's copy, checked with the public key alone.
    const saved = join(dir, '..', `${dir.split('/').pop()}-anchor.json`);
    const publicKey = join(dir, '..', `${dir.split('/').pop()}-key.pub.pem`);
    writeFileSync(saved, JSON.stringify(listed.body.items[0]));
    writeFileSync(publicKey, signing.publicKey.export({ type: 'spki', format: 'pem' }));
    const saved_env = { ...process.env };
    Object.assign(process.env, { DATA_DIR: dir, AUTH_SECRET: SECRET, SQLITE_SYNCHRONOUS: 'normal' });
    delete process.env.TRAIL_SIGNING_KEY;
    delete process.env.TRAIL_VERIFY_KEY;
    try {
      const lines: string[] = [];
      expect(await verifyCommand(['--anchor', saved, '--key', publicKey], (l) => lines.push(l))).toBe(0);
      expect(lines.at(-1)).toMatch(/^intact: .* 1 of 1 anchor\(s\) matched/);
    } finally {
      process.env = saved_env;
      rmSync(saved, { force: true });
      rmSync(publicKey, { force: true });
    }

    // A restart the same day records no second one.
    await app.close();
    apps = [];
    const again = await start();
    await again.get(AnchorTimer).recorder?.idle();
    expect(await anchorsIn(again)).toHaveLength(1);
  });

  it('is not put off by an anchor someone else signed and slipped into the stream', async () => {
    const store = new SqliteEventStore({ path: eventStoreFile(configWith()), synchronous: 'normal' });
    const forger = generateKeyPairSync('ed25519').privateKey;
    await recordAnchor(store, signAnchor({ tenant: 'jinshan', position: 1, events: 0, time: new Date().toISOString() }, [], forger), 'someone');
    await store.close();
    const app = await start();
    await app.get(AnchorTimer).recorder?.idle();
    expect((await anchorsIn(app)).map((e) => e.metadata.recordedBy)).toEqual(['someone', 'api']);
  });

  it('lists them newest first, a page at a time', async () => {
    const app = await start();
    const recorder = app.get(AnchorTimer).recorder!;
    await recorder.idle();
    // Two more days of handling, each anchored.
    const store = app.get<EventStore>(EVENT_STORE);
    const processor = new CommandProcessor(store, { clock: () => new Date(), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
    for (const id of ['p7', 'p8']) {
      for (const { actor, command } of proposalScript(id, '6-3', 7, seededRandom(7))) await commandHandlers(processor).proposals.handle(id, { tenant: 'jinshan', caller: actor, command });
      expect(await recorder.run()).toHaveLength(1);
    }
    // Nothing moved since: nothing recorded.
    expect(await recorder.run()).toHaveLength(0);
    const first = await get(app, '/trail/anchors?pageSize=2', 'auditor');
    expect(first.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(first.body.items.map((a: any) => a.statement.streams)).toEqual([6, 5]);
    const second = await get(app, '/trail/anchors?pageSize=2&page=2', 'auditor');
    expect(second.body.items.map((a: any) => a.statement.streams)).toEqual([4]);
    expect((await get(app, '/trail/anchors?page=3&pageSize=2', 'auditor')).body.items).toEqual([]);
  });

  it('with the projections apart, the projector records it and the API does not', async () => {
    const app = await start({ IN_PROCESS_PROJECTIONS: 'false' });
    expect(app.get(AnchorTimer).recorder).toBeUndefined();
    const recorded = nextAnchor(app.get<EventStore>(EVENT_STORE));
    projector = await startProjector(configWith({ IN_PROCESS_PROJECTIONS: 'false' }), 'silent');
    expect((await recorded).metadata.recordedBy).toBe('projector');
    expect((await anchorsIn(app)).map((e) => e.metadata.recordedBy)).toEqual(['projector']);
  });

  it('without a signing key, records none and warns once at start', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const app = await createApp({ config: loadConfig({ DATA_DIR: dir, AUTH_SECRET: SECRET, SQLITE_SYNCHRONOUS: 'normal' }), logLevel: 'silent' });
      apps.push(app);
      expect(app.get(AnchorTimer).recorder).toBeUndefined();
      const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('TRAIL_SIGNING_KEY'));
      expect(warnings).toEqual([expect.stringMatching(/TRAIL_SIGNING_KEY is not set: no anchors of the trail are recorded/)]);
      expect(await anchorsIn(app)).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
