import { pagesOf, type EventFilter, type EventStore } from '@app/event-store';
import { eventCodec, endOfBusinessDay, NotFound, type DeclineReason, type VisitStage } from '@app/proposals';
import { sessionStatistics, STATISTICS_DEFINITIONS, type SessionStatistics, type StatisticsInput } from '../statistics.js';
import { statisticsSourcesFromEvents } from '../statistics-sources.js';

/**
 * What the annual handling report says, gathered by the reporting job from the event log at one position: the
 * session's figures and the previous session's (as of the same date, as year over year compares them), a few
 * counts the report's text names beside the figures (visits by stage, declines by reason, assignments), and where
 * the figures come from — the log position, and the anchor that signs the log there — so that an auditor can
 * recompute every figure.
 */

/** A signed anchor of the trail (docs/trail.md), as the report cites it; the reporting lib does not make anchors. */
export interface AnchorReference {
  readonly statement: {
    readonly format: string;
    readonly tenant: string;
    readonly position: number;
    readonly events: number;
    readonly streams: number;
    readonly root: string;
    readonly time: string;
    readonly key: string;
  };
  readonly signature: string;
  /** Where it is recorded: the stream `anchor-<tenant>`, its revision there, and what recorded it. */
  readonly recorded?: { readonly stream: string; readonly revision: number; readonly by: string; readonly at: string };
}

export interface ReportProvenance {
  /** Every event up to and including this position of the log, and none after. */
  readonly position: number;
  /** The anchor of the log at that position or, when none is, the latest one before it; null: none recorded. */
  readonly anchor: AnchorReference | null;
  /** Why there is no anchor, or how it relates to the position, in words (Chinese). */
  readonly anchorNote: string;
  readonly generatedAt: string;
  /** What generated the report: `npm run report`, `GET /sessions/6-3/report.docx`. */
  readonly generatedBy: string;
  readonly utcOffsetMinutes: number;
  readonly definitions: string;
}

/** Counts the report's text names that are not figures of the statistics: the same proposals, the same cut-off. */
export interface SessionDetails {
  /** Visits made on registered proposals, by stage (办前拜访, 办中走访, 办后回访). */
  readonly visits: Readonly<Record<VisitStage, number>>;
  readonly declinedBy: Readonly<Record<DeclineReason, number>>;
  /** Registered proposals assigned to a unit. */
  readonly assigned: number;
}

export interface AnnualReportData {
  readonly tenant: string;
  readonly current: SessionStatistics;
  readonly currentDetails: SessionDetails;
  /** The session before (the latest one of an earlier year), as of the same date; null for the first. */
  readonly previous: SessionStatistics | null;
  readonly previousDetails: SessionDetails | null;
  readonly provenance: ReportProvenance;
}

export function sessionDetails(input: StatisticsInput): SessionDetails {
  const cutoff = input.asOf ? new Date(endOfBusinessDay(input.asOf, input.utcOffsetMinutes)).toISOString() : '\uffff';
  const before = (at: string | null) => at !== null && at < cutoff;
  const filed = input.proposals.filter((p) => before(p.filedAt));
  const registered = filed.filter((p) => before(p.registeredAt));
  const visits: Record<VisitStage, number> = { before: 0, during: 0, after: 0 };
  const declinedBy: Record<DeclineReason, number> = { merged: 0, opinion: 0, 'out-of-scope': 0 };
  let assigned = 0;
  for (const p of filed) if (before(p.declinedAt) && p.decline) declinedBy[p.decline.reason]++;
  for (const p of registered) {
    for (const v of p.visits) if (v.at < cutoff) visits[v.stage]++;
    if (p.assignments.some((a) => a.at < cutoff)) assigned++;
  }
  return { visits, declinedBy, assigned };
}

export interface SessionInLog {
  readonly session: string;
  readonly name: string;
  readonly year: number;
}

/** The jurisdiction's sessions as the log opened them, up to a position. */
export async function sessionsInLog(store: EventStore, tenant: string, atPosition: number): Promise<SessionInLog[]> {
  const found: SessionInLog[] = [];
  // The jurisdiction's openings by their metadata (REPORTING_FIELD_INDEXES), not a pass over the whole log.
  const filter: EventFilter = {
    streamPrefixes: [`session-${tenant}:`],
    eventTypes: eventCodec.storedTypesOf('SessionOpened'),
    fieldRange: { field: 'metadata.tenant', from: tenant, to: tenant },
  };
  pages: for await (const page of pagesOf(store, { maxCount: 1_000, filter })) {
    for (const e of page) {
      if (e.position > atPosition) break pages;
      const event = eventCodec.decode(e.type, e.data);
      if (event?.type === 'SessionOpened') found.push({ session: event.data.sessionId, name: event.data.name, year: event.data.year });
    }
  }
  return found;
}

const sessionOrder = (a: SessionInLog, b: SessionInLog): number =>
  a.year - b.year || a.session.localeCompare(b.session, 'en', { numeric: true });

/** The session a report compares with: the latest one of an earlier year (6-2 for 6-3), if any. */
export function previousSession(sessions: readonly SessionInLog[], current: SessionInLog): SessionInLog | null {
  const earlier = sessions.filter((s) => s.year < current.year).sort(sessionOrder);
  return earlier[earlier.length - 1] ?? null;
}

export interface AnnualReportOptions {
  readonly asOf?: string;
  /** The log position to compute at: an anchor's, or the head when there is none. */
  readonly atPosition: number;
  readonly utcOffsetMinutes: number;
  readonly anchor: AnchorReference | null;
  readonly anchorNote: string;
  readonly generatedBy: string;
  readonly now?: () => Date;
}

/** The annual report's content, from the event log as it was at `atPosition`. */
export async function annualReportData(store: EventStore, tenant: string, session: string, options: AnnualReportOptions): Promise<AnnualReportData> {
  const { asOf, atPosition, utcOffsetMinutes } = options;
  const sessions = await sessionsInLog(store, tenant, atPosition);
  const current = sessions.find((s) => s.session === session);
  if (!current) throw new NotFound(`no session ${session}`);
  const previous = previousSession(sessions, current);
  const ids = previous ? [previous.session, session] : [session];
  const sources = await statisticsSourcesFromEvents(store, tenant, ids, utcOffsetMinutes, eventCodec, 10_000, atPosition);
  const inputOf = (id: string): StatisticsInput => ({ ...(sources.get(id) as Omit<StatisticsInput, 'asOf' | 'utcOffsetMinutes'>), asOf, utcOffsetMinutes });
  return {
    tenant,
    current: sessionStatistics(inputOf(session)),
    currentDetails: sessionDetails(inputOf(session)),
    previous: previous ? sessionStatistics(inputOf(previous.session)) : null,
    previousDetails: previous ? sessionDetails(inputOf(previous.session)) : null,
    provenance: {
      position: atPosition,
      anchor: options.anchor,
      anchorNote: options.anchorNote,
      generatedAt: (options.now ?? (() => new Date()))().toISOString(),
      generatedBy: options.generatedBy,
      utcOffsetMinutes,
      definitions: STATISTICS_DEFINITIONS,
    },
  };
}
