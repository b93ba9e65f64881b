import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@app/identity';
import { eventCodec } from '@app/proposals';
import { allProjections } from '@app/runtime';
import { loadConfig } from '@app/config';
import { toProjected, type Projection } from '@app/projections';
import type { RecordedEvent } from '@app/event-store';
import { TEST_DIRECTORY } from '../support/api.js';
import { freePort, ServiceProcess } from '../support/service-process.js';

/**
 * The service as a child process under a steady command load, killed with SIGKILL at random moments and started
 * again: every command that got a 2xx is in the store, and the read models, once caught up, equal the read models
 * folded from scratch out of the log.
 */
const TRIALS = Number(process.env.CRASH_TRIALS ?? 20);
const SECRET = 'crash-test-secret-of-at-least-32-chars';
const token = (sub: string, role: string, unit?: string) => mintToken(SECRET, { sub, role: role as 'office', ...(unit ? { unit } : {}) });
const office = token('o-1', 'office');
const committee = token('c-1', 'committee');
const member = token('m-1', 'member');
const auditor = token('a-1', 'auditor');
const unit = token('u-1', 'unit', 'fgw');

interface Acknowledged {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
}

describe('killing the service with SIGKILL under load', () => {
  let dir: string;
  let port: number;
  let child: ServiceProcess | undefined;
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    child = new ServiceProcess({ PORT: String(port), DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_LEVEL: 'error', METRICS_PORT: '0' });
    await child.healthy(base(), 120_000);
  };

  const kill = async () => {
    await child?.stop();
    child = undefined;
  };

  const post = async (path: string, auth: string, body: unknown) => {
    const response = await fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: response.ok ? ((await response.json()) as { id: string; revision: number; position: number }) : undefined };
  };

  /** Clients that file, register, assign and visit until the service dies under them; what got a 2xx is recorded. */
  const load = (acknowledged: Acknowledged[], ready: string[]) => {
    let alive = true;
    const ack = (id: string, r: { status: number; body?: { revision: number; position: number } }) => {
      if (r.status >= 200 && r.status < 300 && r.body) acknowledged.push({ stream: `proposal-jinshan:${id}`, revision: r.body.revision, position: r.body.position });
      return r.status < 300;
    };
    const client = async (n: number) => {
      while (alive) {
        try {
          if (n % 2 === 0 && ready.length > 0) {
            const id = ready[Math.floor(Math.random() * ready.length)];
            ack(id, await post(`/proposals/${id}/visits`, unit, { stage: 'during', visitorRank: 'staff', form: 'phone' }));
            continue;
          }
          const filed = await post('/proposals', member, { session: '6-3', title: '关于开展渣土运输道路污染治理的建议', body: '……', category: 'environment' });
          if (!filed.body || !ack(filed.body.id, filed)) continue;
          const id = filed.body.id;
          if (!ack(id, await post(`/proposals/${id}/register`, committee, {}))) continue;
          if (ack(id, await post(`/proposals/${id}/assign`, office, { leadUnit: 'fgw' }))) ready.push(id);
        } catch {
          return; // the connection died with the service
        }
      }
    };
    const clients = Array.from({ length: 12 }, (_, n) => client(n));
    return async () => {
      alive = false;
      await Promise.all(clients);
    };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-crash-'));
    port = await freePort();
    await start();
    expect((await post('/directory/import', office, TEST_DIRECTORY)).status).toBe(200);
    expect((await post('/sessions', office, { id: '6-3', name: '六届三次会议', year: 2019 })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    if (child) await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged command through ${TRIALS} kills, and the read models equal a rebuild`, async () => {
    const acknowledged: Acknowledged[] = [];
    const ready: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const stop = load(acknowledged, ready);
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 450));
      await kill();
      await stop();
      await start();
      const stored = storedEvents(dir);
      const missing = acknowledged.filter((a) => stored.get(`${a.stream}@${a.revision}`) !== a.position);
      expect({ trial, missing }).toEqual({ trial, missing: [] });
    }
    expect(acknowledged.length).toBeGreaterThan(TRIALS * 10);

    // Once the projections have caught up, the read models are what a rebuild from the log gives.
    const head = Math.max(...storedEvents(dir).values());
    const caughtUp = await fetch(`${base()}/projections?minPosition=${head}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(caughtUp.status).toBe(200);
    expect(readModels(dir)).toEqual(foldedFromLog(dir));
  }, 600_000);
});

function storedEvents(dir: string): Map<string, number> {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT stream, revision, position FROM events').all() as { stream: string; revision: number; position: number }[];
    return new Map(rows.map((r) => [`${r.stream}@${r.revision}`, r.position]));
  } finally {
    db.close();
  }
}

const projections = (): Projection[] => allProjections(loadConfig({ AUTH_SECRET: SECRET }));

function readModels(dir: string): Record<string, unknown[]> {
  const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
  try {
    return Object.fromEntries(
      projections().map((p) => [p.collection.name, (db.prepare(`SELECT doc FROM "c_${p.collection.name}__doc" ORDER BY id`).pluck().all() as string[]).map((d) => JSON.parse(d))]),
    );
  } finally {
    db.close();
  }
}

function foldedFromLog(dir: string): Record<string, unknown[]> {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
  const docs = new Map<Projection, Map<string, unknown>>(projections().map((p) => [p, new Map()]));
  try {
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<Record<string, string | number>>) {
      const recorded = { ...row, data: JSON.parse(row.data as string), metadata: JSON.parse(row.metadata as string) } as unknown as RecordedEvent;
      const e = toProjected(eventCodec, recorded);
      if (!e) continue;
      for (const [p, map] of docs) {
        const key = p.keyOf(e);
        if (key === undefined) continue;
        const doc = p.evolve((map.get(key) as never) ?? null, e);
        if (doc) map.set(key, doc);
      }
    }
  } finally {
    db.close();
  }
  return Object.fromEntries([...docs].map(([p, map]) => [p.collection.name, [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, d]) => d)]));
}
