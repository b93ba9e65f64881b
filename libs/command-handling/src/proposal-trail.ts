import type { EventStore, RecordedEvent } from '@app/event-store';
import { canReadProposal, Forbidden, NotFound, proposalStream, type Actor, type ProposalState } from '@app/proposals';
import type { CommandProcessor } from './command-processor.js';

export interface ProposalView extends ProposalState {
  readonly revision: number;
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

  /** The proposal and every stored event of its stream, as stored (with metadata and hash), for a reader allowed to see it. */
  async history(tenant: string, reader: Actor, id: string): Promise<{ proposal: ProposalView; events: RecordedEvent[] }> {
    const proposal = await this.state(tenant, reader, id);
    return { proposal, events: await this.store.readStream(proposalStream(tenant, id)) };
  }
}
