import type { CommandBus } from '@nestjs/cqrs';
import { ExecuteDirectoryCommand, ExecuteProposalCommand, ExecuteSessionCommand, type CommandRequest, type CommandResult } from '@app/command-handling';
import type { EventStore } from '@app/event-store';
import { type Actor, type DirectoryCommand, type ProposalCommand, proposalStream, type SessionCommand } from '@app/proposals';
import type { Scenario, Step } from './scenario.js';

/** The clerk (录入员) who types the paper records of the demo sessions in. */
export const DEMO_CLERK: Actor = { id: 'clerk-demo', role: 'clerk', name: '演示录入员' };

export interface ReplayCounts {
  readonly session: string;
  readonly steps: number;
  /** Steps that appended events now. */
  readonly appended: number;
  /** Steps recorded by an earlier run (same Idempotency-Key): nothing appended. */
  readonly alreadyRecorded: number;
  /** Follow-ups of earlier sessions' proposals that are not in the store (that session was not replayed). */
  readonly skipped: number;
  readonly skippedSessions: readonly string[];
  readonly milliseconds: number;
}

/**
 * Sends every step of a scenario through the command bus, in business-time order, as the clerk's paper record on
 * behalf of whoever took the step: the same path, rules and checks as a clerk's request over HTTP.
 */
export async function replayScenario(
  bus: CommandBus,
  store: EventStore,
  scenario: Scenario,
  tenant: string,
  clerk: Actor = DEMO_CLERK,
  onStep: (done: number) => void = () => undefined,
): Promise<ReplayCounts> {
  const started = performance.now();
  const head = await store.headPosition();
  const present = new Map<string, boolean>();
  let appended = 0;
  let alreadyRecorded = 0;
  const skippedSessions = new Set<string>();
  let skipped = 0;
  for (const step of scenario.steps) {
    if (step.earlierSession && !(await exists(store, present, proposalStream(tenant, step.target.id)))) {
      skipped++;
      skippedSessions.add(step.earlierSession);
      continue;
    }
    const result = await execute(bus, tenant, clerk, step);
    if (result.position > head) appended++;
    else alreadyRecorded++;
    onStep(appended + alreadyRecorded + skipped);
  }
  return {
    session: scenario.plan.session,
    steps: scenario.steps.length,
    appended,
    alreadyRecorded,
    skipped,
    skippedSessions: [...skippedSessions],
    milliseconds: performance.now() - started,
  };
}

async function exists(store: EventStore, known: Map<string, boolean>, stream: string): Promise<boolean> {
  let found = known.get(stream);
  if (found === undefined) {
    found = (await store.readStream(stream, { maxCount: 1 })).length > 0;
    known.set(stream, found);
  }
  return found;
}

async function execute(bus: CommandBus, tenant: string, clerk: Actor, step: Step): Promise<CommandResult> {
  const base = { tenant, caller: clerk, onBehalfOf: step.actor, occurredAt: step.at, idempotencyKey: step.key };
  try {
    if (step.target.kind === 'session') {
      const request: CommandRequest<SessionCommand> = { ...base, command: step.target.command };
      return await bus.execute(new ExecuteSessionCommand(step.target.id, request));
    }
    if (step.target.kind === 'directory') {
      const request: CommandRequest<DirectoryCommand> = { ...base, command: step.target.command };
      return await bus.execute(new ExecuteDirectoryCommand(request));
    }
    const request: CommandRequest<ProposalCommand> = { ...base, command: step.target.command };
    return await bus.execute(new ExecuteProposalCommand(step.target.id, request));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`step ${step.key} (${step.target.command.type} at ${step.at}) was refused: ${reason}`, { cause: error });
  }
}
