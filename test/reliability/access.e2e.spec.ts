import { assignedProposal, cast, ensureSession, TestApi, type Cast } from '../support/api.js';
import { send, type Answer } from './http.js';

/**
 * Who may do what: every role against every command and every query, one named row per pair.
 *
 * For each command a fixture proposal (or session) is first brought into the state in which the allowed role's step
 * succeeds; every other role is refused there with a 403 that writes nothing, and then the allowed role takes the step
 * on that same fixture — so the refusals were about the role, not about the state.
 */

const ROLES = {
  proposer: 'member (proposer)',
  otherMember: 'member (not a proposer)',
  committee: 'committee',
  office: 'office',
  lead: 'lead unit',
  coUnit: 'co-unit',
  otherUnit: 'unit not handling it',
  leader: 'leader',
  auditor: 'auditor',
  clerk: 'clerk (no onBehalfOf)',
  service: 'service',
} as const;
type RoleKey = keyof typeof ROLES;
const ALL_ROLES = Object.keys(ROLES) as RoleKey[];

const tokenOf = (people: Cast, role: RoleKey): string =>
  ({
    proposer: people.member,
    otherMember: people.otherMember,
    committee: people.committee,
    office: people.office,
    lead: people.lead,
    coUnit: people.coUnit,
    otherUnit: people.otherUnit,
    leader: people.leader,
    auditor: people.auditor,
    clerk: people.clerk,
    service: people.service,
  })[role];

const api = new TestApi();
let people: Cast;

beforeAll(async () => {
  await api.start();
  people = cast(api);
  await ensureSession(api, people);
});
afterAll(() => api.stop());

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: a proposal in the state each step needs. Lead unit 区发展改革委, co-unit 区财政局, proposers m-1 and m-2;
// 区教育局 (otherUnit) never handles it, m-9 (otherMember) never proposed it.

async function filed(title = '关于加强中小企业危废处置的建议'): Promise<string> {
  const r = await api.post('/proposals', people.member, {
    session: '6-3',
    title,
    body: '建议建立危废集中收运体系。',
    category: 'environment',
    coProposers: ['m-2'],
  });
  expect(r.status).toBe(201);
  expect((await api.post(`/proposals/${r.body.id}/co-proposer-confirmations`, people.coProposer)).status).toBe(200);
  return r.body.id;
}

/** A committee's proposal that asks m-9 (otherMember) to join. */
async function invitingOtherMember(): Promise<string> {
  const r = await api.post('/proposals', people.committee, {
    session: '6-3',
    title: '关于加强中小学校食堂建设和管理的建议',
    body: '建议推行校园食堂明厨亮灶。',
    category: 'livelihood',
    coProposers: ['m-9'],
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function registered(): Promise<string> {
  const id = await filed();
  expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
  return id;
}

async function opinionSent(): Promise<string> {
  const id = await assignedProposal(api, people);
  expect((await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意主办单位意见。' })).status).toBe(200);
  return id;
}

async function answered(category: 'A' | 'B' | 'C' = 'A', publish = true): Promise<string> {
  const id = await opinionSent();
  const answer = { category, text: '已研究办理。', publish, ...(publish ? {} : { withholdReason: '涉及内部工作安排' }) };
  expect((await api.post(`/proposals/${id}/answers`, people.lead, answer)).status).toBe(200);
  return id;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

interface CommandCase {
  readonly command: string;
  readonly allowed: readonly RoleKey[];
  /** Brings the target into the state where the allowed roles succeed; returns the id used in the path. */
  readonly fixture: () => Promise<string>;
  readonly path: (id: string) => string;
  readonly body: (id: string) => Record<string, unknown>;
  readonly status?: number;
  readonly method?: 'POST' | 'PATCH' | 'DELETE';
}

/** A unit registered for one directory row of the table; each row gets its own. */
let unitCount = 0;
async function freshUnit(): Promise<string> {
  const code = `acc-unit-${++unitCount}`;
  expect((await api.post('/directory/units', people.office, { code, fullName: `测试单位${unitCount}`, shortName: `测试${unitCount}`, kind: 'other' })).status).toBe(201);
  return code;
}

const COMMANDS: readonly CommandCase[] = [
  {
    command: 'sessions',
    allowed: ['office'],
    fixture: async () => '7-1',
    path: () => '/sessions',
    body: (id) => ({ id, name: '七届一次会议', year: 2022, answerLimitDays: 90 }),
    status: 201,
  },
  {
    command: 'supervision-visits',
    allowed: ['office', 'committee'],
    fixture: async () => '6-3',
    path: (id) => `/sessions/${id}/supervision-visits`,
    body: () => ({ unit: 'czj', note: '重点督办' }),
    status: 201,
  },
  {
    command: 'proposals',
    allowed: ['proposer', 'otherMember', 'committee'],
    fixture: async () => '6-3',
    path: () => '/proposals',
    body: (session) => ({ session, title: '关于科学规范设立充电桩的建议', body: '建议统一规划。', category: 'urban-rural' }),
    status: 201,
  },
  {
    command: 'co-proposer-confirmations',
    allowed: ['otherMember'],
    fixture: invitingOtherMember,
    path: (id) => `/proposals/${id}/co-proposer-confirmations`,
    body: () => ({}),
  },
  { command: 'register', allowed: ['committee'], fixture: () => filed(), path: (id) => `/proposals/${id}/register`, body: () => ({}) },
  {
    command: 'decline',
    allowed: ['committee'],
    fixture: () => filed(),
    path: (id) => `/proposals/${id}/decline`,
    body: () => ({ reason: 'opinion', note: '转社情民意' }),
  },
  {
    command: 'assign',
    allowed: ['office'],
    fixture: registered,
    path: (id) => `/proposals/${id}/assign`,
    body: () => ({ leadUnit: 'fgw', coUnits: ['czj'] }),
  },
  {
    command: 'reassignment-requests',
    allowed: ['lead'],
    fixture: () => assignedProposal(api, people),
    path: (id) => `/proposals/${id}/reassignment-requests`,
    body: () => ({ reason: '不属于本单位职责' }),
  },
  {
    command: 'reassign',
    allowed: ['office'],
    fixture: () => assignedProposal(api, people),
    path: (id) => `/proposals/${id}/reassign`,
    body: () => ({ leadUnit: 'czj', coUnits: ['fgw'] }),
  },
  { command: 'claim', allowed: ['leader'], fixture: () => assignedProposal(api, people), path: (id) => `/proposals/${id}/claim`, body: () => ({}) },
  {
    command: 'visits',
    allowed: ['lead', 'coUnit'],
    fixture: () => assignedProposal(api, people),
    path: (id) => `/proposals/${id}/visits`,
    body: () => ({ stage: 'before', visitorRank: 'principal', form: 'in-person' }),
  },
  {
    command: 'co-unit-opinions',
    allowed: ['coUnit'],
    fixture: () => assignedProposal(api, people),
    path: (id) => `/proposals/${id}/co-unit-opinions`,
    body: () => ({ opinion: '同意。' }),
  },
  {
    command: 'answers',
    allowed: ['lead'],
    fixture: opinionSent,
    path: (id) => `/proposals/${id}/answers`,
    body: () => ({ category: 'A', text: '已纳入扶持政策。', publish: true }),
  },
  {
    command: 'feedback',
    allowed: ['proposer'],
    fixture: () => answered('A'),
    path: (id) => `/proposals/${id}/feedback`,
    body: () => ({ attitude: 'satisfied', agreesWithResult: true }),
  },
  {
    command: 'renegotiation',
    allowed: ['office', 'committee'],
    fixture: () => answered('C'),
    path: (id) => `/proposals/${id}/renegotiation`,
    body: () => ({ reason: '委员对答复不满意' }),
  },
  {
    command: 'follow-ups',
    allowed: ['lead', 'coUnit', 'office'],
    fixture: () => answered('B'),
    path: (id) => `/proposals/${id}/follow-ups`,
    body: () => ({ note: '已列入年度计划', substantiveProgress: true }),
  },
  {
    command: 'supervision',
    allowed: ['office', 'committee'],
    fixture: () => assignedProposal(api, people),
    path: (id) => `/proposals/${id}/supervision`,
    body: () => ({ key: true, note: '列为重点提案' }),
  },
  {
    command: 'publication',
    allowed: ['office'],
    fixture: () => answered('A', true),
    path: (id) => `/proposals/${id}/publication`,
    body: () => ({}),
  },
  { command: 'withdrawal', allowed: ['proposer'], fixture: () => filed(), path: (id) => `/proposals/${id}/withdrawal`, body: () => ({ reason: '情况已变化' }) },
  {
    command: 'directory/units',
    allowed: ['office'],
    fixture: async () => 'acc-new-unit',
    path: () => '/directory/units',
    body: (code) => ({ code, fullName: '区新设单位', shortName: '区新设单位', kind: 'other' }),
    status: 201,
  },
  { command: 'directory/units/:code (PATCH)', allowed: ['office'], fixture: freshUnit, path: (code) => `/directory/units/${code}`, body: () => ({ shortName: '改名' }), method: 'PATCH' },
  { command: 'directory/units/:code/deactivation', allowed: ['office'], fixture: freshUnit, path: (code) => `/directory/units/${code}/deactivation`, body: () => ({}) },
  {
    command: 'directory/members',
    allowed: ['office'],
    fixture: async () => 'm-acc',
    path: () => '/directory/members',
    body: (id) => ({ id, name: '新委员', sector: '经济界', terms: ['6'] }),
    status: 201,
  },
  {
    command: 'directory/staff-accounts',
    allowed: ['office'],
    fixture: async () => 'u-acc',
    path: () => '/directory/staff-accounts',
    body: (sub) => ({ sub, unit: 'fgw' }),
    status: 201,
  },
  { command: 'directory/import', allowed: ['office'], fixture: async () => '', path: () => '/directory/import', body: () => ({ units: [{ code: 'acc-imported', fullName: '导入单位', shortName: '导入单位', kind: 'other' }] }) },
];

const sendCommand = (c: CommandCase, target: string, token: string) =>
  api.request(c.method ?? 'POST', c.path(target), { token, body: c.body(target) });

async function expectRefused(status: number, reply: Answer | { status: number; headers: Headers; body: any }, before: number) {
  const contentType = 'contentType' in reply ? reply.contentType : reply.headers.get('content-type');
  expect({ status: reply.status, contentType }).toEqual({ status, contentType: expect.stringMatching(/^application\/problem\+json/) });
  expect(reply.body).toMatchObject({ status, detail: expect.stringMatching(/\S/) });
  expect(await api.store.headPosition()).toBe(before);
}

describe.each(COMMANDS)('$command', (c) => {
  let target: string;
  beforeAll(async () => {
    target = await c.fixture();
  });

  const forbidden = ALL_ROLES.filter((r) => !c.allowed.includes(r)).map((role) => ({ command: c.command, role, who: ROLES[role] }));
  it.each(forbidden)('$command × $who → 403', async ({ role }) => {
    const before = await api.store.headPosition();
    const reply = await sendCommand(c, target, tokenOf(people, role));
    await expectRefused(403, reply, before);
  });

  const allowed = c.allowed.map((role) => ({ command: c.command, role, who: ROLES[role] }));
  it.each(allowed)(`$command × $who → ${c.status ?? 200} on the same fixture`, async ({ role }) => {
    const before = await api.store.headPosition();
    const reply = await sendCommand(c, target, tokenOf(people, role));
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: c.status ?? 200,
      body: { id: expect.any(String), revision: expect.any(Number), position: expect.any(Number) },
    });
    expect(await api.store.headPosition()).toBeGreaterThan(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Queries

const SUPERVISORS: readonly RoleKey[] = ['office', 'committee', 'auditor', 'leader'];
const TAKES_PART: readonly RoleKey[] = ['proposer', 'committee', 'office', 'lead', 'coUnit', 'leader', 'auditor', 'clerk'];
const UNIQUE_TITLE = '关于访问控制核对样本的建议';

interface QueryCase {
  readonly query: string;
  readonly path: (id: string) => string;
  readonly allowed: readonly RoleKey[];
  /** An event stream: only the status line is read. */
  readonly stream?: boolean;
  /** A file (CSV, XLSX, DOCX): its Content-Type, instead of JSON. */
  readonly file?: RegExp;
}

const CSV = /^text\/csv; charset=utf-8/;
const XLSX = /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet$/;
const DOCX = /^application\/vnd\.openxmlformats-officedocument\.wordprocessingml\.document$/;

const QUERIES: readonly QueryCase[] = [
  { query: 'GET /proposals/:id', path: (id) => `/proposals/${id}`, allowed: TAKES_PART },
  { query: 'GET /proposals/:id/history', path: (id) => `/proposals/${id}/history`, allowed: TAKES_PART },
  { query: 'GET /sessions/:id/statistics', path: () => '/sessions/6-3/statistics', allowed: ALL_ROLES },
  { query: 'GET /statistics/year-over-year', path: () => '/statistics/year-over-year?sessions=6-3', allowed: ALL_ROLES },
  { query: 'GET /units', path: () => '/units?session=6-3', allowed: [...SUPERVISORS, 'lead', 'coUnit', 'otherUnit'] },
  { query: 'GET /supervision/overdue', path: () => '/supervision/overdue', allowed: SUPERVISORS },
  { query: 'GET /supervision/due-soon', path: () => '/supervision/due-soon?days=100', allowed: SUPERVISORS },
  { query: 'GET /audit', path: () => '/audit', allowed: ['auditor', 'office', 'committee'] },
  { query: 'GET /projections', path: () => '/projections', allowed: ['auditor', 'office', 'committee'] },
  { query: 'GET /feed', path: () => '/feed', allowed: ['auditor', 'office', 'service'], stream: true },
  { query: 'GET /public/answers', path: () => '/public/answers?session=6-3', allowed: ALL_ROLES },
  { query: 'GET /sessions', path: () => '/sessions', allowed: ALL_ROLES },
  { query: 'GET /vocabulary', path: () => '/vocabulary', allowed: ALL_ROLES },
  { query: 'GET /trail/anchors', path: () => '/trail/anchors', allowed: ['auditor'] },
  { query: 'GET /directory/units', path: () => '/directory/units', allowed: ALL_ROLES },
  { query: 'GET /directory/units/:code', path: () => '/directory/units/fgw', allowed: ALL_ROLES },
  { query: 'GET /directory/members', path: () => '/directory/members', allowed: ALL_ROLES },
  { query: 'GET /directory/staff-accounts', path: () => '/directory/staff-accounts', allowed: ['office', 'auditor'] },
  // The same routes as files, and the Word documents: the same rights as their JSON.
  { query: 'GET /sessions/:id/statistics?format=xlsx', path: () => '/sessions/6-3/statistics?format=xlsx', allowed: ALL_ROLES, file: XLSX },
  { query: 'GET /statistics/year-over-year?format=csv', path: () => '/statistics/year-over-year?sessions=6-3&format=csv', allowed: ALL_ROLES, file: CSV },
  { query: 'GET /units?format=csv', path: () => '/units?session=6-3&format=csv', allowed: [...SUPERVISORS, 'lead', 'coUnit', 'otherUnit'], file: CSV },
  { query: 'GET /supervision/overdue?format=xlsx', path: () => '/supervision/overdue?format=xlsx', allowed: SUPERVISORS, file: XLSX },
  { query: 'GET /supervision/due-soon?format=csv', path: () => '/supervision/due-soon?days=100&format=csv', allowed: SUPERVISORS, file: CSV },
  { query: 'GET /audit?format=csv', path: () => '/audit?format=csv', allowed: ['auditor', 'office', 'committee'], file: CSV },
  { query: 'GET /sessions/:id/report.docx', path: () => '/sessions/6-3/report.docx', allowed: ALL_ROLES, file: DOCX },
  { query: 'GET /public/answers.docx', path: () => '/public/answers.docx?session=6-3', allowed: ALL_ROLES, file: DOCX },
  { query: 'GET /todo', path: () => '/todo', allowed: ALL_ROLES },
  { query: 'GET /webhooks', path: () => '/webhooks', allowed: ['office', 'service'] },
];

describe('queries', () => {
  let id: string;
  beforeAll(async () => {
    id = await filed(UNIQUE_TITLE);
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'fgw', coUnits: ['czj'] })).status).toBe(200);
  });

  const get = async (q: QueryCase, token: string | undefined): Promise<Answer> => {
    const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (q.stream) return send(api, { method: 'GET', path: q.path(id), headers: authorization });
    const r = await api.read(q.path(id), token);
    return { status: r.status, contentType: r.headers.get('content-type') ?? '', body: r.body, text: '' };
  };

  const rows = QUERIES.flatMap((q) =>
    ALL_ROLES.map((role) => ({ q, query: q.query, who: ROLES[role], role, outcome: q.allowed.includes(role) ? '200' : '403' })),
  );
  it.each(rows)('$query × $who → $outcome', async ({ q, role, outcome }) => {
    const before = await api.store.headPosition();
    const reply = await get(q, tokenOf(people, role));
    if (outcome === '403') return expectRefused(403, reply, before);
    expect(reply.status).toBe(200);
    if (q.stream) expect(reply.contentType).toMatch(/^text\/event-stream/);
    else expect(reply.contentType).toMatch(q.file ?? /^application\/json/);
    expect(await api.store.headPosition()).toBe(before);
  });

  it('GET /public/answers × no token → 200', async () => {
    const reply = await api.read('/public/answers?session=6-3');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number) });
  });

  it('GET /vocabulary × no token → 200; GET /sessions × no token → 401', async () => {
    expect((await api.get('/vocabulary')).status).toBe(200);
    expect((await api.get('/sessions')).status).toBe(401);
  });

  it('GET /proposals/:id × a member who did not propose it → 403, while a co-proposer reads it', async () => {
    expect((await api.read(`/proposals/${id}`, people.otherMember)).status).toBe(403);
    expect((await api.read(`/proposals/${id}`, people.coProposer)).status).toBe(200);
  });

  it('GET /units × a unit → only its own record', async () => {
    for (const [token, unit] of [[people.lead, 'fgw'], [people.coUnit, 'czj']] as const) {
      const reply = await api.read('/units?session=6-3', token);
      expect(reply.body.map((u: { unit: string }) => u.unit)).toEqual([unit]);
    }
    expect((await api.read('/units?session=6-3', people.otherUnit)).body).toEqual([]);
  });

  // A forbidden reader of the list is not refused: the list answers 200 without the proposals it may not see.
  const readers = ALL_ROLES.map((role) => {
    const sees = TAKES_PART.includes(role);
    return { role, who: ROLES[role], sees, outcome: sees ? 'listed' : 'not listed' };
  });
  it.each(readers)('GET /proposals × $who → 200, the proposal $outcome', async ({ role, sees }) => {
    const before = await api.store.headPosition();
    const reply = await api.read(`/proposals?q=${encodeURIComponent(UNIQUE_TITLE)}`, tokenOf(people, role));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ total: sees ? 1 : 0, page: 1 });
    expect(reply.body.items.map((i: { id: string }) => i.id)).toEqual(sees ? [id] : []);
    expect(await api.store.headPosition()).toBe(before);
  });
});
