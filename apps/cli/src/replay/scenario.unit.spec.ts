import { proposalIdFor } from '@app/command-handling';
import { directoryMigration } from './directory.js';
import { SESSION_PLANS } from './plans.js';
import { Random } from './random.js';
import { buildScenario, type Scenario } from './scenario.js';

const ids = { tenant: 'jinshan', clerkId: 'clerk-demo' };

describe('the demo scenario generator', () => {
  let scenarios: Scenario[];
  beforeAll(() => {
    scenarios = SESSION_PLANS.map((p) => buildScenario(p.year, ids));
  });

  it('is deterministic and never uses Math.random', () => {
    const random = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      expect(buildScenario(2019, ids)).toEqual(scenarios[2]);
    } finally {
      Math.random = random;
    }
  });

  it('derives proposal ids from the clerk and the filing’s Idempotency-Key', () => {
    const [first] = scenarios[2].proposals;
    expect(first.id).toBe(proposalIdFor('jinshan', { id: 'clerk-demo', role: 'clerk' }, `replay:2019:${first.n}:file`));
    expect(buildScenario(2019, { ...ids, tenant: 'other' }).proposals[0].id).not.toBe(first.id);
  });

  it('gives every step its own Idempotency-Key', () => {
    const keys = scenarios.flatMap((s) => s.steps.map((step) => step.key));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lays out each proposal’s steps in business-time order, within the session’s year', () => {
    for (const scenario of scenarios) {
      const { year } = scenario.plan;
      const last = new Map<string, string>();
      for (const step of scenario.steps) {
        expect(step.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+08:00$/);
        expect(step.at >= `${year - 1}-12-01` && step.at < `${year + 1}-01-01`).toBe(true);
        const id = step.target.id;
        expect(Date.parse(step.at)).toBeGreaterThanOrEqual(Date.parse(last.get(id) ?? '1970-01-01T00:00:00Z'));
        last.set(id, step.at);
      }
    }
  });

  it('files the plan’s number of proposals and follows up the earlier sessions’ planned ones', () => {
    for (const scenario of scenarios) expect(scenario.proposals).toHaveLength(scenario.plan.filed);
    const earlier = scenarios[2].steps.filter((s) => s.earlierSession);
    expect(new Set(earlier.map((s) => s.earlierSession))).toEqual(new Set(['6-1', '6-2']));
    const substantive = scenarios[2].steps.filter(
      (s) => s.target.kind === 'proposal' && s.target.command.type === 'FollowUpProposal' && s.target.command.data.substantiveProgress,
    );
    expect(new Set(substantive.map((s) => s.target.id)).size).toBe(10);
  });

  it('names only units and members of the demo directory, by code and id, and unit staff by their accounts', () => {
    const migration = directoryMigration();
    const imported = migration[0].target.command;
    if (imported.type !== 'ImportDirectory') throw new Error('the migration starts with the import');
    const units = new Set(imported.data.units?.map((u) => u.code));
    const members = new Set(imported.data.members?.map((m) => m.id));
    const accounts = new Map(migration.flatMap((s) => (s.target.command.type === 'AddStaffAccount' ? [[s.target.command.data.sub, s.target.command.data.unit]] : [])));
    expect(units.size).toBe(imported.data.units?.length);
    expect(accounts.size).toBe(units.size);
    const named = { units: new Set<string>(), members: new Set<string>() };
    for (const { actor, target } of scenarios.flatMap((s) => s.steps)) {
      if (actor.role === 'unit') {
        named.units.add(actor.unit as string);
        expect(accounts.get(actor.id)).toBe(actor.unit);
      }
      if (actor.role === 'member') named.members.add(actor.id);
      const data = target.command.data as { leadUnit?: string; coUnits?: string[]; unit?: string; coProposers?: string[]; code?: string };
      [data.leadUnit, ...(data.coUnits ?? []), data.unit, data.code].forEach((u) => u !== undefined && named.units.add(u));
      data.coProposers?.forEach((m) => named.members.add(m));
    }
    expect([...named.units].filter((u) => !units.has(u))).toEqual([]);
    expect([...named.members].filter((m) => !members.has(m))).toEqual([]);
    expect(named.units.size).toBe(29);
    expect([...named.units].every((u) => /^[a-z][a-z0-9-]{1,31}$/.test(u))).toBe(true);
  });

  it('draws the same numbers from the same seed', () => {
    const a = new Random('seed');
    const b = new Random('seed');
    const draws = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(draws);
    expect(new Random('other').next()).not.toBe(draws[0]);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
