import { businessDate, isOpen, readerIdsOf, SESSION_EVENT_TYPES, statusAfter, type ProposalEventType } from '@app/proposals';
import { defineProjection, docId, ignoreAll, type ProjectedEvent, type ProjectedEventOf } from '../projection.js';
import type { ProposalDoc } from './proposal-doc.js';

export const PROPOSALS = 'proposals';

const addUnique = <T>(list: readonly T[], ...items: T[]): T[] =>
  items.reduce<T[]>((acc, x) => (acc.includes(x) ? acc : [...acc, x]), [...list]);

/** The bookkeeping every step updates. */
const stamp = (e: ProjectedEvent) => ({ updatedAt: e.metadata.occurredAt, revision: e.revision, position: e.position });

/**
 * Business years are those of the jurisdiction's calendar; the projection is told the offset once, at wiring,
 * so that it stays a pure function of the events.
 */
export function proposalsProjection(utcOffsetMinutes: number) {
  /** A step of a filed proposal: the handler's changes, then the status from the one status machine, and the stamp. */
  const step =
    <T extends Exclude<ProposalEventType, 'ProposalFiled'>>(update: (doc: ProposalDoc, e: ProjectedEventOf<T>) => Partial<ProposalDoc>) =>
    (doc: ProposalDoc | null, e: ProjectedEventOf<T>): ProposalDoc | null => {
      if (doc === null) return null;
      const status = statusAfter(doc.status, e.event);
      return { ...doc, ...update(doc, e), status, open: isOpen(status), ...stamp(e) };
    };

  return defineProjection<ProposalDoc>({
    name: 'proposals@2',
    collection: {
      name: PROPOSALS,
      partition: 'tenant',
      fields: {
        tenant: 'string',
        session: 'string',
        status: 'string',
        open: 'boolean',
        leadUnit: 'string',
        category: 'string',
        key: 'boolean',
        claimed: 'boolean',
        published: 'boolean',
        dueDate: 'string',
        number: 'string',
        title: 'string',
        filedAt: 'string',
        publishedAt: 'string',
        updatedAt: 'string',
        units: 'array',
        proposerIds: 'array',
        substantiveYears: 'array',
      },
      // One per common list: a session's register, the office's filters across sessions, supervision lists, the
      // public answers. Proposal documents are few beside events, so the indexes cost little to keep.
      indexes: [
        ['tenant', 'session', 'number'],
        ['tenant', 'session', 'filedAt'],
        ['tenant', 'session', 'status'],
        ['tenant', 'open', 'dueDate'],
        ['tenant', 'leadUnit', 'status', 'filedAt'],
        ['tenant', 'status', 'filedAt'],
        ['tenant', 'category', 'updatedAt'],
        ['tenant', 'category', 'key', 'updatedAt'],
        ['tenant', 'key', 'updatedAt'],
        ['tenant', 'published', 'publishedAt'],
        ['tenant', 'filedAt'],
        ['tenant', 'updatedAt'],
      ],
    },
    keyOf: (e) => (e.category === 'proposal' ? docId(e.tenant, e.streamId) : undefined),
    handlers: {
      ...ignoreAll(SESSION_EVENT_TYPES),
      ProposalFiled: (_, e) => {
        const { proposalId, session, title, category, proposers, invitedCoProposers } = e.event.data;
        const at = e.metadata.occurredAt;
        return {
          id: docId(e.tenant, proposalId),
          tenant: e.tenant,
          proposalId,
          session,
          number: null,
          title,
          category,
          proposers,
          invitedCoProposers,
          proposerIds: readerIdsOf({ proposers, invitedCoProposers }),
          status: statusAfter(null, e.event),
          open: false,
          filedAt: at,
          registeredAt: null,
          declinedAt: null,
          decline: null,
          leadUnit: null,
          coUnits: [],
          units: [],
          dueDate: null,
          assignments: [],
          reassignmentRequest: null,
          claimed: false,
          claimedBy: null,
          claimedAt: null,
          key: false,
          keyMarks: [],
          visits: [],
          coUnitOpinions: [],
          answers: [],
          latestCategory: null,
          feedback: [],
          followUps: [],
          substantiveYears: [],
          publications: [],
          published: false,
          publishedAt: null,
          ...stamp(e),
        };
      },
      CoProposerConfirmed: step((doc, e) => {
        const { member, name } = e.event.data;
        const proposers = [...doc.proposers, { id: member, ...(name ? { name } : {}) }];
        const invitedCoProposers = doc.invitedCoProposers.filter((id) => id !== member);
        return { proposers, invitedCoProposers, proposerIds: readerIdsOf({ proposers, invitedCoProposers }) };
      }),
      ProposalRegistered: step((_, e) => ({
        number: e.event.data.number,
        registeredAt: e.metadata.occurredAt,
      })),
      ProposalDeclined: step((_, e) => ({
        declinedAt: e.metadata.occurredAt,
        decline: e.event.data,
      })),
      ProposalAssigned: step((doc, e) => assign(doc, e.metadata.occurredAt, 'assigned', e.event.data)),
      ProposalReassigned: step((doc, e) => ({
        ...assign(doc, e.metadata.occurredAt, 'reassigned', e.event.data),
        reassignmentRequest: null,
      })),
      ReassignmentRequested: step((_, e) => ({
        reassignmentRequest: { at: e.metadata.occurredAt, ...e.event.data },
      })),
      ProposalClaimed: step((_, e) => {
        const { leader, leaderName } = e.event.data;
        return { claimed: true, claimedAt: e.metadata.occurredAt, claimedBy: { id: leader, ...(leaderName ? { name: leaderName } : {}) } };
      }),
      ProposalVisited: step((doc, e) => {
        const { unit, stage, visitorRank, form } = e.event.data;
        return { visits: [...doc.visits, { at: e.metadata.occurredAt, unit, stage, visitorRank, form }] };
      }),
      CoUnitOpinionSent: step((doc, e) => ({
        coUnitOpinions: [...doc.coUnitOpinions, { at: e.metadata.occurredAt, unit: e.event.data.unit }],
      })),
      ProposalAnswered: step((doc, e) => {
        const at = e.metadata.occurredAt;
        return {
          answers: [...doc.answers, { at, ...e.event.data, dueDate: doc.dueDate ?? '' }],
          latestCategory: e.event.data.category,
        };
      }),
      FeedbackGiven: step((doc, e) => {
        const { member, attitude, agreesWithResult } = e.event.data;
        return { feedback: [...doc.feedback, { at: e.metadata.occurredAt, member, attitude, agreesWithResult }] };
      }),
      ProposalRenegotiated: step((doc, e) => {
        const { dueDate } = e.event.data;
        const renegotiated = { at: e.metadata.occurredAt, kind: 'renegotiated' as const, leadUnit: doc.leadUnit ?? '', coUnits: doc.coUnits, dueDate };
        return { dueDate, assignments: [...doc.assignments, renegotiated] };
      }),
      ProposalFollowedUp: step((doc, e) => {
        const at = e.metadata.occurredAt;
        const year = Number(businessDate(at, utcOffsetMinutes).slice(0, 4));
        return {
          followUps: [...doc.followUps, { at, ...e.event.data }],
          substantiveYears: e.event.data.substantiveProgress ? addUnique(doc.substantiveYears, year) : doc.substantiveYears,
        };
      }),
      ProposalSupervised: step((doc, e) => ({
        key: e.event.data.key,
        keyMarks: [...doc.keyMarks, { at: e.metadata.occurredAt, key: e.event.data.key }],
      })),
      AnswerPublished: step((doc, e) => {
        const at = e.metadata.occurredAt;
        return { publications: [...doc.publications, { at, answerNumber: e.event.data.answerNumber }], published: true, publishedAt: at };
      }),
    },
  });
}

function assign(
  doc: ProposalDoc,
  at: string,
  kind: 'assigned' | 'reassigned',
  { leadUnit, coUnits, dueDate }: { leadUnit: string; coUnits: string[]; dueDate: string },
): Partial<ProposalDoc> {
  return {
    leadUnit,
    coUnits,
    dueDate,
    units: addUnique(doc.units, leadUnit, ...coUnits),
    assignments: [...doc.assignments, { at, kind, leadUnit, coUnits, dueDate }],
  };
}
