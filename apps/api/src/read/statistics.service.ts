import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { ReadModels } from '@app/runtime';
import { sessionStatistics, statisticsSourcesFromReadModels, type SessionStatistics } from '@app/reporting';
import { sessionProgress, type SessionProgress } from './progress.js';

/** At most this many sessions in one year-over-year request: three committees' terms of five sessions, and some. */
export const MAX_YEAR_OVER_YEAR_SESSIONS = 20;
/** Computed figures kept: one per (jurisdiction, session, as-of date) recently asked for. */
const CACHED_FIGURES = 256;

interface Cached {
  /** The read models' position the figures were computed at: they stay valid until the read models move. */
  readonly position: number;
  readonly figures: Promise<unknown>;
}

/**
 * The report's figures for the API, and the overview's progress through the year from the same facts. Figures
 * depend only on the read models, so they are computed once per read-model position and served again until the
 * next event is projected; concurrent requests for the same figures share one computation. The cache is bounded, and each computation yields the event loop before it
 * starts, so that many sessions in one request do not hold it for their sum.
 */
@Injectable()
export class StatisticsService {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readModels: ReadModels,
  ) {}

  session(tenant: string, session: string, asOf?: string): Promise<SessionStatistics> {
    return this.cached(`figures\u0000${tenant}\u0000${session}\u0000${asOf ?? ''}`, () => this.compute(tenant, session, asOf));
  }

  /** Filed, assigned, answered and published by week (progress.ts), cached like the figures. */
  progress(tenant: string, session: string, asOf?: string): Promise<SessionProgress> {
    return this.cached(`progress\u0000${tenant}\u0000${session}\u0000${asOf ?? ''}`, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const { session: doc, proposals } = await statisticsSourcesFromReadModels(this.readStore, tenant, session);
      return sessionProgress({ session: doc, proposals, asOf, utcOffsetMinutes: this.config.utcOffsetMinutes });
    });
  }

  private async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const position = await this.position();
    const hit = this.cache.get(key);
    if (hit && hit.position === position) return hit.figures as Promise<T>;
    const figures = compute();
    this.remember(key, { position, figures });
    // A refusal (no such session) is not kept: the session may be opened the next moment.
    figures.catch(() => this.cache.get(key)?.figures === figures && this.cache.delete(key));
    return figures;
  }

  private async compute(tenant: string, session: string, asOf?: string): Promise<SessionStatistics> {
    await new Promise((resolve) => setImmediate(resolve));
    const sources = await statisticsSourcesFromReadModels(this.readStore, tenant, session);
    return sessionStatistics({ ...sources, asOf, utcOffsetMinutes: this.config.utcOffsetMinutes });
  }

  /** Every read model has every event up to here. */
  private async position(): Promise<number> {
    const { runner, projections } = this.readModels;
    if (runner) return runner.position();
    const checkpoints = await this.readStore.checkpoints();
    return Math.min(...projections.map((p) => checkpoints.get(p.name) ?? 0));
  }

  private remember(key: string, entry: Cached): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > CACHED_FIGURES) this.cache.delete(this.cache.keys().next().value as string);
  }
}
