import {
  addDays,
  type Actor,
  type Attitude,
  type DirectoryCommand,
  type ProposalCommand,
  type ResultCategory,
  type SessionCommand,
  type VisitStage,
} from '@app/proposals';
import { unitActorId, unitCode, unitNameIn, type Leader, type Member } from './catalogue.js';
import type { SessionPlan } from './plans.js';
import type { Spec, Visit } from './planning.js';
import { dateOf, iso, MINUTE, moment, OFFSET_MINUTES, workday } from './calendar.js';
import { Random } from './random.js';

/**
 * The timeline: lays the planned proposals out in business time as the steps a clerk records, each a command on
 * behalf of whoever took it, on working days, in office hours; and the session's own steps around them.
 */

/** One step of the demo data: a command a clerk records on behalf of whoever took the step, when it happened. */
export interface Step {
  /** The Idempotency-Key: running the replay again appends nothing. */
  readonly key: string;
  /** Business time, ISO 8601 with +08:00. */
  readonly at: string;
  /** Who took the step (the clerk records on their behalf). */
  readonly actor: Actor;
  readonly target:
    | { readonly kind: 'session'; readonly id: string; readonly command: SessionCommand }
    | { readonly kind: 'proposal'; readonly id: string; readonly command: ProposalCommand }
    | { readonly kind: 'directory'; readonly id: 'main'; readonly command: DirectoryCommand };
  /** A follow-up of a proposal of an earlier session: skipped when that session was not replayed. */
  readonly earlierSession?: string;
}

/** What later sessions' reviews need to know about a proposal. */
export interface ProposalOutline {
  readonly n: number;
  readonly id: string;
  readonly session: string;
  readonly title: string;
  readonly number: string | null;
  /** As the catalogue names it (its short name since 2019); commands name it by code. */
  readonly leadUnit: string | null;
  readonly latest: ResultCategory | null;
}

const OFFICE: Actor = { id: 'office-demo', role: 'office', name: '区政府办公室' };
const COMMITTEE: Actor = { id: 'committee-demo', role: 'committee', name: '区政协提案委' };
const ANSWER_LIMIT_DAYS = 90;

const memberActor = (m: Member): Actor => ({ id: m.id, role: 'member', name: m.name });
/** A unit's staff, as the directory knows them in that year: its account, its code, its name then. */
const unitActor = (unit: string, year: number): Actor => ({ id: unitActorId(unit), role: 'unit', unit: unitCode(unit), name: unitNameIn(unit, year) });
const leaderActor = (l: Leader): Actor => ({ id: l.id, role: 'leader', name: l.name });

const answerText = (s: Spec, category: ResultCategory, year: number, round: number): string => {
  const head = `关于《${s.title}》的答复${round > 1 ? `（再研究后第${round}次答复）` : ''}：`;
  const detail = category === 'A' && s.named?.answer ? s.named.answer : '';
  switch (category) {
    case 'A':
      return `${head}经研究，委员所提建议已予采纳，相关措施已落实。${detail}`;
    case 'B':
      return `${head}委员所提建议已列入${year + 1}年工作计划，将分步实施，拟于计划期内解决。`;
    case 'C':
      return `${head}受现行政策和条件限制，目前暂不具备实施条件，留作参考，今后工作中统筹研究。`;
  }
};

const VISIT_NOTES: Readonly<Record<VisitStage, string>> = {
  before: '办前拜访：听取委员意见，商定办理思路',
  during: '办中走访：通报办理进展，共商解决办法',
  after: '办后回访：听取委员对答复和落实情况的意见',
};

interface Pending {
  readonly name: string;
  readonly actor: Actor;
  readonly command: ProposalCommand;
  /** When the step was planned to happen: it happens then, or just after the step before it. */
  readonly planned: number;
}

/** Lays out one proposal's steps in business time: each step after the one before, on working days, in office hours. */
class Timeline {
  private last = 0;
  readonly steps: Step[] = [];

  constructor(
    private readonly rng: Random,
    private readonly keyPrefix: string,
    private readonly proposalId: string,
  ) {}

  plan(from: string, to: string = from): number {
    return moment(this.rng, from, to);
  }

  /** Records a step when planned, or a little after the previous one (the next working morning after hours). */
  add({ name, actor, command, planned }: Pending): number {
    let at = Math.max(planned, this.last + this.rng.int(4, 18) * 5 * MINUTE);
    const minuteOfDay = ((at + OFFSET_MINUTES * MINUTE) % 86_400_000) / MINUTE;
    if (at !== planned && minuteOfDay > 17 * 60 + 30) {
      const next = workday(addDays(dateOf(at), 1));
      at = Date.parse(`${next}T09:00:00+08:00`) + this.rng.int(0, 18) * 5 * MINUTE;
    }
    return this.record(name, actor, command, at);
  }

  /** A step a fixed time after the previous one (no draw from the random source, so the rest of the plan stays). */
  follow(name: string, actor: Actor, command: ProposalCommand, minutes: number): number {
    return this.record(name, actor, command, this.last + minutes * MINUTE);
  }

  /** Steps planned independently of each other, recorded in the order of their planned moments. */
  addAll(steps: readonly Pending[]): void {
    [...steps].sort((a, b) => a.planned - b.planned).forEach((step) => this.add(step));
  }

  get lastDate(): string {
    return dateOf(this.last);
  }

  private record(name: string, actor: Actor, command: ProposalCommand, at: number): number {
    this.last = at;
    this.steps.push({ key: `${this.keyPrefix}:${name}`, at: iso(at), actor, target: { kind: 'proposal', id: this.proposalId, command } });
    return at;
  }
}

/** The office opens the session a week before its plenary, with the answer limit the due dates follow. */
export function sessionOpening(plan: SessionPlan): Step {
  return {
    key: `replay:${plan.year}:session:open`,
    at: iso(Date.parse(`${workday(addDays(plan.plenary.from, -7))}T09:00:00+08:00`)),
    actor: OFFICE,
    target: {
      kind: 'session',
      id: plan.session,
      command: { type: 'OpenSession', data: { id: plan.session, name: plan.name, year: plan.year, answerLimitDays: ANSWER_LIMIT_DAYS } },
    },
  };
}

/** Every proposal's steps, in filing order, each on a timeline of its own drawn from the session's seed. */
export function proposalSteps(plan: SessionPlan, specs: readonly Spec[]): Step[] {
  const rng = new Random(plan.seed).fork('timeline');
  return specs.flatMap((s) => layOut(plan, s, rng.fork(String(s.n))));
}

/** One proposal's steps, from filing to the November review. */
function layOut(plan: SessionPlan, s: Spec, rng: Random): Step[] {
  const Y = plan.year;
  const t = new Timeline(rng, `replay:${Y}:${s.n}`, s.id);
  const [lead, ...coProposers] = s.proposers;
  const file: ProposalCommand = {
    type: 'FileProposal',
    data: {
      proposalId: s.id,
      session: plan.session,
      title: s.title,
      body: s.body,
      category: s.category,
      ...(coProposers.length ? { coProposers: coProposers.map((m) => m.id) } : {}),
    },
  };
  t.add({ name: 'file', actor: memberActor(lead), command: file, planned: s.filedMs });
  // Each co-proposer signs the joint proposal (联名) within the hour, on the same paper form.
  coProposers.forEach((m) => t.follow(`confirm-${m.id}`, memberActor(m), { type: 'ConfirmCoProposal', data: {} }, 5));

  const review = t.plan(addDays(plan.plenary.to, 10), addDays(plan.plenary.to, 33));
  if (s.fate !== 'registered') {
    const data =
      s.fate === 'merged'
        ? { reason: 'merged' as const, mergedInto: s.mergedInto?.id, note: `与${s.mergedInto?.number}号提案并案办理` }
        : s.fate === 'opinion'
          ? { reason: 'opinion' as const, note: '属具体事项，转作意见建议交有关部门研究处理' }
          : { reason: 'out-of-scope' as const, note: '不属于提案范围，已告知提案人通过其他渠道反映' };
    t.add({ name: 'review', actor: COMMITTEE, command: { type: 'DeclineProposal', data }, planned: review });
    return t.steps;
  }

  const leadUnit = s.leadUnit;
  const coUnits = s.coUnits.length ? { coUnits: s.coUnits.map(unitCode) } : {};
  t.add({ name: 'review', actor: COMMITTEE, command: { type: 'RegisterProposal', data: { number: s.number } }, planned: review });
  let assignedAt = t.add({
    name: 'assign',
    actor: OFFICE,
    command: { type: 'AssignProposal', data: s.wrongLead ? { leadUnit: unitCode(s.wrongLead) } : { leadUnit: unitCode(leadUnit), ...coUnits } },
    planned: t.plan(`${Y}-02-25`, `${Y}-03-08`),
  });
  if (s.wrongLead) {
    const asked = dateOf(t.add({
      name: 'reassignment-request',
      actor: unitActor(s.wrongLead, Y),
      command: { type: 'RequestReassignment', data: { reason: `该提案所提事项主要属于${unitNameIn(leadUnit, Y)}职责，建议调整主办单位` } },
      planned: t.plan(addDays(dateOf(assignedAt), 2), addDays(dateOf(assignedAt), 6)),
    }));
    assignedAt = t.add({
      name: 'reassign',
      actor: OFFICE,
      command: { type: 'ReassignProposal', data: { leadUnit: unitCode(leadUnit), ...coUnits } },
      planned: t.plan(addDays(asked, 2), addDays(asked, 5)),
    });
  }
  // The due date is the session's rule (90 days from assignment); the command path computes the same.
  const assigned = dateOf(assignedAt);
  const due = addDays(assigned, ANSWER_LIMIT_DAYS);

  const visit = (name: string, v: Visit, planned: number): Pending => ({
    name,
    actor: unitActor(v.unit, Y),
    command: { type: 'RecordVisit', data: { stage: v.stage, visitorRank: v.rank, form: v.form, note: VISIT_NOTES[v.stage] } },
    planned,
  });
  const opinions = (round: number, answerAt: number): Pending[] =>
    s.coUnits.map((unit) => ({
      name: `opinion-${round}-${unitActorId(unit)}`,
      actor: unitActor(unit, Y),
      command: { type: 'SendCoUnitOpinion', data: { opinion: `${unitNameIn(unit, Y)}会办意见：同意主办单位办理意见，在职责范围内配合落实。` } },
      planned: t.plan(addDays(dateOf(answerAt), -20), addDays(dateOf(answerAt), -6)),
    }));
  const answer = (round: number, category: ResultCategory, planned: number): Pending => ({
    name: `answer-${round}`,
    actor: unitActor(leadUnit, Y),
    command: {
      type: 'AnswerProposal',
      data: { category, text: answerText(s, category, Y, round), publish: s.published, ...(s.published ? {} : { withholdReason: s.withholdReason }) },
    },
    planned,
  });
  const feedback = (name: string, member: Member, attitude: Attitude, agrees: boolean, planned: number, comment?: string): Pending => ({
    name,
    actor: memberActor(member),
    command: { type: 'GiveFeedback', data: { attitude, agreesWithResult: agrees, ...(comment ? { comment } : {}) } },
    planned,
  });
  const publish = (round: number, planned: number): Pending => ({ name: `publish-${round}`, actor: OFFICE, command: { type: 'PublishAnswer', data: {} }, planned });
  const satisfied = (): Attitude => (rng.chance(0.85) ? 'satisfied' : 'basically-satisfied');
  const after = (from: number, to: number) => t.plan(addDays(t.lastDate, from), addDays(t.lastDate, to));

  // First round: claimed, marked key, visited, co-units' opinions, answered by the due date (or late, as planned).
  const answerPlanned = s.late ? t.plan(addDays(due, 3), addDays(due, 20)) : t.plan(addDays(assigned, 52), addDays(due, -7));
  const firstRound: Pending[] = [
    ...(s.claimedBy
      ? [{ name: 'claim', actor: leaderActor(s.claimedBy), command: { type: 'ClaimProposal', data: {} } as const, planned: t.plan(addDays(assigned, 5), addDays(assigned, 20)) }]
      : []),
    ...(s.key
      ? [{
          name: 'key',
          actor: rng.chance(0.6) ? OFFICE : COMMITTEE,
          command: { type: 'SuperviseProposal', data: { key: true, note: s.claimedBy ? `区领导领办，列为重点提案（${s.claimedBy.name}）` : '列为重点提案，联合督办' } } as const,
          planned: t.plan(`${Y}-03-11`, `${Y}-04-12`),
        }]
      : []),
    ...s.visits.filter((v) => v.stage === 'before').map((v) => visit('visit-before', v, t.plan(addDays(assigned, 5), addDays(assigned, 25)))),
    ...s.visits
      .filter((v) => v.stage === 'during' && !v.second)
      .map((v, i) => visit(v.unit === leadUnit ? 'visit-during' : `visit-during-${unitActorId(v.unit)}-${i}`, v, t.plan(addDays(assigned, 28), addDays(assigned, 50)))),
    ...opinions(1, answerPlanned),
  ];
  t.addAll(firstRound);
  t.add(answer(1, s.first, answerPlanned));

  // Dissatisfaction reopens handling: re-negotiated, visited by the unit's principal leader, answered again.
  let round = 1;
  if (s.renegotiation === 'dissatisfied' || s.renegotiation === 'disagreed') {
    const dissatisfied = s.renegotiation === 'dissatisfied';
    t.add(feedback('feedback-1', lead, dissatisfied ? 'dissatisfied' : 'basically-satisfied', false, after(7, 21),
      dissatisfied ? '答复较为原则，缺少具体措施和时间表' : '办理态度认真，但对办理结果不认同，希望再研究'));
    const reopened = t.add({
      name: 'renegotiate-1',
      actor: rng.chance(0.5) ? OFFICE : COMMITTEE,
      command: { type: 'RenegotiateProposal', data: { reason: '委员对答复不满意，再研究、再协商', dueDate: addDays(t.lastDate, 50) } },
      planned: after(4, 10),
    });
    const again = t.plan(addDays(dateOf(reopened), 20), addDays(dateOf(reopened), 35));
    t.addAll([...s.visits.filter((v) => v.second).map((v) => visit('visit-during-2', v, after(3, 10))), ...opinions(2, again)]);
    t.add(answer(++round, s.latest, again));
  }
  t.add(feedback(`feedback-${round}`, lead, satisfied(), true, after(7, 21)));
  for (const m of coProposers) if (rng.chance(0.4)) t.add(feedback(`feedback-${round}-${m.id}`, m, satisfied(), true, after(1, 6)));
  s.visits.filter((v) => v.stage === 'after').forEach((v) => t.add(visit('visit-after', v, after(8, 30))));
  if (s.published) t.add(publish(round, Math.max(t.plan(`${Y}-07-01`, `${Y}-09-20`), after(5, 20))));

  // The November review (跟踪梳理) of the proposals still planned (B).
  if (s.latest === 'B' || s.renegotiation === 'review') {
    const note = s.substantiveInOwnReview
      ? { note: `${Y}年11月跟踪梳理：项目已完成立项并启动实施，取得实质性新进展`, substantiveProgress: true }
      : { note: `${Y}年11月跟踪梳理：前期研究推进中，继续跟踪落实`, substantiveProgress: false };
    t.add({ name: 'follow-up', actor: unitActor(leadUnit, Y), command: { type: 'FollowUpProposal', data: note }, planned: t.plan(`${Y}-11-04`, `${Y}-11-08`) });
  }
  // … and of those now ready to be solved: re-negotiated, and answered A (再研究、再协商、再解决).
  if (s.renegotiation === 'review') {
    t.add({
      name: 'renegotiate-review',
      actor: OFFICE,
      command: { type: 'RenegotiateProposal', data: { reason: '跟踪梳理中已具备解决条件，推动再研究、再协商、再解决', dueDate: `${Y}-12-31` } },
      planned: t.plan(`${Y}-11-11`, `${Y}-11-13`),
    });
    const again = t.plan(`${Y}-11-19`, `${Y}-11-22`);
    t.addAll(opinions(round + 1, again));
    t.add(answer(++round, 'A', again));
    t.add(feedback(`feedback-${round}`, lead, 'satisfied', true, after(2, 5)));
    if (s.published) t.add(publish(round, after(1, 3)));
  }
  return t.steps;
}

/** Supervision visits (督办走访) of the office and the committee to the units with the heaviest load. */
export function supervisionVisits(plan: SessionPlan, specs: readonly Spec[]): Step[] {
  const rng = new Random(plan.seed).fork('supervision');
  const load = new Map<string, number>();
  for (const s of specs) if (s.fate === 'registered') load.set(s.leadUnit, (load.get(s.leadUnit) ?? 0) + 1);
  const units = [...load.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, plan.keyUnitsVisited).map(([u]) => u);
  if (units.length < plan.keyUnitsVisited) throw new RangeError(`${plan.session}: only ${units.length} lead units to visit`);
  const visits = [...units, ...rng.sample(units, plan.repeatedSupervisionVisits)];
  return visits
    .map((unit, i) => ({ unit, i, at: moment(rng, `${plan.year}-04-08`, `${plan.year}-06-21`) }))
    .map(({ unit, i, at }) => ({
      key: `replay:${plan.year}:session:supervision-visit-${i + 1}`,
      at: iso(at),
      actor: i % 2 === 0 ? OFFICE : COMMITTEE,
      target: {
        kind: 'session' as const,
        id: plan.session,
        command: { type: 'RecordSupervisionVisit' as const, data: { unit: unitCode(unit), note: '区政府办公室、区政协提案委联合督办走访：重点、难点提案办理推进情况' } },
      },
    }));
}

/** This year's November review of an earlier session's proposals still planned (B): progress notes by the lead unit. */
export function earlierReview(plan: SessionPlan, session: string, substantive: number, proposals: readonly ProposalOutline[]): Step[] {
  const rng = new Random(plan.seed).fork(`review-${session}`);
  const planned = proposals.filter((p) => p.latest === 'B');
  const progressed = new Set(rng.sample(planned, substantive));
  return planned.map((p) => {
    const at = moment(rng, `${plan.year}-11-04`, `${plan.year}-11-14`);
    const lead = p.leadUnit as string;
    return {
      key: `replay:${plan.year}:${session}.${p.n}:follow-up`,
      at: iso(at),
      actor: unitActor(lead, plan.year),
      earlierSession: session,
      target: {
        kind: 'proposal' as const,
        id: p.id,
        command: {
          type: 'FollowUpProposal' as const,
          data: progressed.has(p)
            ? { note: `${plan.year}年11月跟踪梳理（${p.number}）：计划事项已开工建设，取得实质性新进展`, substantiveProgress: true }
            : { note: `${plan.year}年11月跟踪梳理（${p.number}）：仍在推进中，继续跟踪落实`, substantiveProgress: false },
        },
      },
    };
  });
}
