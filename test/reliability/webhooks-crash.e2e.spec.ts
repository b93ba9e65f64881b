import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@app/identity';
import { TEST_DIRECTORY } from '../support/api.js';
import { freePort, ServiceProcess } from '../support/service-process.js';
import { Receiver } from '../support/receiver.js';

/**
 * At least once across SIGKILL: the service, a child process delivering to a receiver of this spec while clients
 * file proposals, is killed at random moments and started again; in the end the receiver has every event the
 * subscription wants, each first received in the log's order (repeats of the last ones before a kill allowed).
 */
const TRIALS = Number(process.env.WEBHOOK_CRASH_TRIALS ?? 4);
const SECRET = 'webhook-crash-secret-of-at-least-32-chars';
const token = (sub: string, role: string) => mintToken(SECRET, { sub, role: role as 'office' });
const office = token('o-1', 'office');
const committee = token('c-1', 'committee');
const member = token('m-1', 'member');

describe('webhook deliveries across SIGKILL of the service', () => {
  let dir: string;
  let port: number;
  let child: ServiceProcess | undefined;
  const receiver = new Receiver();
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    child = new ServiceProcess({ PORT: String(port), DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_LEVEL: 'error', METRICS_PORT: '0', REMINDER_SCHEDULE: 'off', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_MAX_MS: '200' });
    await child.healthy(base(), 120_000);
  };

  const kill = async () => {
    await child?.stop();
    child = undefined;
  };

  const post = async (path: string, auth: string, body: unknown) => {
    const response = await fetch(`${base()}${path}`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: response.ok ? ((await response.json()) as { id: string; position: number }) : undefined };
  };

  /** Clients that file and register until the service dies under them. */
  const load = () => {
    let alive = true;
    const client = async () => {
      while (alive) {
        try {
          const filed = await post('/proposals', member, { session: '6-3', title: '关于加强老旧小区物业管理的建议', body: '……', category: 'livelihood' });
          if (filed.body) await post(`/proposals/${filed.body.id}/register`, committee, {});
        } catch {
          return; // the connection died with the service
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    return async () => {
      alive = false;
      await Promise.all(clients);
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-webhook-crash-'));
    port = await freePort();
    await receiver.start();
    await start();
    expect((await post('/directory/import', office, TEST_DIRECTORY)).status).toBe(200);
    expect((await post('/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 })).status).toBe(201);
    expect((await post('/webhooks', office, { url: receiver.url, prefixes: ['proposal.'], secret: 'receiver-secret-0123456789' })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    if (child) await kill();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no event through ${TRIALS} kills: each is received, first in the log's order`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const stop = load();
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      await kill();
      await stop();
      await start();
    }
    const wanted = proposalEvents(dir);
    expect(wanted.length).toBeGreaterThan(TRIALS * 10);
    await receiver.until(wanted, 120_000);
    const firsts: string[] = [];
    const seen = new Set<string>();
    for (const r of receiver.received) if (!seen.has(r.body.id)) (seen.add(r.body.id), firsts.push(r.body.id));
    expect(firsts).toEqual(wanted);
    // Every repeat is an event delivered before, sent again with its id for the receiver to drop.
    expect(receiver.received.length).toBeGreaterThanOrEqual(wanted.length);
  }, 600_000);
});

/** The ids of the jurisdiction's proposal events, in the log's order, from the store's file. */
function proposalEvents(dir: string): string[] {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
  try {
    return db.prepare("SELECT id FROM events WHERE stream LIKE 'proposal-jinshan:%' ORDER BY position").pluck().all() as string[];
  } finally {
    db.close();
  }
}
