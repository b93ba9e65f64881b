import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { verifyTrail } from '@app/command-handling';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@app/event-store';
import type { Principal } from '@app/identity';
import { ProposalsQuery } from '@app/projections';
import { NotFound, proposalStream } from '@app/proposals';
import { CLOCK, type Clock } from '@app/runtime';
import { CurrentPrincipal } from '../http/auth.js';
import { ProposalIdPipe } from '../http/params.js';
import { Answers } from '../openapi/decorators.js';
import { ReadQuery } from '../read/query-dto.js';
import { requireRole } from '../read/roles.js';

/** One proposal's hash chain checked now: what the dashboard shows beside the handling trail. */
export interface StreamVerification {
  readonly id: string;
  readonly stream: string;
  /** Every event's hash matches its content and the chain before it, no revision is missing, none was removed. */
  readonly intact: boolean;
  /** Events in the log. */
  readonly events: number;
  /** The last revision in the log, -1 when it holds none. */
  readonly revision: number;
  /** The last revision the read models saw: a log that ends before it lost its last events. */
  readonly readModelRevision: number | null;
  /** The hash stored with the last event. */
  readonly head: string | null;
  readonly problems: readonly { readonly revision: number; readonly position?: number; readonly problem: string }[];
  readonly verifiedAt: string;
}

/**
 * The chain of one proposal's stream, verified by the same code as `npm run verify` (verify-trail.ts) over that
 * stream alone, with the revision the read models saw to catch removed last events. The chain is unkeyed: whoever
 * can write the data files can recompute it, which only a signed anchor reveals (docs/trail.md). Supervisors who
 * audit the trail only (auditor, office, committee), like the audit query.
 */
@Controller('proposals')
export class StreamVerificationController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ProposalsQuery) private readonly readModel: ProposalsQuery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id/verification')
  @Answers('StreamVerification')
  async verify(@CurrentPrincipal() p: Principal, @Param('id', ProposalIdPipe) id: string, @Query() _: ReadQuery): Promise<StreamVerification> {
    requireRole(p, ['auditor', 'office', 'committee'], 'the verification of a proposal’s trail');
    const stream = proposalStream(p.tenant, id);
    const [events, doc] = await Promise.all([this.store.readStream(stream), this.readModel.get(p.tenant, id)]);
    if (events.length === 0 && !doc) throw new NotFound(`no proposal ${id}`);
    const known = new Map(doc ? [[stream, doc.revision]] : []);
    const report = await verifyTrail(oneStream(events), known);
    const last = events[events.length - 1];
    return {
      id,
      stream,
      intact: report.problems.length === 0,
      events: report.events,
      revision: last?.revision ?? -1,
      readModelRevision: doc?.revision ?? null,
      head: typeof last?.metadata.hash === 'string' ? last.metadata.hash : null,
      problems: report.problems.map(({ revision, position, problem }) => ({ revision, ...(position === undefined ? {} : { position }), problem })),
      verifiedAt: this.clock().toISOString(),
    };
  }
}

/** The events of one stream as a log of their own, for the whole-log verifier: it reads pages and nothing else. */
function oneStream(events: readonly RecordedEvent[]): EventStore {
  const readOnly = (): never => {
    throw new Error('a single stream under verification is read, never written or followed');
  };
  return {
    readAll: async ({ fromPosition = 0, maxCount = Number.POSITIVE_INFINITY } = {}) =>
      events.filter((e) => e.position > fromPosition).slice(0, maxCount),
    readStream: async () => [...events],
    headPosition: async () => events[events.length - 1]?.position ?? 0,
    append: readOnly,
    subscribeToAll: readOnly,
    close: async () => undefined,
  };
}
