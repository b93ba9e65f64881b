import type { ReadStore } from '@app/read-store';
import { answeredOnTime, type ResultCategory, type VisitorRank } from '@app/proposals';
import type { ProposalDoc } from './proposal-doc.js';
import { PROPOSALS } from './proposals.projection.js';
import { isOverdue } from './proposals.query.js';

export interface UnitAsLead {
  readonly assigned: number;
  readonly answered: number;
  readonly onTime: number;
  readonly overdue: number;
  readonly categories: Record<ResultCategory, number>;
  /** Proposals whose latest feedback is satisfied or basically satisfied, of those with feedback. */
  readonly satisfaction: { readonly satisfied: number; readonly withFeedback: number };
}

export interface UnitAsCoUnit {
  readonly assigned: number;
  readonly opinionsSent: number;
}

export interface UnitFigures {
  readonly unit: string;
  /** Its name as the latest step of the session's proposals naming it had it; the code before the directory. */
  readonly unitName: string;
  readonly asLead: UnitAsLead;
  readonly asCoUnit: UnitAsCoUnit;
  /** Visits the unit made to members, on any proposal it handles, by the rank of who went. */
  readonly visitsByRank: Record<VisitorRank, number>;
}

/** The handling record of every unit of a session, as lead unit and as co-unit. */
export async function unitFigures(
  readStore: ReadStore,
  tenant: string,
  session: string,
  today: string,
  utcOffsetMinutes: number,
): Promise<UnitFigures[]> {
  const { items } = await readStore.find<ProposalDoc>(PROPOSALS, { filter: { tenant, session } });
  const units = new Map<string, { asLead: UnitAsLead; asCoUnit: UnitAsCoUnit; visitsByRank: Record<VisitorRank, number> }>();
  const of = (unit: string) => {
    let figures = units.get(unit);
    if (!figures) {
      figures = {
        asLead: { assigned: 0, answered: 0, onTime: 0, overdue: 0, categories: { A: 0, B: 0, C: 0 }, satisfaction: { satisfied: 0, withFeedback: 0 } },
        asCoUnit: { assigned: 0, opinionsSent: 0 },
        visitsByRank: { principal: 0, deputy: 0, staff: 0 },
      };
      units.set(unit, figures);
    }
    return figures;
  };
  /** The name each unit had at the latest step that named it, and that step's position. */
  const latestName = new Map<string, { name: string; position: number }>();
  for (const p of items) {
    for (const [unit, name] of Object.entries(p.names?.units ?? {}))
      if ((latestName.get(unit)?.position ?? -1) < p.position) latestName.set(unit, { name, position: p.position });
    if (p.leadUnit) {
      const lead = of(p.leadUnit).asLead as { -readonly [K in keyof UnitAsLead]: UnitAsLead[K] };
      lead.assigned++;
      const first = p.answers[0];
      if (first) {
        lead.answered++;
        if (answeredOnTime(first.at, first.dueDate, utcOffsetMinutes)) lead.onTime++;
      }
      if (isOverdue(p, today)) lead.overdue++;
      if (p.latestCategory) lead.categories[p.latestCategory]++;
      const feedback = p.feedback[p.feedback.length - 1];
      if (feedback) {
        lead.satisfaction = {
          withFeedback: lead.satisfaction.withFeedback + 1,
          satisfied: lead.satisfaction.satisfied + (feedback.attitude === 'dissatisfied' ? 0 : 1),
        };
      }
    }
    for (const co of p.coUnits) {
      const figures = of(co).asCoUnit as { -readonly [K in keyof UnitAsCoUnit]: UnitAsCoUnit[K] };
      figures.assigned++;
      if (p.coUnitOpinions.some((o) => o.unit === co)) figures.opinionsSent++;
    }
    for (const visit of p.visits) of(visit.unit).visitsByRank[visit.visitorRank]++;
  }
  return [...units.entries()]
    .map(([unit, figures]) => ({ unit, unitName: latestName.get(unit)?.name ?? unit, ...figures }))
    .sort((a, b) => a.unit.localeCompare(b.unit, 'zh'));
}
