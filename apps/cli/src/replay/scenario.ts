import { proposalIdFor } from '@app/command-handling';
import {
  addDays,
  businessDate,
  type Actor,
  type Attitude,
  type Category,
  type ProposalCommand,
  type Proposer,
  type ResultCategory,
  type SessionCommand,
  type VisitForm,
  type VisitorRank,
  type VisitStage,
} from '@app/proposals';
import {
  CATEGORY_WEIGHTS,
  committeeMembers,
  LEADERS,
  MERGED_FORMS,
  OPINION_SUBJECTS,
  OUT_OF_SCOPE_TITLES,
  TITLE_FORMS,
  TOPICS,
  TOWNS,
  unitActorId,
  WITHHOLD_REASONS,
  type Leader,
  type Member,
  type Topic,
} from './catalogue.js';
import { planOfSession, planOfYear, type SessionPlan } from './plans.js';
import { Random } from './random.js';

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
    | { readonly kind: 'proposal'; readonly id: string; readonly command: ProposalCommand };
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
  readonly leadUnit: string | null;
  readonly latest: ResultCategory | null;
}

export interface Scenario {
  readonly plan: SessionPlan;
  /** Every step, in business-time order. */
  readonly steps: readonly Step[];
  readonly proposals: readonly ProposalOutline[];
}

export interface ScenarioIds {
  readonly tenant: string;
  /** The clerk who records the demo data: proposal ids derive from this id and the filing's Idempotency-Key. */
  readonly clerkId: string;
}

const OFFICE: Actor = { id: 'office-demo', role: 'office', name: '区政府办公室' };
const COMMITTEE: Actor = { id: 'committee-demo', role: 'committee', name: '区政协提案委' };
const ANSWER_LIMIT_DAYS = 90;
const OFFSET_MINUTES = 8 * 60;
const MINUTE = 60_000;

const memberActor = (m: Member): Actor => ({ id: m.id, role: 'member', name: m.name });
const unitActor = (unit: string): Actor => ({ id: unitActorId(unit), role: 'unit', unit, name: unit });
const leaderActor = (l: Leader): Actor => ({ id: l.id, role: 'leader', name: l.name });

/** ISO 8601 in business time: 2019-03-05T09:35:00+08:00. */
const iso = (ms: number): string => `${new Date(ms + OFFSET_MINUTES * MINUTE).toISOString().slice(0, 19)}+08:00`;
const dateOf = (ms: number): string => businessDate(ms, OFFSET_MINUTES);
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** Steps on paper happen on working days, in office hours. */
function workday(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 6 ? addDays(date, 2) : day === 0 ? addDays(date, 1) : date;
}

/** A moment on a working day between `from` and `to`, in office hours. */
function moment(rng: Random, from: string, to: string = from): number {
  const date = workday(addDays(from, rng.int(0, Math.max(0, daysBetween(from, to)))));
  return Date.parse(`${date}T00:00:00+08:00`) + rng.int(9 * 12, 17 * 12) * 5 * MINUTE;
}

/** The proposals named in the seed report, with what the report says was done (2019), or the 2018 figures it cites. */
interface Named {
  readonly category: Exclude<Category, 'other'>;
  readonly phrase: string;
  readonly claimed: boolean;
  readonly answer?: string;
}

const NAMED: Readonly<Record<string, readonly Named[]>> = {
  '6-2': [
    {
      category: 'livelihood',
      phrase: '加快推进养老实项目建设',
      claimed: false,
      answer: '2018年新增养老床位245张、老年睦邻点70个，完成农村薄弱养老机构改造3家，新建综合为老服务中心1家、助餐点1个。',
    },
  ],
  '6-3': [
    {
      category: 'economy',
      phrase: '加大扶持民营企业发展',
      claimed: false,
      answer:
        '加大“放管服”改革力度，服务体系从“1+11”向“1+11+X”延伸，搭建互访互联平台；在“金10条”基础上制定印发3个具体意见，拓宽企业融资渠道。',
    },
    {
      category: 'economy',
      phrase: '发展我区碳纤维复合材料产业及培育产业集群',
      claimed: true,
      answer:
        '积极采纳。2月25日与市科委签订战略合作框架协议，加快组建“1+2+4”碳纤维复合材料产业创新发展平台，推进产业产城融合规划研究和重大项目落地。',
    },
    {
      category: 'environment',
      phrase: '加快推进垃圾分类',
      claimed: true,
      answer: '所有村居、党政机关、事业单位已实现生活垃圾分类全覆盖，覆盖26.6万户，完成达标村创建29个；组建社会监督团和30支志愿者队伍。',
    },
    {
      category: 'urban-rural',
      phrase: '科学规范设立充电桩',
      claimed: false,
      answer: '开展住宅小区电动车停放及充电安全专项检查；结合“美丽家园”建设，2019年已覆盖173个小区，安装充电设施3257组，约17000个车位可充电。',
    },
    {
      category: 'environment',
      phrase: '开展渣土运输道路污染治理',
      claimed: false,
      answer: '绿容、交警、城管、建管、交通等部门联动执法，落实工地源头管理和扬尘防控，在重点时段、重点路段开展日常监管并加大不定期检查频次。',
    },
    {
      category: 'environment',
      phrase: '加强中小企业危废处置',
      claimed: true,
      answer: '提升危险废物处理处置能力，遏制处置价格上涨；建成区第一家危险废物集中收集贮存平台，已与120余家中小企业签约。',
    },
    {
      category: 'livelihood',
      phrase: '加强中小学校食堂建设和管理',
      claimed: true,
      answer: '加强食材源头管理和追溯，2019年学校“明厨亮灶”100%全覆盖，落实校园长陪餐制度，重点推进张堰、吕巷、廊下地区学校食堂改造。',
    },
    {
      category: 'livelihood',
      phrase: '加快推进养老实项目建设',
      claimed: false,
      answer: '2019年新增养老床位1200张、老年睦邻点100个，完成农村薄弱养老机构改造5家，新建老年人日间服务中心6个、助餐点6个、综合为老服务中心6家。',
    },
    { category: 'economy', phrase: '促进特色小镇建设', claimed: true },
    { category: 'economy', phrase: '加强农业品牌建设', claimed: true },
    { category: 'governance-law', phrase: '完善社会治安防控体系', claimed: true },
    { category: 'economy', phrase: '实施全域旅游产业融合发展', claimed: true },
  ],
};

type Fate = 'registered' | 'merged' | 'opinion' | 'out-of-scope';
type Renegotiation = 'dissatisfied' | 'disagreed' | 'review';

interface Visit {
  readonly stage: VisitStage;
  readonly unit: string;
  rank: VisitorRank;
  readonly form: VisitForm;
  /** A visit of the second round of handling, after re-negotiation. */
  readonly second?: boolean;
}

/** One proposal as the generator plans it, before its steps are laid out in time. */
interface Spec {
  n: number;
  id: string;
  readonly category: Category;
  readonly title: string;
  readonly phrase: string;
  readonly body: string;
  readonly proposers: readonly Member[];
  readonly filedMs: number;
  fate: Fate;
  mergedInto?: Spec;
  named?: Named;
  topic?: Topic;
  number: string | null;
  leadUnit: string | null;
  coUnits: string[];
  wrongLead?: string;
  claimedBy?: Leader;
  key: boolean;
  first: ResultCategory;
  latest: ResultCategory;
  renegotiation?: Renegotiation;
  late: boolean;
  published: boolean;
  withholdReason: string;
  visits: Visit[];
  substantiveInOwnReview: boolean;
}

const proposalBody = (phrase: string): string =>
  `近年来，我区在${phrase}方面做了大量工作，取得一定成效，但仍存在统筹不够、投入不足、长效机制不健全等问题。` +
  `建议：一是加强统筹规划，明确责任分工；二是加大政策和资金支持；三是建立健全长效管理和考核机制。`;

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
    this.last = at;
    this.steps.push({ key: `${this.keyPrefix}:${name}`, at: iso(at), actor, target: { kind: 'proposal', id: this.proposalId, command } });
    return at;
  }

  /** Steps planned independently of each other, recorded in the order of their planned moments. */
  addAll(steps: readonly Pending[]): void {
    [...steps].sort((a, b) => a.planned - b.planned).forEach((step) => this.add(step));
  }

  get lastDate(): string {
    return dateOf(this.last);
  }
}

/**
 * The demo data of one session, deterministic: the same plan, tenant and clerk always give the same proposals,
 * ids, steps and times. Also lays out the November review of the earlier sessions' planned (B) proposals.
 */
export function buildScenario(year: number, ids: ScenarioIds): Scenario {
  const plan = planOfYear(year);
  const own = generateSession(plan, ids);
  const steps = [...own.steps];
  for (const review of plan.review) {
    if (review.session === plan.session) continue;
    const earlier = generateSession(planOfSession(review.session), ids);
    steps.push(...earlierReview(plan, review.session, review.substantive, earlier.proposals));
  }
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { plan, steps, proposals: own.proposals };
}

function generateSession(plan: SessionPlan, ids: ScenarioIds): { steps: Step[]; proposals: ProposalOutline[] } {
  const specs = planProposals(plan, ids);
  const steps: Step[] = [
    {
      key: `replay:${plan.year}:session:open`,
      at: iso(Date.parse(`${workday(addDays(plan.plenary.from, -7))}T09:00:00+08:00`)),
      actor: OFFICE,
      target: {
        kind: 'session',
        id: plan.session,
        command: { type: 'OpenSession', data: { id: plan.session, name: plan.name, year: plan.year, answerLimitDays: ANSWER_LIMIT_DAYS } },
      },
    },
  ];
  const rng = new Random(plan.seed).fork('timeline');
  for (const s of specs) steps.push(...layOut(plan, s, rng.fork(String(s.n))));
  steps.push(...supervisionVisits(plan, specs));
  const proposals = specs.map(
    (s): ProposalOutline => ({
      n: s.n,
      id: s.id,
      session: plan.session,
      title: s.title,
      number: s.number,
      leadUnit: s.leadUnit,
      latest: s.fate === 'registered' ? s.latest : null,
    }),
  );
  return { steps, proposals };
}

/** Decides every proposal's fate and handling, in exact counts, before anything is laid out in time. */
function planProposals(plan: SessionPlan, ids: ScenarioIds): Spec[] {
  const rng = new Random(plan.seed);
  const members = committeeMembers();
  const { merged, opinion, outOfScope } = plan.declined;
  const declinedCount = merged + opinion + outOfScope;
  const registeredCount = plan.filed - declinedCount;
  const { A, B, C } = plan.latest;
  if (A + B + C !== registeredCount) throw new RangeError(`${plan.session}: A+B+C must equal the registered count`);

  const filingRng = rng.fork('filing');
  const filedAt = () => {
    const from = addDays(plan.plenary.from, -4);
    const date = addDays(from, filingRng.int(0, daysBetween(from, plan.plenary.to)));
    return Date.parse(`${date}T00:00:00+08:00`) + filingRng.int(8 * 12, 18 * 12) * 5 * MINUTE;
  };
  const proposersOf = () => {
    const count = filingRng.weighted([[1, 78], [2, 12], [3, 7], [4, 3]] as const);
    return filingRng.sample(members, count);
  };
  const blank = (fields: Pick<Spec, 'category' | 'title' | 'phrase'> & Partial<Spec>): Spec => ({
    n: 0,
    body: proposalBody(fields.phrase),
    id: '',
    proposers: proposersOf(),
    filedMs: filedAt(),
    fate: 'registered',
    number: null,
    leadUnit: null,
    coUnits: [],
    key: false,
    first: 'A',
    latest: 'A',
    late: false,
    published: false,
    withholdReason: '',
    visits: [],
    substantiveInOwnReview: false,
    ...fields,
  });

  // Registered proposals: the named ones, then subjects drawn by category weight.
  const topicRng = rng.fork('topics');
  const titles = new Map<string, string[]>();
  const registered: Spec[] = [];
  const add = (category: Exclude<Category, 'other'>, phrase: string, title: string, named?: Named) => {
    titles.set(phrase, [...(titles.get(phrase) ?? []), title]);
    const topic = TOPICS[category].find((t) => t.phrase === phrase);
    registered.push(blank({ category, phrase, title, named, topic }));
  };
  for (const named of NAMED[plan.session] ?? []) {
    const topic = TOPICS[named.category].find((t) => t.phrase === named.phrase);
    add(named.category, named.phrase, topic?.title ?? `关于${named.phrase}的建议`, named);
  }
  // Several members often write on the same subject, each in their own words.
  while (registered.length < registeredCount) {
    const category = topicRng.weighted(CATEGORY_WEIGHTS) as Exclude<Category, 'other'>;
    const { phrase } = topicRng.pick(TOPICS[category]);
    const earlier = titles.get(phrase) ?? [];
    if (earlier.length > 0 && !topicRng.chance(0.3)) continue;
    const forms = TITLE_FORMS.filter(([form]) => !earlier.includes(form(phrase)));
    if (forms.length === 0) continue;
    add(category, phrase, topicRng.weighted(forms)(phrase));
  }

  // Declined proposals: merged into a registered one of the same subject, narrow local matters, out of scope.
  const declineRng = rng.fork('declined');
  const declined: Spec[] = [];
  const popular = registered.filter((r) => r.named && ['加快推进垃圾分类', '加快推进养老实项目建设'].includes(r.phrase));
  const mergeTargets = [...popular, ...declineRng.sample(registered.filter((r) => !popular.includes(r)), merged)].slice(0, merged);
  mergeTargets.forEach((target, i) => {
    const title = MERGED_FORMS[i % MERGED_FORMS.length](target.phrase);
    declined.push(blank({ category: target.category, phrase: target.phrase, title, fate: 'merged', mergedInto: target }));
  });
  for (let i = 0; i < opinion; i++) {
    const place = declineRng.pick(TOWNS);
    const subject = declineRng.pick(OPINION_SUBJECTS);
    const body = `${place}部分居民反映${subject}的需求较为迫切，建议有关部门尽快研究解决。`;
    declined.push(blank({ category: 'urban-rural', phrase: `${place}${subject}`, title: `关于${place}${subject}的建议`, body, fate: 'opinion' }));
  }
  declineRng.sample(OUT_OF_SCOPE_TITLES, outOfScope).forEach((title) => {
    declined.push(blank({ category: 'other', phrase: title, title, body: '提案人反映的具体情况，详见所附材料。', fate: 'out-of-scope' }));
  });

  // Filing order gives the proposal's place n; registration numbers follow the filing order of the registered.
  const all = [...registered, ...declined].sort((a, b) => a.filedMs - b.filedMs);
  all.forEach((s, i) => {
    s.n = i + 1;
    s.id = proposalIdFor(ids.tenant, ids.clerkId, fileKey(plan.year, s.n));
  });
  let numbered = 0;
  for (const s of all) if (s.fate === 'registered') s.number = `${plan.session}-${String(++numbered).padStart(3, '0')}`;

  // Units: the subject's lead unit; co-units most of the time the subject names them.
  const unitRng = rng.fork('units');
  for (const s of registered) {
    s.leadUnit = s.topic?.lead ?? '区发展改革委';
    s.coUnits = (s.topic?.co ?? []).filter(() => s.named !== undefined || unitRng.chance(0.7));
  }
  const plain = registered.filter((s) => !s.named);
  const handlingRng = rng.fork('handling');
  for (const s of handlingRng.sample(plain, plan.reassigned)) {
    const others = TOPICS[s.category as Exclude<Category, 'other'>].map((t) => t.lead).filter((u) => u !== s.leadUnit && !s.coUnits.includes(u));
    s.wrongLead = handlingRng.pick(others);
  }

  // Result categories (latest answer), and the proposals whose first answer differs.
  const shuffled = handlingRng.shuffle(plain);
  shuffled.slice(0, B).forEach((s) => (s.latest = s.first = 'B'));
  shuffled.slice(B, B + C).forEach((s) => (s.latest = s.first = 'C'));
  const plainA = handlingRng.shuffle(shuffled.slice(B + C));
  const plainC = shuffled.slice(B, B + C);
  let cursor = 0;
  const takeA = (count: number) => plainA.slice(cursor, (cursor += count));
  for (const s of takeA(plan.convertedInReview)) Object.assign(s, { first: 'B', renegotiation: 'review' });
  if (plan.dissatisfiedFirst > 0) {
    for (const s of takeA(plan.dissatisfiedFirst - 1)) Object.assign(s, { first: handlingRng.pick(['B', 'C']), renegotiation: 'dissatisfied' });
    Object.assign(plainC[0], { renegotiation: 'dissatisfied' });
  }
  for (const s of takeA(plan.disagreedFirst)) Object.assign(s, { first: 'B', renegotiation: 'disagreed' });
  for (const s of handlingRng.sample(plain, plan.late)) s.late = true;
  const finalB = registered.filter((s) => s.latest === 'B');
  const ownReview = plan.review.find((r) => r.session === plan.session);
  for (const s of handlingRng.sample(finalB, ownReview?.substantive ?? 0)) s.substantiveInOwnReview = true;

  // Leaders claim the hardest; key proposals include every claimed one; the named ones are published.
  const claimedNamed = registered.filter((s) => s.named?.claimed);
  const claimed = [...claimedNamed, ...handlingRng.sample(plain, plan.claimed - claimedNamed.length)];
  for (const s of claimed) {
    const fits = LEADERS.filter((l) => l.categories.includes(s.category));
    s.claimedBy = handlingRng.pick(fits.length > 0 ? fits : LEADERS);
  }
  const keyed = new Set([...claimed, ...registered.filter((s) => s.named)]);
  for (const s of handlingRng.sample(registered.filter((s) => !keyed.has(s)), plan.key - keyed.size)) keyed.add(s);
  for (const s of keyed) s.key = true;
  const named = registered.filter((s) => s.named);
  const published = new Set([...named, ...handlingRng.sample(plain, plan.published - named.length)]);
  for (const s of registered) {
    s.published = published.has(s);
    if (!s.published) s.withholdReason = handlingRng.pick(WITHHOLD_REASONS);
  }

  planVisits(plan, registered, rng.fork('visits'));
  return all;
}

/**
 * Visits (三访): before handling always, during and after often; by the principal leader, the deputy in charge or
 * staff. Every lead unit gets at least one visit by a leader of its own, except the units the plan leaves to staff.
 */
function planVisits(plan: SessionPlan, registered: Spec[], rng: Random): void {
  const rank = () => rng.weighted<VisitorRank>([['principal', 25], ['deputy', 55], ['staff', 20]]);
  const form = () => rng.weighted<VisitForm>([['in-person', 50], ['on-site', 30], ['phone', 20]]);
  for (const s of registered) {
    const lead = s.leadUnit as string;
    s.visits.push({ stage: 'before', unit: lead, rank: rank(), form: form() });
    if (rng.chance(0.45)) s.visits.push({ stage: 'during', unit: lead, rank: rank(), form: form() });
    if (s.coUnits.length > 0 && rng.chance(0.3)) s.visits.push({ stage: 'during', unit: rng.pick(s.coUnits), rank: rank(), form: form() });
    if (rng.chance(0.35)) s.visits.push({ stage: 'after', unit: lead, rank: rank(), form: form() });
    if (s.renegotiation === 'dissatisfied' || s.renegotiation === 'disagreed')
      s.visits.push({ stage: 'during', unit: lead, rank: 'principal', form: 'in-person', second: true });
  }
  const byLead = new Map<string, Spec[]>();
  for (const s of registered) byLead.set(s.leadUnit as string, [...(byLead.get(s.leadUnit as string) ?? []), s]);
  const smallest = [...byLead.entries()].sort((a, b) => a[1].length - b[1].length || (a[0] < b[0] ? -1 : 1));
  const staffOnly = new Set(smallest.slice(0, plan.leadUnitsOnlyStaffVisits).map(([unit]) => unit));
  for (const [unit, specs] of byLead) {
    const own = specs.flatMap((s) => s.visits.filter((v) => v.unit === unit));
    if (staffOnly.has(unit)) own.forEach((v) => (v.rank = 'staff'));
    else if (!own.some((v) => v.rank !== 'staff')) own[0].rank = 'deputy';
  }
}

const fileKey = (year: number, n: number): string => `replay:${year}:${n}:file`;

const VISIT_NOTES: Readonly<Record<VisitStage, string>> = {
  before: '办前拜访：听取委员意见，商定办理思路',
  during: '办中走访：通报办理进展，共商解决办法',
  after: '办后回访：听取委员对答复和落实情况的意见',
};

/** One proposal's steps, from filing to the November review. */
function layOut(plan: SessionPlan, s: Spec, rng: Random): Step[] {
  const Y = plan.year;
  const t = new Timeline(rng, `replay:${Y}:${s.n}`, s.id);
  const [lead, ...coProposers] = s.proposers;
  const proposers: Proposer[] = coProposers.map((m) => ({ id: m.id, name: m.name }));
  const file: ProposalCommand = {
    type: 'FileProposal',
    data: { proposalId: s.id, session: plan.session, title: s.title, body: s.body, category: s.category, ...(proposers.length ? { proposers } : {}) },
  };
  t.add({ name: 'file', actor: memberActor(lead), command: file, planned: s.filedMs });

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

  const leadUnit = s.leadUnit as string;
  const coUnits = s.coUnits.length ? { coUnits: s.coUnits } : {};
  t.add({ name: 'review', actor: COMMITTEE, command: { type: 'RegisterProposal', data: { number: s.number as string } }, planned: review });
  let assignedAt = t.add({
    name: 'assign',
    actor: OFFICE,
    command: { type: 'AssignProposal', data: s.wrongLead ? { leadUnit: s.wrongLead } : { leadUnit, ...coUnits } },
    planned: t.plan(`${Y}-02-25`, `${Y}-03-08`),
  });
  if (s.wrongLead) {
    const asked = dateOf(t.add({
      name: 'reassignment-request',
      actor: unitActor(s.wrongLead),
      command: { type: 'RequestReassignment', data: { reason: `该提案所提事项主要属于${leadUnit}职责，建议调整主办单位` } },
      planned: t.plan(addDays(dateOf(assignedAt), 2), addDays(dateOf(assignedAt), 6)),
    }));
    assignedAt = t.add({
      name: 'reassign',
      actor: OFFICE,
      command: { type: 'ReassignProposal', data: { leadUnit, ...coUnits } },
      planned: t.plan(addDays(asked, 2), addDays(asked, 5)),
    });
  }
  // The due date is the session's rule (90 days from assignment); the command path computes the same.
  const assigned = dateOf(assignedAt);
  const due = addDays(assigned, ANSWER_LIMIT_DAYS);

  const visit = (name: string, v: Visit, planned: number): Pending => ({
    name,
    actor: unitActor(v.unit),
    command: { type: 'RecordVisit', data: { stage: v.stage, visitorRank: v.rank, form: v.form, note: VISIT_NOTES[v.stage] } },
    planned,
  });
  const opinions = (round: number, answerAt: number): Pending[] =>
    s.coUnits.map((unit) => ({
      name: `opinion-${round}-${unitActorId(unit)}`,
      actor: unitActor(unit),
      command: { type: 'SendCoUnitOpinion', data: { opinion: `${unit}会办意见：同意主办单位办理意见，在职责范围内配合落实。` } },
      planned: t.plan(addDays(dateOf(answerAt), -20), addDays(dateOf(answerAt), -6)),
    }));
  const answer = (round: number, category: ResultCategory, planned: number): Pending => ({
    name: `answer-${round}`,
    actor: unitActor(leadUnit),
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
    t.add({ name: 'follow-up', actor: unitActor(leadUnit), command: { type: 'FollowUpProposal', data: note }, planned: t.plan(`${Y}-11-04`, `${Y}-11-08`) });
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
function supervisionVisits(plan: SessionPlan, specs: readonly Spec[]): Step[] {
  const rng = new Random(plan.seed).fork('supervision');
  const load = new Map<string, number>();
  for (const s of specs) if (s.leadUnit) load.set(s.leadUnit, (load.get(s.leadUnit) ?? 0) + 1);
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
        command: { type: 'RecordSupervisionVisit' as const, data: { unit, note: '区政府办公室、区政协提案委联合督办走访：重点、难点提案办理推进情况' } },
      },
    }));
}

/** This year's November review of an earlier session's proposals still planned (B): progress notes by the lead unit. */
function earlierReview(plan: SessionPlan, session: string, substantive: number, proposals: readonly ProposalOutline[]): Step[] {
  const rng = new Random(plan.seed).fork(`review-${session}`);
  const planned = proposals.filter((p) => p.latest === 'B');
  const progressed = new Set(rng.sample(planned, substantive));
  return planned.map((p) => {
    const at = moment(rng, `${plan.year}-11-04`, `${plan.year}-11-14`);
    const lead = p.leadUnit as string;
    return {
      key: `replay:${plan.year}:${session}.${p.n}:follow-up`,
      at: iso(at),
      actor: unitActor(lead),
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
