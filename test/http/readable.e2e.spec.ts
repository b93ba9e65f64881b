import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proposalStream, type EventMetadata } from '@app/proposals';
import { tailCommand } from '../../apps/cli/src/tail.command.js';
import { ensureSession, startedApi } from '../support/api.js';

/**
 * Issue 10, "readable everywhere a person reads": the number and title, the step's Chinese label, labels beside
 * codes, business time (+08:00) beside UTC instants, the names units and members had at the time (from the events'
 * metadata), the recorder of a paper entry and the stored hash — on the proposal, its history, the audit trail, the
 * lists, the public answers, the units' records, the sessions and `npm run tail`. The lead unit `fgw` is renamed
 * (区发展改革委 → 区发改委) after it answered: the answer keeps the name it had, its later visit shows the new one.
 */
describe('readable everywhere a person reads', () => {
  const { api, people } = startedApi();
  const TITLE = '关于加强中小学校食堂建设和管理的建议';
  const BODY = '建议推行校园食堂明厨亮灶，落实陪餐制度。';
  const LEAD = 'fgw';
  const OLD_NAME = '区发展改革委';
  const NEW_NAME = '区发改委';
  let id: string;
  let number: string;
  let hashes: string[];

  beforeAll(async () => {
    await ensureSession(api, people);
    id = (await api.post('/proposals', people.member, { session: '6-3', title: TITLE, body: BODY, category: 'livelihood' })).body.id;
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: LEAD })).status).toBe(200);
    api.clock.advanceDays(6); // 7 March: a visit of 4 March typed in from its paper form
    const paper = { stage: 'before', visitorRank: 'deputy', form: 'phone', occurredAt: '2019-03-04', onBehalfOf: { sub: 'u-1', role: 'unit', unit: LEAD } };
    expect((await api.post(`/proposals/${id}/visits`, people.clerk, paper)).status).toBe(200);
    api.clock.set('2019-03-10T16:30:00.000Z'); // 00:30 on 11 March in Beijing, still 10 March in UTC
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已全面推行明厨亮灶。', publish: true })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/publication`, people.office)).status).toBe(200);
    expect((await api.request('PATCH', `/directory/units/${LEAD}`, { token: people.office, body: { shortName: NEW_NAME } })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/visits`, people.lead, { stage: 'after', visitorRank: 'principal', form: 'in-person' })).status).toBe(200);
    // Two more for the session's counts: one declined, one registered and still open.
    const declined = (await api.post('/proposals', people.member, { session: '6-3', title: '垃圾分类', body: '……', category: 'environment' })).body.id;
    expect((await api.post(`/proposals/${declined}/decline`, people.committee, { reason: 'opinion' })).status).toBe(200);
    const open = (await api.post('/proposals', people.coProposer, { session: '6-3', title: '关于科学规范设立充电桩的建议', body: '……', category: 'urban-rural' })).body.id;
    expect((await api.post(`/proposals/${open}/register`, people.committee)).status).toBe(200);
    const stored = await api.store.readStream(proposalStream('jinshan', id));
    hashes = stored.map((e) => (e.metadata as unknown as EventMetadata).hash);
    number = (await api.read(`/proposals/${id}`, people.office)).body.number;
    expect(number).toMatch(/^6-3-\d{3}$/);
  });

  it('GET /proposals/:id has the body, labels beside codes, business time beside instants, names at the time, paper records', async () => {
    const one = await api.read(`/proposals/${id}`, people.member);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      number,
      title: TITLE,
      body: BODY,
      category: 'livelihood',
      categoryLabel: '民生保障',
      status: 'answered',
      statusLabel: '已答复',
      proposers: [{ id: 'm-1', name: '张委员' }],
      leadUnit: LEAD,
      leadUnitName: NEW_NAME, // as the latest step naming it had it
      filedAt: '2019-03-01T02:00:00.000Z',
      filedAtLocal: '2019-03-01T10:00:00+08:00',
      filedAtDate: '2019-03-01',
      assignments: [{ kind: 'assigned', kindLabel: '交办', leadUnitName: OLD_NAME }],
      visits: [
        { stage: 'before', stageLabel: '办前拜访', visitorRankLabel: '分管领导', formLabel: '电话', unitName: OLD_NAME, atLocal: '2019-03-04T23:59:59.999+08:00', atDate: '2019-03-04' },
        { stage: 'after', stageLabel: '办后回访', unitName: NEW_NAME },
      ],
      answers: [{ category: 'A', categoryLabel: '解决或采纳', unitName: OLD_NAME, at: '2019-03-10T16:30:00.000Z', atLocal: '2019-03-11T00:30:00+08:00', atDate: '2019-03-11' }],
      latestCategoryLabel: '解决或采纳',
      published: true,
      publishedAtDate: '2019-03-11',
      // The visit of 4 March came from paper: who typed it in, and when.
      paperRecords: [{ type: 'proposal.visited.v1', stepLabel: '走访', atDate: '2019-03-04', recordedAtLocal: '2019-03-07T10:00:00+08:00', recorder: { id: 'k-1', name: '录入员' } }],
    });
    expect(one.body).not.toHaveProperty('tenant');
  });

  it('GET /proposals/:id/history: every entry with the number and title, the step’s label, business time, the recorder of a paper entry and the stored hash', async () => {
    const history = await api.read(`/proposals/${id}/history`, people.auditor);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ id, number, title: TITLE });
    const events = history.body.events as Record<string, any>[];
    expect(events.map((e) => e.stepLabel)).toEqual(['提交', '立案', '交办', '走访', '答复', '公开答复', '走访']);
    expect(events.map((e) => e.hash)).toEqual(hashes);
    for (const e of events) expect(e).toMatchObject({ number, title: TITLE, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(events[0]).toMatchObject({ step: 'ProposalFiled', labels: { category: '民生保障' }, actor: { id: 'm-1', name: '张委员', roleLabel: '政协委员' }, paper: false });
    expect(events[2]).toMatchObject({ type: 'proposal.assigned.v1', data: { leadUnit: LEAD }, labels: { leadUnit: OLD_NAME } });
    expect(events[3]).toMatchObject({
      type: 'proposal.visited.v1',
      labels: { unit: OLD_NAME, stage: '办前拜访', visitorRank: '分管领导', form: '电话' },
      actor: { id: 'u-1', role: 'unit', unit: LEAD, unitName: OLD_NAME },
      recorder: { id: 'k-1', role: 'clerk', roleLabel: '录入员', name: '录入员' },
      paper: true,
      occurredAtLocal: '2019-03-04T23:59:59.999+08:00',
      occurredAtDate: '2019-03-04',
      recordedAt: '2019-03-07T02:00:00.000Z',
      recordedAtLocal: '2019-03-07T10:00:00+08:00',
      recordedAtDate: '2019-03-07',
    });
    expect(events[4]).toMatchObject({ data: { unit: LEAD }, labels: { unit: OLD_NAME, category: '解决或采纳' }, occurredAtLocal: '2019-03-11T00:30:00+08:00', occurredAtDate: '2019-03-11' });
    expect(events[4]).not.toHaveProperty('recorder');
    expect(events[6]).toMatchObject({ data: { unit: LEAD }, labels: { unit: NEW_NAME, stage: '办后回访' }, actor: { unitName: NEW_NAME } });
  });

  it('GET /audit: the proposal’s entries with its number and title, labels, names, business time, recorder and hash', async () => {
    const audit = await api.read(`/audit?proposal=${id}`, people.auditor);
    expect(audit.status).toBe(200);
    const items = audit.body.items as Record<string, any>[];
    expect(items.map((e) => e.stepLabel)).toEqual(['提交', '立案', '交办', '走访', '答复', '公开答复', '走访']);
    expect(items.map((e) => e.hash)).toEqual(hashes);
    for (const e of items) expect(e).toMatchObject({ number, title: TITLE });
    expect(items[3]).toMatchObject({
      actorId: 'u-1',
      actorUnit: LEAD,
      actorUnitName: OLD_NAME,
      actorRoleLabel: '承办单位',
      recorderId: 'k-1',
      recorderName: '录入员',
      recorderRoleLabel: '录入员',
      occurredAtDate: '2019-03-04',
      recordedAtLocal: '2019-03-07T10:00:00+08:00',
      lagDays: 2,
    });
    expect(items[6]).toMatchObject({ actorUnitName: NEW_NAME, recorderId: null, recorderName: null });
    expect(items[0]).toMatchObject({ actorName: '张委员', actorRoleLabel: '政协委员' });
    // A session's entries carry no proposal.
    const opened = await api.read('/audit?type=session.opened.v1', people.office);
    expect(opened.body.items[0]).toMatchObject({ stepLabel: '开幕', number: null, title: null, actorName: '区政府办公室' });
  });

  it('GET /proposals, /supervision/due-soon: number, title, labels, unit names and business dates', async () => {
    const list = await api.read(`/proposals?q=${encodeURIComponent('食堂')}`, people.office);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id,
        number,
        title: TITLE,
        status: 'answered',
        statusLabel: '已答复',
        categoryLabel: '民生保障',
        leadUnitName: NEW_NAME,
        latestCategory: 'A',
        latestCategoryLabel: '解决或采纳',
        proposers: ['张委员'],
        filedAtLocal: '2019-03-01T10:00:00+08:00',
        updatedAtDate: '2019-03-11',
      }),
    ]);
    const declined = await api.read('/proposals?status=declined', people.office);
    expect(declined.body.items[0]).toMatchObject({ status: 'declined', statusLabel: '不予立案', categoryLabel: '环境整治' });
    const other = (await api.read('/proposals?status=registered', people.office)).body.items[0];
    expect((await api.post(`/proposals/${other.id}/assign`, people.office, { leadUnit: 'jyj', coUnits: [LEAD], dueDate: '2019-03-20' })).status).toBe(200);
    const soon = await api.read('/supervision/due-soon?days=30', people.office);
    expect(soon.body).toEqual([
      expect.objectContaining({ id: other.id, statusLabel: '办理中', leadUnit: 'jyj', leadUnitName: '区教育局', coUnitNames: [NEW_NAME], dueDate: '2019-03-20', title: '关于科学规范设立充电桩的建议' }),
    ]);
  });

  it('GET /public/answers: labels, the unit’s name and business time, without a token', async () => {
    const answers = await api.read('/public/answers?session=6-3');
    expect(answers.body.items).toEqual([
      expect.objectContaining({
        number,
        title: TITLE,
        categoryLabel: '民生保障',
        unit: LEAD,
        unitName: OLD_NAME, // the name it answered under
        result: 'A',
        resultLabel: '解决或采纳',
        answeredAtLocal: '2019-03-11T00:30:00+08:00',
        answeredAtDate: '2019-03-11',
        publishedAtDate: '2019-03-11',
        supersededAt: null,
        supersededAtLocal: null,
      }),
    ]);
  });

  it('GET /units: each unit with its name as the latest step naming it had it', async () => {
    const units = await api.read('/units?session=6-3', people.office);
    expect(units.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unit: LEAD, unitName: NEW_NAME, asLead: expect.objectContaining({ answered: 1 }) }),
        expect.objectContaining({ unit: 'jyj', unitName: '区教育局' }),
      ]),
    );
  });

  it('GET /sessions lists the jurisdiction’s sessions with their counts, for anyone signed in', async () => {
    const sessions = await api.read('/sessions', people.member);
    expect(sessions.status).toBe(200);
    expect(sessions.body).toEqual({
      items: [
        {
          id: '6-3',
          name: '六届三次会议',
          year: 2019,
          answerLimitDays: 90,
          openedAt: '2019-03-01T02:00:00.000Z',
          openedAtLocal: '2019-03-01T10:00:00+08:00',
          openedAtDate: '2019-03-01',
          counts: { filed: 3, registered: 2, declined: 1, answered: 1, published: 1 },
        },
      ],
    });
    expect((await api.get('/sessions')).status).toBe(401);
    const elsewhere = api.token({ sub: 'a-2', role: 'auditor', tenant: 'fengxian' });
    expect((await api.read('/sessions', elsewhere)).body).toEqual({ items: [] });
  });

  it('GET /vocabulary lists every code with its Chinese label, without a token', async () => {
    const vocabulary = await api.get('/vocabulary');
    expect(vocabulary.status).toBe(200);
    expect(vocabulary.body).toMatchObject({
      statuses: expect.arrayContaining([{ code: 'answered', label: '已答复' }, { code: 'reopened', label: '再办理' }]),
      categories: expect.arrayContaining([{ code: 'livelihood', label: '民生保障' }]),
      resultCategories: [{ code: 'A', label: '解决或采纳' }, { code: 'B', label: '列入计划拟解决' }, { code: 'C', label: '留作参考' }],
      declineReasons: expect.arrayContaining([{ code: 'merged', label: '并案' }]),
      attitudes: expect.arrayContaining([{ code: 'basically-satisfied', label: '基本满意' }]),
      visitStages: expect.arrayContaining([{ code: 'after', label: '办后回访' }]),
      visitorRanks: expect.arrayContaining([{ code: 'principal', label: '主要领导' }]),
      visitForms: expect.arrayContaining([{ code: 'on-site', label: '现场' }]),
      unitKinds: expect.arrayContaining([{ code: 'township', label: '街道镇' }]),
      roles: expect.arrayContaining([{ code: 'clerk', label: '录入员' }]),
      steps: expect.arrayContaining([{ code: 'ProposalAnswered', label: '答复', storedTypes: ['proposal.answered.v1'] }]),
    });
  });

  it('npm run tail prints each step readable: business time, label, number and title, who, the clerk of a paper entry, the hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppcc-tail-'));
    try {
      const lines: string[] = [];
      const stop = new AbortController();
      const args = ['--url', api.baseUrl, '--token', people.service, '--checkpoint', join(dir, 'tail.position'), '--prefix', `proposal-jinshan:${id}`];
      await tailCommand(args, (line) => {
        lines.push(line);
        if (lines.length === hashes.length) stop.abort();
      }, stop);
      expect(lines[0]).toContain(`提交 proposal.filed.v2  未编号 《${TITLE}》`);
      expect(lines[0]).toContain('2019-03-01T10:00:00+08:00');
      expect(lines[3]).toContain(`走访 proposal.visited.v1  ${number} 《${TITLE}》`);
      expect(lines[3]).toContain('2019-03-04T23:59:59.999+08:00');
      expect(lines[3]).toContain(`u-1（承办单位·${OLD_NAME}）  代录 录入员（录入员） 2019-03-07T10:00:00+08:00`);
      expect(lines[4]).toContain(`2019-03-11T00:30:00+08:00  答复 proposal.answered.v1  ${number} 《${TITLE}》  u-1（承办单位·${OLD_NAME}）  hash`);
      expect(lines[6]).toContain(`u-1（承办单位·${NEW_NAME}）  hash`);
      expect(lines[0]).toContain('张委员（政协委员）');
      lines.forEach((line, i) => expect(line).toContain(`hash ${hashes[i]}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
