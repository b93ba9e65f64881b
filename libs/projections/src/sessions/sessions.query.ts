import type { ReadStore } from '@app/read-store';
import { maybeTimed, type MaybeTimed } from '../presentation.js';
import { PROPOSALS } from '../proposals/proposals.projection.js';
import { SESSIONS, type SessionDoc } from './sessions.projection.js';

/** A session of the jurisdiction with where its proposals stand, counted in the proposals read model. */
export interface SessionSummary extends MaybeTimed<'openedAt'> {
  readonly id: string;
  readonly name: string;
  readonly year: number;
  readonly answerLimitDays: number;
  readonly counts: {
    /** Proposals filed in the session. */
    readonly filed: number;
    /** Of those, registered (立案): they have a number. */
    readonly registered: number;
    readonly declined: number;
    /** Registered proposals with at least one answer: answered, or reopened after an answer. */
    readonly answered: number;
    /** With an answer made public. */
    readonly published: number;
  };
}

/**
 * Every session of the jurisdiction, oldest first, with its counts. Counted by the read store on its indexes
 * (tenant, session, …), not by loading the proposals: a session has hundreds of them.
 */
export async function sessionSummaries(readStore: ReadStore, tenant: string, utcOffsetMinutes: number): Promise<SessionSummary[]> {
  const { items } = await readStore.find<SessionDoc>(SESSIONS, { filter: { tenant }, sort: [['year', 1]] });
  const summaries: SessionSummary[] = [];
  for (const s of items) {
    const of = { tenant, session: s.session };
    const [filed, registered, declined, answered, published] = await Promise.all([
      readStore.count(PROPOSALS, of),
      readStore.count(PROPOSALS, { ...of, number: { $ne: null } }),
      readStore.count(PROPOSALS, { ...of, status: 'declined' }),
      // The status machine (lifecycle.ts): only an answer leads to answered, and reopened comes only after one.
      readStore.count(PROPOSALS, { ...of, status: { $in: ['answered', 'reopened'] } }),
      readStore.count(PROPOSALS, { ...of, published: true }),
    ]);
    summaries.push({
      id: s.session,
      name: s.name,
      year: s.year,
      answerLimitDays: s.answerLimitDays,
      ...maybeTimed('openedAt', s.openedAt, utcOffsetMinutes),
      counts: { filed, registered, declined, answered, published },
    });
  }
  return summaries;
}
