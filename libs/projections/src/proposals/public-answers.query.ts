import type { ReadStore } from '@app/read-store';
import type { ResultCategory } from '@app/proposals';
import type { ProposalDoc } from './proposal-doc.js';
import { PROPOSALS } from './proposals.projection.js';
import type { Paged, ProposalSummary } from './proposals.query.js';

/**
 * A proposal's published answer (公开答复) as the public sees it: only the latest one made public, never an
 * earlier answer it replaced; nothing about the members but the names of those who joined.
 */
export interface PublicAnswer extends Pick<ProposalSummary, 'id' | 'number' | 'session' | 'title' | 'category'> {
  /** Names only. */
  readonly proposers: readonly string[];
  readonly unit: string;
  readonly result: ResultCategory;
  readonly answer: string;
  readonly answeredAt: string;
  readonly publishedAt: string;
  /**
   * When a newer answer (after re-negotiation) replaced this one and that answer is not public: this is still the
   * proposal's current *published* answer, but no longer its current answer. Null while it is current.
   */
  readonly supersededAt: string | null;
}

export function publicAnswer(doc: ProposalDoc): PublicAnswer | undefined {
  const publication = doc.publications[doc.publications.length - 1];
  const answer = publication && doc.answers[publication.answerNumber - 1];
  if (!answer) return undefined;
  const newer = doc.answers[publication.answerNumber];
  return {
    id: doc.proposalId,
    number: doc.number,
    session: doc.session,
    title: doc.title,
    category: doc.category,
    proposers: doc.proposers.flatMap((p) => (p.name ? [p.name] : [])),
    unit: answer.unit,
    result: answer.category,
    answer: answer.text,
    answeredAt: answer.at,
    publishedAt: publication.at,
    supersededAt: newer ? newer.at : null,
  };
}

export async function publicAnswers(
  readStore: ReadStore,
  tenant: string,
  query: { session?: string; page: number; pageSize: number },
): Promise<Paged<PublicAnswer>> {
  const { items, total } = await readStore.find<ProposalDoc>(PROPOSALS, {
    filter: { tenant, published: true, ...(query.session ? { session: query.session } : {}) },
    sort: [['publishedAt', -1]],
    skip: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { items: items.flatMap((d) => publicAnswer(d) ?? []), total, page: query.page, pageSize: query.pageSize };
}
