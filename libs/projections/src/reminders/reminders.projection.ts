import type { Doc, ReadStore } from '@app/read-store';
import { DIRECTORY_EVENT_TYPES, PROPOSAL_EVENT_TYPES, SESSION_EVENT_TYPES, type EventMetadata, type ReminderEvent } from '@app/proposals';
import { defineProjection, docId, ignoreAll } from '../projection.js';

export const REMINDERS = 'reminders';

/**
 * Each reminder sent, as stored (type, data, metadata with its hash), under the proposal it is about: the trail of a
 * proposal shows them beside its own steps, without reading the whole jurisdiction's reminders stream.
 */
export interface ReminderDoc extends Doc {
  readonly tenant: string;
  readonly proposalId: string;
  readonly position: number;
  readonly revision: number;
  readonly type: string;
  readonly data: ReminderEvent['data'];
  readonly metadata: EventMetadata;
}

const key = (tenant: string, position: number) => docId(tenant, String(position).padStart(12, '0'));

export const remindersProjection = defineProjection<ReminderDoc>({
  name: 'reminders@1',
  collection: { name: REMINDERS, fields: { tenant: 'string', proposalId: 'string', position: 'number' }, indexes: [['tenant', 'proposalId', 'position']] },
  keyOf: (e) => key(e.tenant, e.position),
  appendOnly: true,
  handlers: {
    ...ignoreAll(PROPOSAL_EVENT_TYPES),
    ...ignoreAll(SESSION_EVENT_TYPES),
    ...ignoreAll(DIRECTORY_EVENT_TYPES),
    ReminderIssued: (_, e) => ({
      id: key(e.tenant, e.position),
      tenant: e.tenant,
      proposalId: e.event.data.proposalId,
      position: e.position,
      revision: e.revision,
      type: e.storedType,
      data: e.event.data,
      metadata: e.metadata,
    }),
  },
});

/** The reminders sent about one proposal, oldest first. */
export async function remindersAbout(readStore: ReadStore, tenant: string, proposalId: string): Promise<ReminderDoc[]> {
  const { items } = await readStore.find<ReminderDoc>(REMINDERS, { filter: { tenant, proposalId }, sort: [['position', 1]] });
  return items;
}
