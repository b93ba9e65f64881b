import type { KeyObject } from 'node:crypto';
import type { EventStore } from '@app/event-store';
import { anchorRefusal, makeAnchors } from './anchor.js';
import { latestAnchor, recordAnchor, type RecordedAnchor } from './anchor-log.js';

export interface AnchorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AnchorRecorderOptions {
  readonly store: EventStore;
  readonly key: KeyObject;
  /** What records, kept with each anchor: `api` or `projector`. */
  readonly by: string;
  /** The jurisdiction whose newest anchor says when the next daily one is due (every jurisdiction is anchored). */
  readonly defaultTenant: string;
  readonly logger: AnchorLogger;
  readonly clock?: () => Date;
  readonly intervalMs?: number;
}

export const DAY_MS = 86_400_000;
/** A restart just before the day is over does not record a second anchor on the same day. */
const SLACK_MS = 3_600_000;

/**
 * Records an anchor of every jurisdiction once a day, in the one process that runs the projections (the API in the
 * embedded default, the projector when they run apart). On start it records at once unless the newest anchor is
 * less than a day old (then it waits until it is); a jurisdiction whose trail has not moved since its newest
 * anchor gets none. A refused anchor (a broken chain, a log that no longer matches the previous anchor) is logged
 * as an error each day until someone looks.
 */
export class AnchorRecorder {
  private timer?: NodeJS.Timeout;
  private current: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly tenants = new Set<string>();
  private readonly clock: () => Date;
  private readonly intervalMs: number;

  constructor(private readonly options: AnchorRecorderOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.intervalMs = options.intervalMs ?? DAY_MS;
    this.tenants.add(options.defaultTenant);
  }

  start(): void {
    this.current = this.firstCheck().catch((error: unknown) => this.failed(error));
  }

  /** Resolves when the run in hand (if any) is over: for tests and shutdown. */
  async idle(): Promise<void> {
    await this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private async firstCheck(): Promise<void> {
    const newest = await this.genuineLatest(this.options.defaultTenant);
    const age = newest ? this.clock().getTime() - Date.parse(newest.statement.time) : Number.POSITIVE_INFINITY;
    if (age >= this.intervalMs - SLACK_MS) await this.run();
    else this.schedule(this.intervalMs - age);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.run();
    }, Math.max(0, delayMs));
    // A pending anchor never keeps a process alive that is otherwise done.
    this.timer.unref();
  }

  /** Anchors every jurisdiction now, recording those whose trail moved; then schedules the next run. */
  async run(): Promise<RecordedAnchor[]> {
    const recorded: RecordedAnchor[] = [];
    try {
      const { store, key, by, logger } = this.options;
      // Small pages: the walk gives the event loop a turn after each, so a serving API stalls for a page at most.
      const outcomes = await makeAnchors(store, { key, clock: this.clock, previous: (t) => latestAnchor(store, t), expectedTenants: [...this.tenants], pageSize: 500 });
      for (const outcome of outcomes) {
        this.tenants.add(outcome.tenant);
        if ('refused' in outcome) {
          logger.error(`no anchor recorded for ${outcome.tenant}: ${outcome.refused.message}`);
          continue;
        }
        const { statement } = outcome.anchor;
        const newest = await this.genuineLatest(outcome.tenant);
        if (newest && newest.statement.root === statement.root && newest.statement.events === statement.events) continue;
        recorded.push(await recordAnchor(store, outcome.anchor, by, this.clock()));
        logger.log(`anchor recorded for ${statement.tenant}: position ${statement.position}, ${statement.events} events in ${statement.streams} streams, root ${statement.root}`);
      }
    } catch (error) {
      this.failed(error);
    } finally {
      this.schedule(this.intervalMs);
    }
    return recorded;
  }

  /** The newest recorded anchor, if this key signed it: an event someone slipped into the stream delays nothing. */
  private async genuineLatest(tenant: string): Promise<RecordedAnchor | undefined> {
    const newest = await latestAnchor(this.options.store, tenant);
    return newest && anchorRefusal(newest, this.options.key) === undefined ? newest : undefined;
  }

  private failed(error: unknown): void {
    this.options.logger.error(`recording the trail's anchors failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The recorder for a long-running process, or none (with the one warning) when no signing key is configured.
 */
export function anchorRecorderFor(
  config: { readonly trailSigningKey?: KeyObject; readonly defaultTenant: string },
  store: EventStore,
  by: string,
  logger: AnchorLogger,
  clock?: () => Date,
): AnchorRecorder | undefined {
  if (!config.trailSigningKey) {
    logger.warn('TRAIL_SIGNING_KEY is not set: no anchors of the trail are recorded (docs/trail.md; `npm run -s anchor -- --new-key` makes a key)');
    return undefined;
  }
  return new AnchorRecorder({ store, key: config.trailSigningKey, by, defaultTenant: config.defaultTenant, logger, clock });
}
