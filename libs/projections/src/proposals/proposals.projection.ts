import { businessDate, DIRECTORY_EVENT_TYPES, isOpen, readerIdsOf, REMINDER_EVENT_TYPES, SESSION_EVENT_TYPES, statusAfter, type ProposalEventType } from '@app/proposals';
import { defineProjection, docId, ignoreAll, type ProjectedEvent, type ProjectedEventOf } from '../projection.js';
import { mergeNames, namesOf, NO_NAMES, own, type NamesAtTheTime } from '../names.js';
import { LISTED, type PaperRecord, type ProposalDoc } from './proposal-doc.js';

export const PROPOSALS = 'proposals';

const addUnique = <T>(list: readonly T[], ...items: T[]): T[] =>
  items.reduce<T[]>((acc, x) => (acc.includes(x) ? acc : [...acc, x]), [...list]);

/** The bookkeeping every step updates. */
const stamp = (e: ProjectedEvent) => ({ updatedAt: e.metadata.occurredAt, revision: e.revision, position: e.position });

/** `{ [key]: name }` when the step's metadata names the unit or member, nothing on steps from before the directory. */
const nameField = <K extends string>(key: K, name: string | undefined): { [P in K]?: string } =>
  (name === undefined ? {} : { [key]: name }) as { [P in K]?: string };
/** The paper records with this step's, when a clerk typed it in. */
const withPaper = (records: readonly PaperRecord[], e: ProjectedEvent): readonly PaperRecord[] => {
  const { recorder, occurredAt, recordedAt } = e.metadata;
  if (!recorder) return records;
  return [...records, { revision: e.revision, type: e.storedType, at: occurredAt, recordedAt, recorder: { id: recorder.id, ...(recorder.name ? { name: recorder.name } : {}) } }];
};
const unitName = (e: ProjectedEvent, code: string | undefined) => (code === undefined ? undefined : own(namesOf(e.metadata)?.units, code));

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
      // Documents projected before names were kept have none.
      const names = mergeNames(doc.names ?? NO_NAMES, namesOf(e.metadata));
      const paperRecords = withPaper(doc.paperRecords ?? [], e);
      return { ...doc, ...update(doc, e), names, paperRecords, status, open: isOpen(status), ...stamp(e) };
    };

  return defineProjection<ProposalDoc>({
    name: 'proposals@3',
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
      summary: LISTED,
    },
    keyOf: (e) => (e.category === 'proposal' ? docId(e.tenant, e.streamId) : undefined),
    handlers: {
      ...ignoreAll(SESSION_EVENT_TYPES),
      ...ignoreAll(DIRECTORY_EVENT_TYPES),
      ...ignoreAll(REMINDER_EVENT_TYPES),
      ProposalFiled: (_, e) => {
        const { proposalId, session, title, body, category, proposers, invitedCoProposers } = e.event.data;
        const at = e.metadata.occurredAt;
        return {
          id: docId(e.tenant, proposalId),
          tenant: e.tenant,
          proposalId,
          session,
          number: null,
          title,
          body,
          category,
          names: mergeNames(NO_NAMES, namesOf(e.metadata)),
          proposers,
          invitedCoProposers,
          proposerIds: readerIdsOf({ proposers, invitedCoProposers }),
          status: statusAfter(null, e.event),
          open: false,
          filedAt: at,
          registeredAt: null,
          declinedAt: null,
          decline: null,
          withdrawnAt: null,
          withdrawal: null,
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
          paperRecords: withPaper([], e),
          ...stamp(e),
        };
      },
      CoProposerConfirmed: step((doc, e) => {
        const { member, name } = e.event.data;
        const proposers = [...doc.proposers, { id: member, ...(name ? { name } : {}) }];
        const invitedCoProposers = doc.invitedCoProposers.filter((id) => id !== member);
        return { proposers, invitedCoProposers, proposerIds: readerIdsOf({ proposers, invitedCoProposers }) };
      }),
      ProposalWithdrawn: step((_, e) => ({ withdrawnAt: e.metadata.occurredAt, withdrawal: e.event.data })),
      ProposalRegistered: step((_, e) => ({
        number: e.event.data.number,
        registeredAt: e.metadata.occurredAt,
      })),
      ProposalDeclined: step((_, e) => ({
        declinedAt: e.metadata.occurredAt,
        decline: e.event.data,
      })),
      ProposalAssigned: step((doc, e) => assign(doc, e.metadata.occurredAt, 'assigned', e.event.data, namesOf(e.metadata))),
      ProposalReassigned: step((doc, e) => ({
        ...assign(doc, e.metadata.occurredAt, 'reassigned', e.event.data, namesOf(e.metadata)),
        reassignmentRequest: null,
      })),
      ReassignmentRequested: step((_, e) => ({
        reassignmentRequest: { at: e.metadata.occurredAt, ...e.event.data, ...nameField('unitName', unitName(e, e.event.data.unit)) },
      })),
      ProposalClaimed: step((_, e) => {
        const { leader, leaderName } = e.event.data;
        return { claimed: true, claimedAt: e.metadata.occurredAt, claimedBy: { id: leader, ...(leaderName ? { name: leaderName } : {}) } };
      }),
      ProposalVisited: step((doc, e) => {
        const { unit, stage, visitorRank, form } = e.event.data;
        return { visits: [...doc.visits, { at: e.metadata.occurredAt, unit, stage, visitorRank, form, ...nameField('unitName', unitName(e, unit)) }] };
      }),
      CoUnitOpinionSent: step((doc, e) => ({
        coUnitOpinions: [...doc.coUnitOpinions, { at: e.metadata.occurredAt, unit: e.event.data.unit, ...nameField('unitName', unitName(e, e.event.data.unit)) }],
      })),
      ProposalAnswered: step((doc, e) => {
        const at = e.metadata.occurredAt;
        return {
          answers: [...doc.answers, { at, ...e.event.data, dueDate: doc.dueDate ?? '', ...nameField('unitName', unitName(e, e.event.data.unit)) }],
          latestCategory: e.event.data.category,
        };
      }),
      FeedbackGiven: step((doc, e) => {
        const { member, attitude, agreesWithResult } = e.event.data;
        const memberName = own(namesOf(e.metadata)?.members, member);
        return { feedback: [...doc.feedback, { at: e.metadata.occurredAt, member, attitude, agreesWithResult, ...nameField('memberName', memberName) }] };
      }),
      ProposalRenegotiated: step((doc, e) => {
        const { dueDate } = e.event.data;
        // The units stay as the last assignment named them: a re-negotiation names no unit of its own.
        const { leadUnitName, coUnitNames } = doc.assignments[doc.assignments.length - 1] ?? {};
        const renegotiated = {
          at: e.metadata.occurredAt,
          kind: 'renegotiated' as const,
          leadUnit: doc.leadUnit ?? '',
          coUnits: doc.coUnits,
          dueDate,
          ...(leadUnitName !== undefined ? { leadUnitName } : {}),
          ...(coUnitNames !== undefined ? { coUnitNames } : {}),
        };
        return { dueDate, assignments: [...doc.assignments, renegotiated] };
      }),
      ProposalFollowedUp: step((doc, e) => {
        const at = e.metadata.occurredAt;
        const year = Number(businessDate(at, utcOffsetMinutes).slice(0, 4));
        return {
          followUps: [...doc.followUps, { at, ...e.event.data, ...nameField('unitName', unitName(e, e.event.data.unit)) }],
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
      ProposalEscalated: step((doc, e) => ({ escalations: [...(doc.escalations ?? []), { at: e.metadata.occurredAt, ...e.event.data }] })),
    },
  });
}

function assign(
  doc: ProposalDoc,
  at: string,
  kind: 'assigned' | 'reassigned',
  { leadUnit, coUnits, dueDate }: { leadUnit: string; coUnits: string[]; dueDate: string },
  names: NamesAtTheTime | undefined,
): Partial<ProposalDoc> {
  const named = names ? { leadUnitName: own(names.units, leadUnit) ?? leadUnit, coUnitNames: coUnits.map((c) => own(names.units, c) ?? c) } : {};
  return {
    leadUnit,
    coUnits,
    dueDate,
    units: addUnique(doc.units, leadUnit, ...coUnits),
    assignments: [...doc.assignments, { at, kind, leadUnit, coUnits, dueDate, ...named }],
  };
}
