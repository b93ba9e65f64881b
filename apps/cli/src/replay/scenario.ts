import { reorganisation } from './directory.js';
import { planOfSession, planOfYear, type SessionPlan } from './plans.js';
import { planProposals, type ScenarioIds } from './planning.js';
import { earlierReview, proposalSteps, sessionOpening, supervisionVisits, type ProposalOutline, type Step } from './timeline.js';

/**
 * The demo data: planning (planning.ts) decides every proposal of a session from its plan and seed, the timeline
 * (timeline.ts) lays the decisions out in business time as the steps a clerk records; this composes the two.
 */

export type { ScenarioIds } from './planning.js';
export type { ProposalOutline, Step } from './timeline.js';

export interface Scenario {
  readonly plan: SessionPlan;
  /** Every step, in business-time order. */
  readonly steps: readonly Step[];
  readonly proposals: readonly ProposalOutline[];
}

/**
 * The demo data of one session, deterministic: the same plan, tenant and clerk always give the same proposals,
 * ids, steps and times. Also lays out the November review of the earlier sessions' planned (B) proposals, and the
 * renames of the directory's units in the year of the reorganisation (the directory itself is directoryMigration's).
 */
export function buildScenario(year: number, ids: ScenarioIds): Scenario {
  const plan = planOfYear(year);
  const own = generateSession(plan, ids);
  const steps = [...own.steps, ...reorganisation(plan)];
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
  const steps = [sessionOpening(plan), ...proposalSteps(plan, specs), ...supervisionVisits(plan, specs)];
  const proposals = specs.map(
    (s): ProposalOutline => ({
      n: s.n,
      id: s.id,
      session: plan.session,
      title: s.title,
      number: s.fate === 'registered' ? s.number : null,
      leadUnit: s.fate === 'registered' ? s.leadUnit : null,
      latest: s.fate === 'registered' ? s.latest : null,
    }),
  );
  return { steps, proposals };
}
