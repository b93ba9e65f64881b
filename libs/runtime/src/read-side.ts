import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, readStoreFile, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { MongoReadStore, READ_STORE, SqliteReadStore, type ReadStore } from '@app/read-store';
import {
  auditProjection,
  projectedUpTo,
  projectionStatus,
  ProjectionRunner,
  proposalsProjection,
  readiness,
  remindersProjection,
  sessionsProjection,
  todoProjection,
  type Projection,
  type ProjectionStatus,
  type Readiness,
  type RetryNotice,
} from '@app/projections';
import { CLOCK, type Clock } from './tokens.js';

export const PROJECTIONS = Symbol('Projections');

/** Every read model of the application, in one list: the runner, rebuild and status all use it. */
export function allProjections(config: AppConfig): Projection[] {
  return [proposalsProjection(config.utcOffsetMinutes), sessionsProjection, auditProjection, todoProjection, remindersProjection] as Projection[];
}

export function openReadStore(config: AppConfig): ReadStore {
  switch (config.readStore) {
    case 'sqlite':
      // Read models are derived and rebuildable, and each batch commits with its checkpoint: a batch lost to a power
      // cut is simply projected again. They need no sync to disk at every commit.
      return new SqliteReadStore({ path: readStoreFile(config), synchronous: 'normal' });
    case 'mongodb':
      // loadConfig guarantees the URL whenever READ_STORE=mongodb; the first use checks it is a replica set.
      return MongoReadStore.fromUrl(config.mongodbUrl as string);
  }
}

/**
 * Runs the projections inside this process when configured to (the embedded default), and answers how far the
 * read models are: in-process from the runner, otherwise from the stored checkpoints (apps/projector runs them).
 * The runner waits out a busy or unreachable store by itself; what is logged here is for the operator: each retry
 * as a warning, the recovery, and a stop (a failure retrying would not cure) as an error.
 */
@Injectable()
export class ReadModels implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  readonly runner?: ProjectionRunner;
  /**
   * Settles with the error when the in-process projections stop on a failure that retrying would not cure; never
   * for a busy or unreachable store, which the runner waits out. Never settles without a runner.
   */
  readonly stopped: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) readonly readStore: ReadStore,
    @Inject(PROJECTIONS) readonly projections: readonly Projection[],
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    if (config.inProcessProjections) this.runner = new ProjectionRunner(store, readStore, projections, { clock });
    const runner = this.runner;
    this.stopped = new Promise((resolve) => runner?.once('stopped', resolve));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.readStore.ensure(this.projections.map((p) => p.collection));
    if (!this.runner) return;
    this.runner.on('retry', ({ attempt, delayMs, error }: RetryNotice) =>
      this.logger.warn(`projections paused after ${String(error)} (${attempt} in a row); following again from the checkpoints in ${delayMs} ms`),
    );
    this.runner.on('recovered', ({ attempts }: { attempts: number }) => this.logger.log(`projections resumed after ${attempts} failed attempts`));
    this.runner.on('stopped', (error: unknown) =>
      this.logger.error(`projections stopped, retrying would not help: ${String(error)}`, (error as Error)?.stack),
    );
    await this.runner.start();
  }

  /** Before the stores close: finish the batch in hand and store its checkpoint. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }

  /** Resolves true once every read model has every event up to `position`; false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.runner) return this.runner.waitFor(position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoints = await this.readStore.checkpoints();
      if (await projectedUpTo(this.store, Math.min(...this.projections.map((p) => checkpoints.get(p.name) ?? 0)), position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Whether the projections run in this process and have not stopped on an error. */
  running(): boolean {
    return this.runner !== undefined && !this.runner.failed();
  }

  async status(): Promise<ProjectionStatus[]> {
    return projectionStatus(this.store, await this.readStore.checkpoints(), this.projections, this.clock);
  }

  /**
   * Whether queries may be sent here (GET /ready): no projection stopped, none lagging more than
   * READY_MAX_LAG_SECONDS. In-process from the runner's own checkpoints and health; with the projections in a
   * process of their own, from the stored checkpoints (a stopped projector exits and is restarted: lag shows it).
   */
  async readiness(): Promise<Readiness> {
    const checkpoints = this.runner ? this.runner.checkpoints() : await this.readStore.checkpoints();
    return readiness(this.store, checkpoints, this.projections, {
      maxLagSeconds: this.config.readyMaxLagSeconds,
      clock: this.clock,
      runner: this.runner?.health(),
    });
  }
}
