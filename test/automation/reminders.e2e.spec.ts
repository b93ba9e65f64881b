import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReminderScheduler } from '@app/command-handling';
import { remindersStream } from '@app/proposals';
import { cast, ensureSession, TestApi, type Cast } from '../support/api.js';

/**
 * The reminders of one proposal, day by day with a pinned clock: due soon at 14/7/3/1 days (the tightest threshold
 * reached, once each), overdue, escalated after 7 days overdue (an event by the system, shown by the trail and by
 * /supervision/overdue), feedback awaited 14 days after the answer, and a new series for a re-negotiated due date;
 * exactly once when the scheduler runs again, after a restart, and with a second scheduler in another process.
 */
describe('reminders and escalation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-reminders-'));
  const env = { DATA_DIR: dir, REMINDER_SCHEDULE: '09:00' };
  let api = new TestApi();
  let people: Cast;
  let id: string;

  /** 10:00 in business time (+08:00) on the day. */
  const at = (date: string) => `${date}T02:00:00.000Z`;
  /** Every read model has every event of the log, the scheduler's own included. */
  const caughtUp = async () => expect((await api.get(`/projections?minPosition=${await api.store.headPosition()}`, people.office)).status).toBe(200);
  const run = async (date: string, on: TestApi = api) => {
    on.clock.set(at(date));
    await caughtUp();
    return on.service<ReminderScheduler>(ReminderScheduler).run();
  };
  const stored = async () => (await api.store.readStream(remindersStream('jinshan'))).map((e) => e.data as { kind: string; threshold: number; dueDate: string; recipients: unknown[] });
  const series = async () => (await stored()).map((r) => `${r.kind} ${r.threshold} ${r.dueDate}`);

  beforeAll(async () => {
    api.clock.set(at('2019-03-01'));
    await api.start(env);
    people = cast(api);
    await api.service<ReminderScheduler>(ReminderScheduler).idle();
    await ensureSession(api, people);
    const filed = await api.post('/proposals', people.member, { session: '6-3', title: '关于加快老旧小区加装电梯的建议', body: '……', category: 'urban-rural', coProposers: ['m-2'] });
    id = filed.body.id;
    expect((await api.post(`/proposals/${id}/co-proposer-confirmations`, people.coProposer)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'fgw', coUnits: ['czj'], dueDate: '2019-03-20' })).status).toBe(200);
  });
  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the due-soon series once per threshold, to the lead unit and the co-unit owing its opinion', async () => {
    expect(await run('2019-03-01')).toMatchObject({ issued: 0 }); // 19 days left
    expect(await run('2019-03-06')).toMatchObject({ issued: 2 }); // 14 days left
    expect(await run('2019-03-06')).toMatchObject({ issued: 0 }); // the same day again
    expect(await run('2019-03-10')).toMatchObject({ issued: 0 }); // 10 days left: still the 14-day threshold
    await run('2019-03-13'); // 7 days left
    api.clock.set(`2019-03-14T03:00:00.000Z`);
    expect((await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意主办单位意见。' })).status).toBe(200);
    await run('2019-03-17'); // 3 days left: the co-unit has sent its opinion
    await run('2019-03-19'); // 1 day left
    await run('2019-03-20'); // due today: still the 1-day threshold
    expect(await series()).toEqual([
      'due-soon 14 2019-03-20',
      'co-unit-opinion-awaited 14 2019-03-20',
      'due-soon 7 2019-03-20',
      'co-unit-opinion-awaited 7 2019-03-20',
      'due-soon 3 2019-03-20',
      'due-soon 1 2019-03-20',
    ]);
    expect((await stored())[1].recipients).toEqual([{ role: 'unit', id: 'czj' }]);
    expect((await stored())[0].recipients).toEqual([{ role: 'unit', id: 'fgw' }]);
  });

  it('reminds of an overdue proposal, then escalates it once after 7 days, as the system', async () => {
    expect(await run('2019-03-21')).toMatchObject({ issued: 1, escalated: 0 });
    expect(await run('2019-03-26')).toMatchObject({ issued: 0, escalated: 0 }); // 6 days overdue
    expect(await run('2019-03-27')).toMatchObject({ issued: 1, escalated: 1 });
    expect(await run('2019-03-28')).toMatchObject({ issued: 0, escalated: 0 });
    const [overdue, escalated] = (await stored()).slice(-2);
    expect(overdue).toMatchObject({ kind: 'overdue', recipients: [{ role: 'unit', id: 'fgw' }, { role: 'office' }] });
    expect(escalated).toMatchObject({ kind: 'escalated', threshold: 7, recipients: [{ role: 'office' }, { role: 'committee' }] });

    await caughtUp();
    const list = await api.get('/supervision/overdue', people.office);
    expect(list.body).toEqual([expect.objectContaining({ id, overdue: true, escalated: true, escalatedAt: at('2019-03-27') })]);
    const history = await api.get(`/proposals/${id}/history`, people.auditor);
    const step = history.body.events.find((e: { step: string }) => e.step === 'ProposalEscalated');
    expect(step).toMatchObject({ stepLabel: '超期督办', data: { dueDate: '2019-03-20', daysOverdue: 7 }, actor: { id: 'reminder-scheduler', role: 'system', roleLabel: '系统' } });
    expect(history.body.reminders.map((r: { data: { kind: string } }) => r.data.kind)).toEqual([
      'due-soon', 'co-unit-opinion-awaited', 'due-soon', 'co-unit-opinion-awaited', 'due-soon', 'due-soon', 'overdue', 'escalated',
    ]);
    expect(history.body.reminders[0]).toMatchObject({ stepLabel: '提醒', type: 'reminder.issued.v1', labels: {}, actor: { role: 'system' } });
  });

  it('reminds proposers of their feedback, and starts a new series for a re-negotiated due date', async () => {
    api.clock.set('2019-03-29T03:00:00.000Z');
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'B', text: '列入明年计划。', publish: true })).status).toBe(200);
    expect(await run('2019-04-11')).toMatchObject({ issued: 0 }); // 13 days after the answer
    expect(await run('2019-04-12')).toMatchObject({ issued: 1 });
    expect((await stored()).at(-1)).toMatchObject({ kind: 'feedback-awaited', threshold: 14, dueDate: '2019-04-12', recipients: [{ role: 'member', id: 'm-1' }, { role: 'member', id: 'm-2' }] });
    api.clock.set('2019-04-13T03:00:00.000Z');
    expect((await api.post(`/proposals/${id}/feedback`, people.member, { attitude: 'dissatisfied', agreesWithResult: false })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/renegotiation`, people.office, { reason: '委员不满意，再协商。', dueDate: '2019-05-10' })).status).toBe(200);
    expect(await run('2019-04-25')).toMatchObject({ issued: 0 }); // 15 days left
    expect(await run('2019-04-26')).toMatchObject({ issued: 2 }); // 14 days left of the new due date
    expect((await series()).slice(-2)).toEqual(['due-soon 14 2019-05-10', 'co-unit-opinion-awaited 14 2019-05-10']);
  });

  it('sends nothing twice after a restart, which catches up at once', async () => {
    const before = await series();
    await api.stop();
    api = new TestApi();
    api.clock.set(at('2019-04-26'));
    await api.start(env);
    await api.service<ReminderScheduler>(ReminderScheduler).idle(); // the catch-up run at start: 09:00 has passed
    expect(await series()).toEqual(before);
  });

  it('sends each reminder once when two schedulers in two processes run at the same moment', async () => {
    const other = new TestApi();
    other.clock.set(at('2019-05-03'));
    await other.start({ ...env, IN_PROCESS_PROJECTIONS: 'false' });
    try {
      const before = (await series()).length;
      api.clock.set(at('2019-05-03'));
      other.clock.set(at('2019-05-03'));
      await caughtUp();
      const runs = await Promise.all([api.service<ReminderScheduler>(ReminderScheduler).run(), other.service<ReminderScheduler>(ReminderScheduler).run()]);
      expect(runs.map((r) => r.proposals)).toEqual([1, 1]);
      expect((await series()).slice(before)).toEqual(['due-soon 7 2019-05-10', 'co-unit-opinion-awaited 7 2019-05-10']);
    } finally {
      await other.stop();
    }
  });
});
