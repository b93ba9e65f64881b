import { proposalIdFor } from '@app/command-handling';
import { addDays, type Category, type ResultCategory, type VisitForm, type VisitorRank, type VisitStage } from '@app/proposals';
import {
  CATEGORY_WEIGHTS,
  committeeMembers,
  LEADERS,
  MERGED_FORMS,
  NAMED_PROPOSALS,
  OPINION_SUBJECTS,
  OUT_OF_SCOPE_TITLES,
  TITLE_FORMS,
  TOPICS,
  TOWNS,
  WITHHOLD_REASONS,
  type Leader,
  type Member,
  type NamedProposal,
  type Topic,
} from './catalogue.js';
import type { SessionPlan } from './plans.js';
import { Random } from './random.js';
import { daysBetween, MINUTE } from './calendar.js';

/**
 * Planning: decides every proposal of a session, in the plan's exact counts, before anything is laid out in time.
 * Each decision is drawn from its own fork of the session's seed, in a fixed order, and each proposal's spec is
 * built once, complete, from the decisions: the same plan always gives the same specs.
 */

export interface ScenarioIds {
  readonly tenant: string;
  /** The clerk who records the demo data: proposal ids derive from this id and the filing's Idempotency-Key. */
  readonly clerkId: string;
}

export type Renegotiation = 'dissatisfied' | 'disagreed' | 'review';

export interface Visit {
  readonly stage: VisitStage;
  readonly unit: string;
  readonly rank: VisitorRank;
  readonly form: VisitForm;
  /** A visit of the second round of handling, after re-negotiation. */
  readonly second?: boolean;
}

/** What every proposal has: what it is about, who filed it, when, and its place in the filing order. */
interface Filed {
  readonly n: number;
  readonly id: string;
  readonly category: Category;
  readonly title: string;
  readonly body: string;
  readonly proposers: readonly Member[];
  readonly filedMs: number;
  readonly named?: NamedProposal;
}

/** How a registered proposal is handled. */
interface Handling {
  readonly leadUnit: string;
  readonly coUnits: readonly string[];
  /** The unit first assigned by mistake, which asks to be relieved. */
  readonly wrongLead?: string;
  readonly claimedBy?: Leader;
  readonly key: boolean;
  readonly first: ResultCategory;
  readonly latest: ResultCategory;
  readonly renegotiation?: Renegotiation;
  readonly late: boolean;
  readonly published: boolean;
  readonly withholdReason: string;
  readonly substantiveInOwnReview: boolean;
}

export interface RegisteredSpec extends Filed, Handling {
  readonly fate: 'registered';
  readonly number: string;
  readonly visits: readonly Visit[];
}

export interface DeclinedSpec extends Filed {
  readonly fate: 'merged' | 'opinion' | 'out-of-scope';
  /** The registered proposal a merged one is handled with (并案). */
  readonly mergedInto?: { readonly id: string; readonly number: string };
}

/** One proposal as the generator plans it, before its steps are laid out in time. */
export type Spec = RegisteredSpec | DeclinedSpec;

/** A proposal as filed, before its place in the filing order is known. */
interface Filing {
  readonly category: Category;
  readonly title: string;
  readonly phrase: string;
  readonly body: string;
  readonly proposers: readonly Member[];
  readonly filedMs: number;
  readonly fate: Spec['fate'];
  readonly named?: NamedProposal;
  readonly topic?: Topic;
  readonly mergedInto?: Filing;
}

const fileKey = (year: number, n: number): string => `replay:${year}:${n}:file`;

const proposalBody = (phrase: string): string =>
  `近年来，我区在${phrase}方面做了大量工作，取得一定成效，但仍存在统筹不够、投入不足、长效机制不健全等问题。` +
  `建议：一是加强统筹规划，明确责任分工；二是加大政策和资金支持；三是建立健全长效管理和考核机制。`;

/** Decides every proposal's fate and handling, in exact counts; the specs come in filing order. */
export function planProposals(plan: SessionPlan, ids: ScenarioIds): Spec[] {
  const rng = new Random(plan.seed);
  const { A, B, C } = plan.latest;
  const { merged, opinion, outOfScope } = plan.declined;
  if (A + B + C !== plan.filed - (merged + opinion + outOfScope)) throw new RangeError(`${plan.session}: A+B+C must equal the registered count`);

  const { registered, declined } = fileProposals(plan, rng);
  const handling = planHandling(plan, registered, rng);
  const visits = planVisits(plan, handling, rng.fork('visits'));

  // Filing order gives the proposal's place n; registration numbers follow the filing order of the registered.
  const all = [...registered, ...declined].sort((a, b) => a.filedMs - b.filedMs);
  const numbered = all.filter((f) => f.fate === 'registered');
  const idOf = (f: Filing) => proposalIdFor(ids.tenant, { id: ids.clerkId, role: 'clerk' }, fileKey(plan.year, all.indexOf(f) + 1));
  const numberOf = (f: Filing) => `${plan.session}-${String(numbered.indexOf(f) + 1).padStart(3, '0')}`;
  return all.map((f, i): Spec => {
    const filed: Filed = { n: i + 1, id: idOf(f), category: f.category, title: f.title, body: f.body, proposers: f.proposers, filedMs: f.filedMs, named: f.named };
    if (f.fate === 'registered') {
      const at = registered.indexOf(f);
      return { ...filed, ...handling[at], fate: f.fate, number: numberOf(f), visits: visits[at] };
    }
    return { ...filed, fate: f.fate, ...(f.mergedInto ? { mergedInto: { id: idOf(f.mergedInto), number: numberOf(f.mergedInto) } } : {}) };
  });
}

/** Registered proposals (the named ones, then subjects drawn by category weight), then the declined ones. */
function fileProposals(plan: SessionPlan, rng: Random): { registered: Filing[]; declined: Filing[] } {
  const members = committeeMembers();
  const { merged, opinion, outOfScope } = plan.declined;
  const registeredCount = plan.filed - (merged + opinion + outOfScope);

  // Who filed and when: drawn for each proposal in the order they are made up, proposers first.
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
  const file = (about: Omit<Filing, 'body' | 'proposers' | 'filedMs'> & { readonly body?: string }): Filing => ({
    body: proposalBody(about.phrase),
    proposers: proposersOf(),
    filedMs: filedAt(),
    ...about,
  });

  const topicRng = rng.fork('topics');
  const titles = new Map<string, string[]>();
  const registered: Filing[] = [];
  const add = (category: Exclude<Category, 'other'>, phrase: string, title: string, named?: NamedProposal) => {
    titles.set(phrase, [...(titles.get(phrase) ?? []), title]);
    const topic = TOPICS[category].find((t) => t.phrase === phrase);
    registered.push(file({ fate: 'registered', category, phrase, title, named, topic }));
  };
  for (const named of NAMED_PROPOSALS[plan.session] ?? []) {
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
  const declined: Filing[] = [];
  const popular = registered.filter((r) => r.named && ['加快推进垃圾分类', '加快推进养老实项目建设'].includes(r.phrase));
  const mergeTargets = [...popular, ...declineRng.sample(registered.filter((r) => !popular.includes(r)), merged)].slice(0, merged);
  mergeTargets.forEach((target, i) => {
    const title = MERGED_FORMS[i % MERGED_FORMS.length](target.phrase);
    declined.push(file({ fate: 'merged', category: target.category, phrase: target.phrase, title, mergedInto: target }));
  });
  for (let i = 0; i < opinion; i++) {
    const place = declineRng.pick(TOWNS);
    const subject = declineRng.pick(OPINION_SUBJECTS);
    const body = `${place}部分居民反映${subject}的需求较为迫切，建议有关部门尽快研究解决。`;
    declined.push(file({ fate: 'opinion', category: 'urban-rural', phrase: `${place}${subject}`, title: `关于${place}${subject}的建议`, body }));
  }
  declineRng.sample(OUT_OF_SCOPE_TITLES, outOfScope).forEach((title) => {
    declined.push(file({ fate: 'out-of-scope', category: 'other', phrase: title, title, body: '提案人反映的具体情况，详见所附材料。' }));
  });
  return { registered, declined };
}

/** Units, result categories, re-negotiations, lateness, leaders' claims, key and published: for each registered proposal. */
function planHandling(plan: SessionPlan, registered: readonly Filing[], rng: Random): Handling[] {
  // Units: the subject's lead unit; co-units most of the time the subject names them.
  const unitRng = rng.fork('units');
  const led = registered.map((filing) => ({
    filing,
    leadUnit: filing.topic?.lead ?? '区发展改革委',
    coUnits: (filing.topic?.co ?? []).filter(() => filing.named !== undefined || unitRng.chance(0.7)),
  }));
  const plain = led.filter((l) => !l.filing.named);
  const handlingRng = rng.fork('handling');
  const wrongLeads = new Map(
    handlingRng.sample(plain, plan.reassigned).map((l) => {
      const category = l.filing.category as Exclude<Category, 'other'>;
      const others = TOPICS[category].map((t) => t.lead).filter((u) => u !== l.leadUnit && !l.coUnits.includes(u));
      return [l, handlingRng.pick(others)] as const;
    }),
  );

  // Result categories (latest answer), and the proposals whose first answer differs.
  const { B, C } = plan.latest;
  const shuffled = handlingRng.shuffle(plain);
  const plainB = shuffled.slice(0, B);
  const plainC = shuffled.slice(B, B + C);
  const plainA = handlingRng.shuffle(shuffled.slice(B + C));
  let cursor = 0;
  const takeA = (count: number) => plainA.slice(cursor, (cursor += count));
  const convertedInReview = takeA(plan.convertedInReview);
  const dissatisfiedA = plan.dissatisfiedFirst > 0 ? takeA(plan.dissatisfiedFirst - 1) : [];
  const firstOfDissatisfiedA = dissatisfiedA.map(() => handlingRng.pick<ResultCategory>(['B', 'C']));
  // One of the dissatisfied is answered C twice: the unit explains again why it cannot be done.
  const dissatisfiedC = plainC.slice(0, plan.dissatisfiedFirst > 0 ? 1 : 0);
  if (plan.dissatisfiedFirst > 0 && dissatisfiedC.length === 0) throw new RangeError(`${plan.session}: a dissatisfied first answer needs a C`);
  const disagreed = takeA(plan.disagreedFirst);
  const outcome = (first: ResultCategory, latest: ResultCategory, renegotiation?: Renegotiation) =>
    ({ first, latest, ...(renegotiation ? { renegotiation } : {}) }) satisfies Partial<Handling>;
  const outcomes = new Map([
    ...plainB.map((l) => [l, outcome('B', 'B')] as const),
    ...plainC.map((l) => [l, outcome('C', 'C', dissatisfiedC.includes(l) ? 'dissatisfied' : undefined)] as const),
    ...convertedInReview.map((l) => [l, outcome('B', 'A', 'review')] as const),
    ...dissatisfiedA.map((l, i) => [l, outcome(firstOfDissatisfiedA[i], 'A', 'dissatisfied')] as const),
    ...disagreed.map((l) => [l, outcome('B', 'A', 'disagreed')] as const),
  ]);
  const late = new Set(handlingRng.sample(plain, plan.late));
  const ownReview = plan.review.find((r) => r.session === plan.session);
  const progressed = new Set(handlingRng.sample(led.filter((l) => plainB.includes(l)), ownReview?.substantive ?? 0));

  // Leaders claim the hardest; key proposals include every claimed one; the named ones are published.
  const claimedNamed = led.filter((l) => l.filing.named?.claimed);
  const claimed = [...claimedNamed, ...handlingRng.sample(plain, plan.claimed - claimedNamed.length)];
  const claimedBy = new Map(
    claimed.map((l) => {
      const fits = LEADERS.filter((leader) => leader.categories.includes(l.filing.category));
      return [l, handlingRng.pick(fits.length > 0 ? fits : LEADERS)] as const;
    }),
  );
  const named = led.filter((l) => l.filing.named);
  const keyedFirst = new Set([...claimed, ...named]);
  const keyed = new Set([...keyedFirst, ...handlingRng.sample(led.filter((l) => !keyedFirst.has(l)), plan.key - keyedFirst.size)]);
  const published = new Set([...named, ...handlingRng.sample(plain, plan.published - named.length)]);
  const withheld = new Map(led.filter((l) => !published.has(l)).map((l) => [l, handlingRng.pick(WITHHOLD_REASONS)] as const));

  return led.map((l): Handling => {
    const wrongLead = wrongLeads.get(l);
    const leader = claimedBy.get(l);
    return {
      leadUnit: l.leadUnit,
      coUnits: l.coUnits,
      ...(wrongLead ? { wrongLead } : {}),
      ...(leader ? { claimedBy: leader } : {}),
      key: keyed.has(l),
      ...(outcomes.get(l) ?? outcome('A', 'A')),
      late: late.has(l),
      published: published.has(l),
      withholdReason: withheld.get(l) ?? '',
      substantiveInOwnReview: progressed.has(l),
    };
  });
}

/**
 * Visits (三访): before handling always, during and after often; by the principal leader, the deputy in charge or
 * staff. Every lead unit gets at least one visit by a leader of its own, except the units the plan leaves to staff.
 * The visits of each registered proposal, in the order of `handling`.
 */
function planVisits(plan: SessionPlan, handling: readonly Handling[], rng: Random): Visit[][] {
  const rank = () => rng.weighted<VisitorRank>([['principal', 25], ['deputy', 55], ['staff', 20]]);
  const form = () => rng.weighted<VisitForm>([['in-person', 50], ['on-site', 30], ['phone', 20]]);
  // The visits as drawn, in the order of the draws.
  const drawn = handling.map(({ leadUnit: lead, coUnits, renegotiation }) => {
    const visits: Visit[] = [{ stage: 'before', unit: lead, rank: rank(), form: form() }];
    if (rng.chance(0.45)) visits.push({ stage: 'during', unit: lead, rank: rank(), form: form() });
    if (coUnits.length > 0 && rng.chance(0.3)) visits.push({ stage: 'during', unit: rng.pick(coUnits), rank: rank(), form: form() });
    if (rng.chance(0.35)) visits.push({ stage: 'after', unit: lead, rank: rank(), form: form() });
    if (renegotiation === 'dissatisfied' || renegotiation === 'disagreed')
      visits.push({ stage: 'during', unit: lead, rank: 'principal', form: 'in-person', second: true });
    return { lead, visits };
  });
  // Each lead unit's own visits to the proposals it leads: the units with the fewest proposals leave them all to
  // staff; any other unit none of whose own visits was by a leader makes its first one by the deputy in charge.
  const byLead = new Map<string, (typeof drawn)[number][]>();
  for (const d of drawn) byLead.set(d.lead, [...(byLead.get(d.lead) ?? []), d]);
  const smallest = [...byLead.entries()].sort((a, b) => a[1].length - b[1].length || (a[0] < b[0] ? -1 : 1));
  const staffOnly = new Set(smallest.slice(0, plan.leadUnitsOnlyStaffVisits).map(([unit]) => unit));
  const byDeputy = new Set(
    [...byLead]
      .filter(([unit]) => !staffOnly.has(unit))
      .map(([unit, proposals]) => proposals.flatMap((d) => d.visits.filter((v) => v.unit === unit)))
      .filter((own) => !own.some((v) => v.rank !== 'staff'))
      .map((own) => own[0]),
  );
  const rankOf = (lead: string, v: Visit): VisitorRank => (v.unit === lead && staffOnly.has(lead) ? 'staff' : byDeputy.has(v) ? 'deputy' : v.rank);
  return drawn.map(({ lead, visits }) => visits.map((v) => ({ ...v, rank: rankOf(lead, v) })));
}
