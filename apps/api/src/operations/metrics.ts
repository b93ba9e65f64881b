import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandObserver } from '@app/command-handling';
import type { EventStore } from '@app/event-store';
import type { ProjectionStatus } from '@app/projections';
import { DomainError } from '@app/proposals';
import { STATUS_OF_KIND } from '../http/problem.filter.js';

/** What the scrape reads when it happens: the read models' lag and the store's head, the open feeds. */
export interface ScrapeSources {
  readonly projections: () => Promise<readonly ProjectionStatus[]>;
  readonly store: EventStore;
  readonly feedClients: () => number;
}

/**
 * The API's Prometheus metrics, in a registry of its own (not prom-client's global one, so that two apps in one
 * process, as in the specs, do not mix). Labels are bounded: the route's template, never the URL; the command's
 * type; the projection's name.
 */
export class ApiMetrics implements CommandObserver {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'cppcc_http_request_duration_seconds',
    help: 'Time from a request’s arrival to the end of its response (a feed: the whole stream), by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'cppcc_commands_total',
    help: 'Commands by type and outcome: accepted (status 200), refused (the status of the refusal), failed (500)',
    labelNames: ['type', 'outcome', 'status'] as const,
    registers: [this.registry],
  });
  private readonly appends = new Histogram({
    name: 'cppcc_event_append_duration_seconds',
    help: 'Time one command’s append to its stream took in the event store (the commit, with its fsync)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  /** Requests received and not yet answered: the gauge below at a scrape, and the shutdown's drain reports it. */
  inFlight = 0;
  private sources?: ScrapeSources;
  /** One status read per scrape, shared by the gauges that show it. */
  private status?: { readonly at: number; readonly value: Promise<readonly ProjectionStatus[]> };

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const metrics = this;
    // The request count and the in-flight gauge are read at the scrape from what every request updates anyway (the
    // histogram's count, `inFlight`): updating two more metrics per request, each hashing its labels, was ~1 µs of
    // a request's ~40.
    new Counter({
      name: 'cppcc_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const v of (await metrics.httpDuration.get()).values)
          if (v.metricName === 'cppcc_http_request_duration_seconds_count') this.inc(v.labels as Record<'method' | 'route' | 'status', string>, v.value);
      },
    });
    new Gauge({
      name: 'cppcc_http_requests_in_flight',
      help: 'Requests received and not yet answered (an open feed counts until it ends)',
      registers: [this.registry],
      collect() {
        this.set(metrics.inFlight);
      },
    });
    new Gauge({
      name: 'cppcc_feed_clients',
      help: 'Open event feeds (GET /feed, Server-Sent Events)',
      registers: [this.registry],
      collect() {
        this.set(metrics.sources?.feedClients() ?? 0);
      },
    });
    new Gauge({
      name: 'cppcc_event_store_head_position',
      help: 'Position of the newest event in the store',
      registers: [this.registry],
      async collect() {
        const head = await metrics.sources?.store.headPosition().catch(() => undefined);
        if (head === undefined) this.reset();
        else this.set(head);
      },
    });
    const perProjection = (name: string, help: string, value: (s: ProjectionStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const s of await metrics.projectionStatus()) this.set({ projection: s.name }, value(s));
        },
      });
    perProjection('cppcc_projection_position', 'The position each projection has applied up to (its checkpoint)', (s) => s.position);
    perProjection('cppcc_projection_lag_events', 'Events in the log a projection has not applied yet (counted up to 10,000)', (s) => s.eventsBehind);
    perProjection('cppcc_projection_lag_seconds', 'How long the oldest event a projection has not applied has been waiting; 0 when caught up', (s) => s.secondsBehind);
  }

  /** The running app's parts the scrape reads. */
  watch(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** A request arrived; the returned function says it ended (answered, or the connection closed). */
  requestStarted(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
    };
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  commandDone(type: string, error?: unknown): void {
    if (error === undefined) this.commands.inc({ type, outcome: 'accepted', status: '200' });
    else if (error instanceof DomainError) this.commands.inc({ type, outcome: 'refused', status: String(STATUS_OF_KIND[error.kind]) });
    else this.commands.inc({ type, outcome: 'failed', status: '500' });
  }

  appended(seconds: number): void {
    this.appends.observe(seconds);
  }

  /** The Prometheus text exposition, and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly body: string }> {
    this.status = undefined;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async projectionStatus(): Promise<readonly ProjectionStatus[]> {
    if (!this.sources) return [];
    const now = Date.now();
    if (!this.status || now - this.status.at > 1_000) this.status = { at: now, value: this.sources.projections() };
    // A store that cannot be asked leaves the lag out of this scrape rather than failing all of it.
    return this.status.value.catch(() => []);
  }
}
