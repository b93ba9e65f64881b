import type { Filter, ReadStore } from '@app/read-store';
import type { Paged } from '../proposals/proposals.query.js';
import { AUDIT, type AuditDoc } from './audit.projection.js';

export interface AuditQuery {
  readonly actor?: string;
  readonly unit?: string;
  readonly recorder?: string;
  readonly type?: string;
  readonly subject?: string;
  /** Which clock the time range is on: business time (when it happened) or when it was recorded. */
  readonly time?: 'occurred' | 'recorded';
  readonly from?: string;
  readonly to?: string;
  /** Only steps recorded more than this many whole days after they happened. */
  readonly recordedLaterThanDays?: number;
  readonly page: number;
  readonly pageSize: number;
}

export type AuditEntry = Omit<AuditDoc, 'id' | 'tenant'>;

/** The trail across all proposals and sessions, for supervisors: who did what, who typed it in, when. */
export async function auditTrail(readStore: ReadStore, tenant: string, q: AuditQuery): Promise<Paged<AuditEntry>> {
  const filter: Record<string, Filter[string]> = { tenant };
  if (q.actor) filter.actorId = q.actor;
  if (q.unit) filter.actorUnit = q.unit;
  if (q.recorder) filter.recorderId = q.recorder;
  if (q.type) filter.type = q.type;
  if (q.subject) filter.subject = q.subject;
  if (q.recordedLaterThanDays !== undefined) filter.lagDays = { $gt: q.recordedLaterThanDays };
  if (q.from || q.to) {
    filter[q.time === 'recorded' ? 'recordedAt' : 'occurredAt'] = {
      ...(q.from ? { $gte: q.from } : {}),
      ...(q.to ? { $lt: q.to } : {}),
    };
  }
  const { items, total } = await readStore.find<AuditDoc>(AUDIT, {
    filter,
    sort: [['position', 1]],
    skip: (q.page - 1) * q.pageSize,
    limit: q.pageSize,
  });
  const entries: AuditEntry[] = items.map(({ id: _id, tenant: _tenant, ...entry }) => entry);
  return { items: entries, total, page: q.page, pageSize: q.pageSize };
}
