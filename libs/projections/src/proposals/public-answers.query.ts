import type { ReadStore } from '@app/read-store';
import { CATEGORIES, RESULT_CATEGORIES, type ResultCategory } from '@app/proposals';
import { NO_NAMES, memberNameIn, own, unitNameIn } from '../names.js';
import { labelOf, maybeTimed, timed, type MaybeTimed, type ProposalSummary, type Timed } from '../presentation.js';
import { docId } from '../projection.js';
import { SESSIONS, type SessionDoc } from '../sessions/sessions.projection.js';
import type { ProposalDoc } from './proposal-doc.js';
import { PROPOSALS } from './proposals.projection.js';
import type { Paged } from './proposals.query.js';

/**
 * A proposal's published answer (公开答复) as the public sees it: only the latest one made public, never an
 * earlier answer it replaced; nothing about the members but the names of those who joined. `supersededAt`: when a
 * newer answer (after re-negotiation) replaced this one and that answer is not public — this is still the proposal's
 * current *published* answer, but no longer its current answer; null while it is current.
 */
export interface PublicAnswer
  extends Pick<ProposalSummary, 'id' | 'number' | 'session' | 'title' | 'category' | 'categoryLabel'>,
    Timed<'answeredAt'>,
    Timed<'publishedAt'>,
    MaybeTimed<'supersededAt'> {
  /** The session's name (六届三次会议), as the office opened it; null where it is not known. */
  readonly sessionName: string | null;
  /** Names only. */
  readonly proposers: readonly string[];
  readonly unit: string;
  /** The unit's name when it answered. */
  readonly unitName: string;
  readonly result: ResultCategory;
  readonly resultLabel: string;
  readonly answer: string;
}

export function publicAnswer(doc: ProposalDoc, utcOffsetMinutes: number, sessionName: string | null = null): PublicAnswer | undefined {
  const publication = doc.publications[doc.publications.length - 1];
  const answer = publication && doc.answers[publication.answerNumber - 1];
  if (!answer) return undefined;
  const newer = doc.answers[publication.answerNumber];
  const names = doc.names ?? NO_NAMES;
  return {
    id: doc.proposalId,
    number: doc.number,
    session: doc.session,
    sessionName,
    title: doc.title,
    category: doc.category,
    categoryLabel: labelOf(CATEGORIES, doc.category),
    // Names only: a member known by neither the directory nor their sign-in is left out rather than shown by id.
    proposers: doc.proposers.flatMap((p) => (own(names.members, p.id) ?? p.name ? [memberNameIn(names, p.id, p.name)] : [])),
    unit: answer.unit,
    unitName: answer.unitName ?? unitNameIn(names, answer.unit),
    result: answer.category,
    resultLabel: labelOf(RESULT_CATEGORIES, answer.category),
    answer: answer.text,
    ...timed('answeredAt', answer.at, utcOffsetMinutes),
    ...timed('publishedAt', publication.at, utcOffsetMinutes),
    ...maybeTimed('supersededAt', newer ? newer.at : null, utcOffsetMinutes),
  };
}

export async function publicAnswers(
  readStore: ReadStore,
  tenant: string,
  query: { session?: string; page: number; pageSize: number },
  utcOffsetMinutes: number,
): Promise<Paged<PublicAnswer>> {
  const { items, total } = await readStore.find<ProposalDoc>(PROPOSALS, {
    filter: { tenant, published: true, ...(query.session ? { session: query.session } : {}) },
    sort: [['publishedAt', -1]],
    skip: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
  });
  // The sessions' names, which are public like the answers (a page holds a few sessions: one read of their documents).
  const sessionIds = [...new Set(items.map((d) => d.session))];
  const sessions = sessionIds.length === 0 ? new Map<string, SessionDoc>() : await readStore.getMany<SessionDoc>(SESSIONS, sessionIds.map((id) => docId(tenant, id)));
  const names = new Map([...sessions.values()].map((s) => [s.session, s.name]));
  return {
    items: items.flatMap((d) => publicAnswer(d, utcOffsetMinutes, names.get(d.session) ?? null) ?? []),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
