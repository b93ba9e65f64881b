import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { mintToken, type TokenClaims } from '@app/identity';
import { createApp } from '../../apps/api/src/create-app.js';
import { TestClock } from './clock.js';

export const TEST_SECRET = 'test-secret-of-at-least-thirty-two-characters';

export interface Reply<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A started API on a random port over a fresh data directory, with a pinned clock. */
export class TestApi {
  readonly clock = new TestClock();
  private app?: NestFastifyApplication;
  private dir?: string;
  private base = '';
  /** The highest position any command of this test answered: reads wait for it (read-your-writes). */
  private lastPosition = 0;
  config!: AppConfig;

  async start(env: Record<string, string> = {}): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'cppcc-e2e-'));
    this.config = loadConfig({ DATA_DIR: this.dir, AUTH_SECRET: TEST_SECRET, SQLITE_SYNCHRONOUS: 'normal', ...env });
    this.app = await createApp({ config: this.config, clock: this.clock.read, logLevel: 'silent' });
    await this.app.listen(0, '127.0.0.1');
    const address = this.app.getHttpServer().address();
    this.base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A provider of the started app, for a spec that drives it by hand (a scheduler's run). */
  service<T>(token: string | symbol | (abstract new (...args: never[]) => T)): T {
    if (!this.app) throw new Error('not started');
    return this.app.get<T>(token as never);
  }

  get baseUrl(): string {
    return this.base;
  }

  get store(): EventStore {
    if (!this.app) throw new Error('not started');
    return this.app.get<EventStore>(EVENT_STORE);
  }

  token(claims: TokenClaims): string {
    return mintToken(TEST_SECRET, claims);
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const position = (parsed as { position?: unknown } | undefined)?.position;
    if (method === 'POST' && response.ok && typeof position === 'number') this.lastPosition = Math.max(this.lastPosition, position);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  post<T = any>(path: string, token: string | undefined, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { token, body, headers });
  }

  get<T = any>(path: string, token?: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { token, headers });
  }

  /** A GET that sees every write this test made: it passes `minPosition`, as a client reading its own writes does. */
  read<T = any>(path: string, token?: string, headers?: Record<string, string>) {
    const separator = path.includes('?') ? '&' : '?';
    return this.request<T>('GET', `${path}${separator}minPosition=${this.lastPosition}`, { token, headers });
  }
}

/** The people of a district's handling, with their tokens. */
export function cast(api: TestApi) {
  return {
    office: api.token({ sub: 'o-1', role: 'office', name: '区政府办公室' }),
    committee: api.token({ sub: 'c-1', role: 'committee', name: '区政协提案委' }),
    member: api.token({ sub: 'm-1', role: 'member', name: '张委员' }),
    coProposer: api.token({ sub: 'm-2', role: 'member', name: '李委员' }),
    otherMember: api.token({ sub: 'm-9', role: 'member', name: '王委员' }),
    lead: api.token({ sub: 'u-1', role: 'unit', unit: 'fgw' }),
    coUnit: api.token({ sub: 'u-2', role: 'unit', unit: 'czj' }),
    otherUnit: api.token({ sub: 'u-9', role: 'unit', unit: 'jyj' }),
    leader: api.token({ sub: 'l-1', role: 'leader', name: '副区长' }),
    auditor: api.token({ sub: 'a-1', role: 'auditor' }),
    clerk: api.token({ sub: 'k-1', role: 'clerk', name: '录入员' }),
    service: api.token({ sub: 's-1', role: 'service' }),
  };
}
export type Cast = ReturnType<typeof cast>;

/** Opens session 6-3 and files, registers and assigns one proposal; returns its id. */
export async function assignedProposal(api: TestApi, people: Cast, coUnits: string[] = ['czj']): Promise<string> {
  await ensureSession(api, people);
  const filed = await api.post('/proposals', people.member, {
    session: '6-3',
    title: '加大扶持民营企业发展的建议',
    body: '建议设立民营企业发展专项资金。',
    category: 'economy',
    coProposers: ['m-2'],
  });
  const id = filed.body.id as string;
  expect((await api.post(`/proposals/${id}/co-proposer-confirmations`, people.coProposer)).status).toBe(200);
  expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
  expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'fgw', coUnits })).status).toBe(200);
  return id;
}

/** The directory the specs' people and units belong to (importing it again changes nothing). */
export const TEST_DIRECTORY = {
  units: [
    { code: 'fgw', fullName: '区发展和改革委员会', shortName: '区发展改革委', kind: 'government-department', activeFrom: '2000-01-01' },
    { code: 'czj', fullName: '区财政局', shortName: '区财政局', kind: 'government-department', activeFrom: '2000-01-01' },
    { code: 'jyj', fullName: '区教育局', shortName: '区教育局', kind: 'government-department', activeFrom: '2000-01-01' },
    { code: 'sthjj', fullName: '区生态环境局', shortName: '区生态环境局', kind: 'government-department', activeFrom: '2000-01-01' },
    { code: 'lhsrj', fullName: '区绿化和市容管理局', shortName: '区绿化市容局', kind: 'government-department', activeFrom: '2000-01-01' },
  ],
  members: [
    { id: 'm-1', name: '张委员', sector: '经济界', group: '第一组', terms: ['6'] },
    { id: 'm-2', name: '李委员', sector: '科技界', group: '第一组', terms: ['6'] },
    { id: 'm-3', name: '赵委员', sector: '教育界', terms: ['6'] },
    { id: 'm-5', name: '钱委员', sector: '医药卫生界', terms: ['6'] },
    { id: 'm-6', name: '孙委员', sector: '农业界', terms: ['6'] },
    { id: 'm-7', name: '周委员', sector: '经济界', terms: ['6'] },
    { id: 'm-9', name: '王委员', sector: '中共', terms: ['6'] },
  ],
};

export async function ensureDirectory(api: TestApi, people: Cast): Promise<void> {
  const imported = await api.post('/directory/import', people.office, TEST_DIRECTORY);
  expect(imported.status).toBe(200);
}

/** Opens the session (and fills the directory its specs use). */
export async function ensureSession(api: TestApi, people: Cast, id = '6-3'): Promise<void> {
  await ensureDirectory(api, people);
  const opened = await api.post('/sessions', people.office, { id, name: '六届三次会议', year: 2019, answerLimitDays: 90 });
  expect([201, 409]).toContain(opened.status);
}

/**
 * A TestApi started before the tests of the enclosing describe and stopped after them, with the cast's tokens
 * (filled in when it has started).
 */
export function startedApi(env: Record<string, string> = {}): { readonly api: TestApi; readonly people: Cast } {
  const api = new TestApi();
  const people = {} as Cast;
  beforeAll(async () => {
    await api.start(env);
    Object.assign(people, cast(api));
  });
  afterAll(() => api.stop());
  return { api, people };
}
