import type { EventStore } from '@app/event-store';
import { PROJECTED_STREAMS } from './batch-applier.js';
import type { Projection } from './projection.js';

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly headPosition: number;
  /** Events in the log after the checkpoint (counted up to 10,000). */
  readonly eventsBehind: number;
  /** How long the oldest event not yet projected has been waiting, 0 when caught up. */
  readonly secondsBehind: number;
}

/**
 * Whether the read models hold every event up to `position`, given their lowest checkpoint. A checkpoint is the
 * last event the projections read, and they read only the projected streams: an event of another stream (a trail
 * anchor, say) never becomes anyone's checkpoint. So `position` is reached once the log holds it and no projected
 * event lies between the checkpoint and it. One indexed read of at most one event.
 */
export async function projectedUpTo(store: EventStore, checkpoint: number, position: number): Promise<boolean> {
  if (checkpoint >= position) return true;
  if ((await store.headPosition()) < position) return false;
  const [next] = await store.readAll({ fromPosition: checkpoint, maxCount: 1, filter: PROJECTED_STREAMS });
  return next === undefined || next.position > position;
}

/** The detailed status `GET /projections` shows: reads up to 10,000 events per projection, so not for probes. */
export async function projectionStatus(
  store: EventStore,
  checkpoints: Map<string, number>,
  projections: readonly Projection[],
  clock: () => Date = () => new Date(),
): Promise<ProjectionStatus[]> {
  const headPosition = await store.headPosition();
  return Promise.all(
    projections.map(async (p) => {
      const position = checkpoints.get(p.name) ?? 0;
      if (position >= headPosition) return { name: p.name, position, headPosition, eventsBehind: 0, secondsBehind: 0 };
      const behind = await store.readAll({ fromPosition: position, maxCount: 10_000, filter: PROJECTED_STREAMS });
      const waiting = behind.length ? (clock().getTime() - Date.parse(behind[0].created)) / 1000 : 0;
      return { name: p.name, position, headPosition, eventsBehind: behind.length, secondsBehind: Math.max(0, Math.round(waiting)) };
    }),
  );
}

/** What an in-process runner knows about itself beyond its checkpoints. */
export interface RunnerHealth {
  /** It stopped on an error that waiting would not cure: which projections it names, where, and the error. */
  readonly stopped?: { readonly projections: readonly string[]; readonly position: number; readonly error: string };
  /** It is waiting out a transient error (a lock, a lost connection): since when, how often it failed in a row. */
  readonly retrying?: { readonly attempts: number; readonly since: string; readonly error: string };
}

export interface ProjectionReadiness {
  readonly name: string;
  readonly position: number;
  /** How long the oldest event it has not projected yet has been waiting (one decimal), 0 when caught up. */
  readonly secondsBehind: number;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not: the projection that stopped and its error, or the one lagging most and by how much. */
  readonly cause?: string;
  readonly maxLagSeconds: number;
  readonly projections: readonly ProjectionReadiness[];
}

/**
 * Whether the read models are fit to serve: no projection stopped, none further behind the log than
 * `maxLagSeconds`. Cheap enough for a probe: one indexed read of a single event per distinct checkpoint.
 */
export async function readiness(
  store: EventStore,
  checkpoints: ReadonlyMap<string, number>,
  projections: readonly Projection[],
  options: { readonly maxLagSeconds: number; readonly clock?: () => Date; readonly runner?: RunnerHealth },
): Promise<Readiness> {
  const now = (options.clock ?? (() => new Date()))().getTime();
  const waitingSince = new Map<number, Promise<number | undefined>>();
  const oldestWaiting = (position: number) => {
    let found = waitingSince.get(position);
    if (!found) {
      found = store.readAll({ fromPosition: position, maxCount: 1, filter: PROJECTED_STREAMS }).then((e) => (e.length ? Date.parse(e[0].created) : undefined));
      waitingSince.set(position, found);
    }
    return found;
  };
  const lags = await Promise.all(
    projections.map(async (p) => {
      const position = checkpoints.get(p.name) ?? 0;
      const since = await oldestWaiting(position);
      return { name: p.name, position, lag: since === undefined ? 0 : Math.max(0, (now - since) / 1000) };
    }),
  );
  const report = lags.map(({ name, position, lag }) => ({ name, position, secondsBehind: Math.round(lag * 10) / 10 }));
  const base = { maxLagSeconds: options.maxLagSeconds, projections: report };
  const stopped = options.runner?.stopped;
  if (stopped) {
    const which = `${stopped.projections.length === 1 ? 'projection' : 'projections'} ${stopped.projections.join(', ')}`;
    return { ...base, ready: false, cause: `${which} stopped at position ${stopped.position}: ${stopped.error}` };
  }
  const worst = lags.reduce((a, b) => (b.lag > a.lag ? b : a), { name: '', position: 0, lag: 0 });
  if (worst.lag > options.maxLagSeconds) {
    const retrying = options.runner?.retrying;
    const why = retrying ? `; retrying since ${retrying.since} (${retrying.attempts} failed attempts in a row): ${retrying.error}` : '';
    const cause = `projection ${worst.name} lags ${Math.round(worst.lag * 10) / 10} s behind the event log (at position ${worst.position}; more than READY_MAX_LAG_SECONDS=${options.maxLagSeconds})${why}`;
    return { ...base, ready: false, cause };
  }
  return { ...base, ready: true };
}
