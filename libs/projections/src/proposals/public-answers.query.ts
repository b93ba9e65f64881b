import type { ReadStore } from '@app/read-store';
import type { ResultCategory } from '@app/proposals';
import type { ProposalDoc } from './proposal-doc.js';
import { PROPOSALS } from './proposals.projection.js';
import type { Paged, ProposalSummary } from './proposals.query.js';

/** A published answer (公开答复) as the public sees it: nothing about the members but their names. */
export interface PublicAnswer extends Pick<ProposalSummary, 'id' | 'number' | 'session' | 'title' | 'category'> {
  /** Names only. */
  readonly proposers: readonly string[];
  readonly unit: string;
  readonly result: ResultCategory;
  readonly answer: string;
  readonly answeredAt: string;
  readonly publishedAt: string;
}

export function publicAnswer(doc: ProposalDoc): PublicAnswer | undefined {
  const publication = doc.publications[doc.publications.length - 1];
  const answer = publication && doc.answers[publication.answerNumber - 1];
  if (!answer) return undefined;
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
