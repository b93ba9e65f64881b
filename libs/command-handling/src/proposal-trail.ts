import type { EventStore } from '@app/event-store';
import { canReadProposal, Forbidden, NotFound, type Actor, type ProposalState } from '@app/proposals';
import type { CommandProcessor } from './command-processor.js';
import type { EventMetadata } from '@app/proposals';
import { proposalStream } from '@app/proposals';

export interface ProposalView extends ProposalState {
  readonly revision: number;
}

/** One step of the handling trail as supervisors read it. */
export interface TrailEntry {
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly actor: Actor;
  readonly recorder?: Actor;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

/** Reads of one proposal straight from its stream, for those allowed to see it. */
export class ProposalTrail {
  constructor(
    private readonly processor: CommandProcessor,
    private readonly store: EventStore,
  ) {}

  async state(tenant: string, reader: Actor, id: string): Promise<ProposalView> {
    const folded = await this.processor.proposals.load(proposalStream(tenant, id), { fresh: true });
    if (folded.state === null || folded.revision === 'no_stream') throw new NotFound(`no proposal ${id}`);
    if (!canReadProposal(reader, folded.state)) throw new Forbidden(`proposal ${id} is not one you take part in`);
    return { ...folded.state, revision: folded.revision };
  }

  async history(tenant: string, reader: Actor, id: string): Promise<TrailEntry[]> {
    await this.state(tenant, reader, id);
    const events = await this.store.readStream(proposalStream(tenant, id));
    return events.map((e) => {
      const m = e.metadata as unknown as EventMetadata;
      return {
        revision: e.revision,
        position: e.position,
        type: e.type,
        data: e.data,
        actor: m.actor,
        ...(m.recorder ? { recorder: m.recorder } : {}),
        occurredAt: m.occurredAt,
        recordedAt: m.recordedAt,
        commandId: m.commandId,
        correlationId: m.correlationId,
        causationId: m.causationId,
      };
    });
  }
}
