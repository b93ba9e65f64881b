import type { Doc } from '@app/read-store';
import { DIRECTORY_EVENT_TYPES, PROPOSAL_EVENT_TYPES, REMINDER_EVENT_TYPES } from '@app/proposals';
import { defineProjection, docId, IGNORED, ignoreAll } from '../projection.js';

export const SESSIONS = 'sessions';

export interface SessionDoc extends Doc {
  readonly tenant: string;
  readonly session: string;
  readonly name: string;
  readonly year: number;
  readonly answerLimitDays: number;
  readonly openedAt: string;
  /** Supervision visits to handling units (督办走访), in business time. */
  readonly supervisionVisits: readonly { readonly at: string; readonly unit: string; readonly note?: string; readonly by: string }[];
}

export const sessionsProjection = defineProjection<SessionDoc>({
  name: 'sessions@1',
  collection: { name: SESSIONS, fields: { tenant: 'string', session: 'string', year: 'number' }, indexes: [['tenant', 'year']] },
  keyOf: (e) => (e.category === 'session' ? docId(e.tenant, e.streamId) : undefined),
  handlers: {
    ...ignoreAll(PROPOSAL_EVENT_TYPES),
    ...ignoreAll(DIRECTORY_EVENT_TYPES),
    ...ignoreAll(REMINDER_EVENT_TYPES),
    ProposalNumberReserved: IGNORED,
    SessionOpened: (_, e) => {
      const { sessionId, name, year, answerLimitDays } = e.event.data;
      return {
        id: docId(e.tenant, sessionId),
        tenant: e.tenant,
        session: sessionId,
        name,
        year,
        answerLimitDays,
        openedAt: e.metadata.occurredAt,
        supervisionVisits: [],
      };
    },
    SupervisionVisitRecorded: (doc, e) =>
      doc && {
        ...doc,
        supervisionVisits: [
          ...doc.supervisionVisits,
          { at: e.metadata.occurredAt, unit: e.event.data.unit, ...(e.event.data.note ? { note: e.event.data.note } : {}), by: e.metadata.actor.id },
        ],
      },
  },
});
