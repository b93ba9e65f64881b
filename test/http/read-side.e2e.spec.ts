import { jest } from '@jest/globals';
import { reportCommand } from '../../apps/cli/src/report.command.js';
import { cast, ensureSession, TestApi, type Cast } from '../support/api.js';

/** The read models over HTTP: lists, one proposal, statistics, units, public answers, supervision lists, audit. */
describe('read side over HTTP', () => {
  const api = new TestApi();
  let people: Cast;
  const ids: Record<string, string> = {};
  const clerkFor = (sub: string, role: string, unit?: string) => ({ sub, role, ...(unit ? { unit } : {}) });

  beforeAll(async () => {
    await api.start({ READ_YOUR_WRITES_TIMEOUT_MS: '300' });
    people = cast(api);
    await ensureSession(api, people);
    const file = async (name: string, title: string, category: string, token = people.member) => {
      ids[name] = (await api.post('/proposals', token, { session: '6-3', title, body: '……', category })).body.id;
    };
    await file('charging', '关于科学规范设立充电桩的建议', 'urban-rural');
    await file('waste', '关于加强中小企业危废处置的建议', 'environment', people.coProposer);
    await file('canteen', '关于加强中小学校食堂建设和管理的建议', 'livelihood');
    await file('garbage', '垃圾分类', 'environment');
    for (const name of ['charging', 'waste', 'canteen']) await api.post(`/proposals/${ids[name]}/register`, people.committee);
    await api.post(`/proposals/${ids.garbage}/decline`, people.committee, { reason: 'opinion' });
    await api.post(`/proposals/${ids.charging}/assign`, people.office, { leadUnit: 'fgw', dueDate: '2019-03-20' });
    await api.post(`/proposals/${ids.waste}/assign`, people.office, { leadUnit: 'jyj', coUnits: ['fgw'], dueDate: '2019-05-31' });
    await api.post(`/proposals/${ids.canteen}/assign`, people.office, { leadUnit: 'jyj', dueDate: '2019-03-10' });
    await api.post(`/proposals/${ids.charging}/claim`, people.leader);
    await api.post(`/proposals/${ids.charging}/supervision`, people.office, { key: true });
    api.clock.advanceDays(5);
    await api.post(`/proposals/${ids.charging}/visits`, people.lead, { stage: 'before', visitorRank: 'principal', form: 'in-person' });
    await api.post(`/proposals/${ids.charging}/answers`, people.lead, { category: 'A', text: '已建成充电桩120个。', publish: true });
    await api.post(`/proposals/${ids.charging}/feedback`, people.member, { attitude: 'satisfied', agreesWithResult: true });
    await api.post(`/proposals/${ids.charging}/publication`, people.office);
    await api.post('/sessions/6-3/supervision-visits', people.office, { unit: 'jyj' });
    api.clock.advanceDays(20); // 26 March: the canteen proposal (due 10 March) is overdue
    // A visit on 4 March typed in by a clerk three weeks later.
    await api.post(`/proposals/${ids.waste}/visits`, people.clerk, {
      stage: 'before', visitorRank: 'deputy', form: 'phone', occurredAt: '2019-03-04', onBehalfOf: clerkFor('u-3', 'unit', 'jyj'),
    });
  });
  afterAll(() => api.stop());

  it('lists what the caller may see, filtered, sorted and paged', async () => {
    const all = await api.read('/proposals?session=6-3&sort=title&pageSize=2', people.office);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 2 });
    expect(all.body.items).toHaveLength(2);
    const second = await api.read('/proposals?session=6-3&sort=title&pageSize=2&page=2', people.office);
    const titles = [...all.body.items, ...second.body.items].map((i: { title: string }) => i.title);
    expect(titles).toEqual([...titles].sort());
    expect(all.body.items[0]).toEqual(expect.objectContaining({ id: expect.any(String), leadUnit: expect.anything() }));

    const byFilter = async (query: string, token = people.office) =>
      (await api.read(`/proposals?${query}`, token)).body.items.map((i: { id: string }) => i.id).sort();
    expect(await byFilter('status=declined')).toEqual([ids.garbage]);
    expect(await byFilter('leadUnit=jyj')).toEqual([ids.waste, ids.canteen].sort());
    expect(await byFilter('category=environment')).toEqual([ids.waste, ids.garbage].sort());
    expect(await byFilter('key=true')).toEqual([ids.charging]);
    expect(await byFilter('claimed=true')).toEqual([ids.charging]);
    expect(await byFilter(`q=${encodeURIComponent('食堂')}`)).toEqual([ids.canteen]);
    expect(await byFilter('overdue=true')).toEqual([ids.canteen]);
    expect(await byFilter('overdue=false&status=assigned')).toEqual([ids.waste]);
  });

  it('scopes lists by role: a unit sees what it handles, a member their own, a service nothing', async () => {
    const ids_ = async (token: string) => (await api.read('/proposals', token)).body.items.map((i: { id: string }) => i.id).sort();
    expect(await ids_(people.lead)).toEqual([ids.charging, ids.waste].sort()); // lead of one, co-unit of the other
    expect(await ids_(people.coProposer)).toEqual([ids.waste]);
    expect(await ids_(people.member)).toEqual([ids.charging, ids.canteen, ids.garbage].sort());
    expect(await ids_(people.service)).toEqual([]);
  });

  it('refuses bad query strings, naming the parameter', async () => {
    const bad = async (query: string, field: string) => {
      const r = await api.get(`/proposals?${query}`, people.office);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    };
    await bad('pageSize=1000', 'pageSize');
    await bad('overdue=maybe', 'overdue');
    await bad('sort=body', 'sort');
    await bad('colour=red', 'colour');
    await bad('session=6-3&session=6-2', 'session');
    await bad('minPosition=-1', 'minPosition');
  });

  it('reads one proposal from the read model with every dated fact, for those who take part', async () => {
    const one = await api.read(`/proposals/${ids.charging}`, people.lead);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: ids.charging,
      number: expect.stringMatching(/^6-3-\d{3}$/),
      status: 'answered',
      claimedBy: { id: 'l-1' },
      visits: [{ unit: 'fgw', stage: 'before', visitorRank: 'principal', form: 'in-person' }],
      answers: [{ category: 'A', text: '已建成充电桩120个。', dueDate: '2019-03-20' }],
      published: true,
    });
    expect(one.headers.get('etag')).toBe(`"${one.body.revision}"`);
    expect((await api.read(`/proposals/${ids.charging}`, people.otherUnit)).status).toBe(403);
  });

  it('waits for a command’s position before answering a query (read-your-writes)', async () => {
    const step = await api.post(`/proposals/${ids.waste}/supervision`, people.office, { key: true });
    const read = await api.get(`/proposals/${ids.waste}?minPosition=${step.body.position}`, people.office);
    expect(read.body.key).toBe(true);
    expect(read.body.revision).toBe(step.body.revision);
  });

  it('refuses at once a position past the end of the log, naming minPosition (no command answered it)', async () => {
    const head = await api.store.headPosition();
    const future = await api.get(`/proposals?session=6-3&minPosition=${head + 1000}`, people.office);
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: 'minPosition', reason: expect.stringContaining('past the end of the event log') }]);
    expect(future.body.detail).not.toContain(String(head));
  });

  it('answers at once for a position no read model reads (a trail anchor), once every projected event before it is in', async () => {
    const { position } = await api.store.append('anchor-jinshan', [{ id: crypto.randomUUID(), type: 'trail.anchored.v1', data: {}, metadata: {} }]);
    const read = await api.get(`/proposals?session=6-3&minPosition=${position}`, people.office);
    expect(read.status).toBe(200);
    // A projected event after it is waited for as before.
    const step = await api.post(`/proposals/${ids.canteen}/supervision`, people.office, { key: true });
    expect((await api.get(`/proposals/${ids.canteen}?minPosition=${step.body.position}`, people.office)).body.key).toBe(true);
  });

  it('gives the session statistics equal to the report job computed from the event log', async () => {
    const statistics = await api.read('/sessions/6-3/statistics', people.auditor);
    expect(statistics.status).toBe(200);
    expect(statistics.body).toMatchObject({
      filed: 4,
      registered: 3,
      declined: 1,
      answeredOnTime: { count: 1, percent: 33.3 },
      categories: { A: { count: 1, percent: 33.3 } },
      leaderClaimed: 1,
      published: { count: 1, percent: 33.3 },
      keyUnitsVisited: 1,
    });
    const report = await runReport(api, ['--session', '6-3', '--format', 'json']);
    expect(JSON.parse(report)).toEqual(statistics.body);

    const asOf = await api.read('/sessions/6-3/statistics?asOf=2019-03-01', people.auditor);
    const reportAsOf = await runReport(api, ['--session', '6-3', '--format', 'json', '--as-of', '2019-03-01']);
    expect(JSON.parse(reportAsOf)).toEqual(asOf.body);
    expect(asOf.body).toMatchObject({ asOf: '2019-03-01', registered: 3, answeredOnTime: { count: 0 }, published: { count: 0 } });
  });

  it('compares sessions year over year', async () => {
    await ensureSession(api, people, '6-2');
    const yoy = await api.read('/statistics/year-over-year?sessions=6-2,6-3', people.leader);
    expect(yoy.status).toBe(200);
    expect(yoy.body.sessions.map((s: { session: string }) => s.session)).toEqual(['6-2', '6-3']);
    expect(yoy.body.changes).toEqual([expect.objectContaining({ from: '6-2', to: '6-3', solveRate: null, registered: 3 })]);
    expect((await api.get('/statistics/year-over-year?sessions=6-2;6-3', people.leader)).status).toBe(400);
    expect((await api.get('/sessions/9-9/statistics', people.leader)).status).toBe(404);
  });

  it('gives each unit its record as lead and as co-unit; a unit sees only its own', async () => {
    const units = await api.read('/units?session=6-3', people.office);
    const education = units.body.find((u: { unit: string }) => u.unit === 'jyj');
    expect(education).toMatchObject({ asLead: { assigned: 2, answered: 0, overdue: 1 }, visitsByRank: { deputy: 1 } });
    const development = units.body.find((u: { unit: string }) => u.unit === 'fgw');
    expect(development).toMatchObject({
      asLead: { assigned: 1, answered: 1, onTime: 1, categories: { A: 1 }, satisfaction: { satisfied: 1, withFeedback: 1 } },
      asCoUnit: { assigned: 1, opinionsSent: 0 },
      visitsByRank: { principal: 1 },
    });
    const own = await api.read('/units?session=6-3', people.lead);
    expect(own.body.map((u: { unit: string }) => u.unit)).toEqual(['fgw']);
    expect((await api.get('/units?session=6-3', people.member)).status).toBe(403);
  });

  it('publishes answers to anyone, without a token, showing members only by name', async () => {
    const answers = await api.read('/public/answers?session=6-3');
    expect(answers.status).toBe(200);
    expect(answers.body.total).toBe(1);
    expect(answers.body.items[0]).toEqual({
      id: ids.charging,
      number: expect.any(String),
      session: '6-3',
      sessionName: '六届三次会议',
      title: '关于科学规范设立充电桩的建议',
      category: 'urban-rural',
      categoryLabel: '城乡建设',
      proposers: ['张委员'],
      unit: 'fgw',
      unitName: '区发展改革委',
      result: 'A',
      resultLabel: '解决或采纳',
      answer: '已建成充电桩120个。',
      answeredAt: expect.any(String),
      answeredAtLocal: expect.stringMatching(/\+08:00$/),
      answeredAtDate: expect.any(String),
      publishedAt: expect.any(String),
      publishedAtLocal: expect.stringMatching(/\+08:00$/),
      publishedAtDate: expect.any(String),
      supersededAt: null,
      supersededAtLocal: null,
      supersededAtDate: null,
    });
    expect(JSON.stringify(answers.body)).not.toContain('m-1');
  });

  it('lists overdue and due-soon proposals for the office', async () => {
    const overdue = await api.read('/supervision/overdue?session=6-3', people.office);
    expect(overdue.body.map((p: { id: string }) => p.id)).toEqual([ids.canteen]);
    const soon = await api.read('/supervision/due-soon?days=90', people.office);
    expect(soon.body.map((p: { id: string }) => p.id)).toEqual([ids.waste]);
    expect((await api.get('/supervision/overdue', people.lead)).status).toBe(403);
  });

  it('finds paper entries recorded long after they happened, and who typed them in', async () => {
    const late = await api.read('/audit?recordedLaterThanDays=14', people.auditor);
    expect(late.status).toBe(200);
    expect(late.body.items).toEqual([
      expect.objectContaining({ type: 'proposal.visited.v1', subject: ids.waste, recorderId: 'k-1', actorId: 'u-3', actorUnit: 'jyj', lagDays: 21 }),
    ]);
    const byActor = await api.read('/audit?actor=o-1&type=proposal.assigned.v1', people.committee);
    expect(byActor.body.total).toBe(3);
    const march4 = await api.read('/audit?from=2019-03-04&to=2019-03-04', people.office);
    expect(march4.body.items.map((e: { type: string }) => e.type)).toEqual(['proposal.visited.v1']);
    const recordedOnThe26th = await api.read(`/audit?time=recorded&from=2019-03-26&to=2019-03-26&proposal=${ids.waste}`, people.office);
    expect(recordedOnThe26th.body.items.map((e: { type: string }) => e.type)).toEqual(['proposal.visited.v1', 'proposal.supervised.v1']);
    expect((await api.get('/audit', people.member)).status).toBe(403);
  });

  it('shows each projection’s checkpoint and lag', async () => {
    const status = await api.read('/projections', people.auditor);
    expect(status.body.projections.map((p: { name: string }) => p.name)).toEqual(['proposals@3', 'sessions@1', 'audit@2', 'todo@1', 'reminders@1']);
    for (const p of status.body.projections) expect(p).toMatchObject({ eventsBehind: 0, secondsBehind: 0, position: p.headPosition });
  });
});

async function runReport(api: TestApi, args: string[]): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATA_DIR: api.config.dataDir, AUTH_SECRET: 'x'.repeat(32), SQLITE_SYNCHRONOUS: 'normal' });
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await reportCommand(args)).toBe(0);
    return write.mock.calls.map((c) => String(c[0])).join('');
  } finally {
    write.mockRestore();
    process.env = saved;
  }
}
