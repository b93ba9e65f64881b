import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import {
  annualReportData,
  annualReportDocx,
  annualReportFilename,
  answersCompilationDocx,
  answersCompilationFilename,
  compiledAnswers,
  auditTrailTable,
  csvStream,
  dueSoonTable,
  DUE_SOON_DAYS,
  everyAuditEntry,
  everyProposal,
  formatReport,
  overdueTable,
  proposalListTable,
  READ_TABLES,
  tableFilters,
  TableFilterError,
  unitRecords,
  unitRecordsTable,
  sessionStatistics,
  statisticsSourcesFromEvents,
  statisticsTable,
  xlsxStream,
  yearOverYear,
  yearOverYearTable,
  type AnchorReference,
  type AuditFilters,
  type Headers,
  type ProposalFilters,
  type ReadTable,
  type Table,
} from '@app/reporting';
import {
  businessDate,
  directoryStream,
  EMPTY_DIRECTORY,
  eventCodec,
  evolveDirectory,
  isCalendarDate,
  isDirectoryEvent,
  SESSION_ID,
  type Actor,
  type DirectoryState,
} from '@app/proposals';
import type { AppConfig } from '@app/config';
import type { EventStore } from '@app/event-store';
import type { ReadStore } from '@app/read-store';
import { projectionStatus, ProposalsQuery, type Projection } from '@app/projections';
import { anchorStream, StreamRepository, type RecordedAnchor } from '@app/command-handling';
import { withStores } from './stores.js';
import { anchorNow, summary } from './anchor.command.js';
import { collect, declareCommand, parseCommandLine, UsageError } from './command-line.js';

/** `npm run report`: its command line, declared once (the program's help and parsing, and reportCommand's). */
export const reportCommandLine = (): Command =>
  declareCommand(
    'report',
    'the handling report, computed from the event log',
    [
      "Computes the handling report straight from the event log (not the read models). With TRAIL_SIGNING_KEY set it first records an anchor of the log (docs/trail.md; exit 1 if the trail could not be anchored) and computes every figure at the anchor's position, so that the anchor signs exactly the log the figures come from.",
      'table and json print the figures on stdout (several sessions: side by side, with changes); csv and xlsx are the same as a spreadsheet (Chinese headers, the as-of date in the file); docx is the annual handling report of one session as a Word document, with the previous session\'s changes.',
      `--table writes one of the read routes' tables as csv (default) or xlsx, the file GET …?format=csv|xlsx answers, from the same code: ${READ_TABLES.join(', ')}. statistics and year-over-year are computed from the event log as above; the others are read from the read models as the service keeps them (a warning on stderr when they are behind the log: start the service, or npm run rebuild). --filter takes the route's query parameters: proposals status, leadUnit, category, overdue, key, claimed, q, sort; due-soon days; audit actor, unit, recorder, type, proposal, time, from, to, recordedLaterThanDays.`,
    ],
    [
      'npm run -s report -- --session 6-3',
      'npm run -s report -- --session 6-1,6-2,6-3',
      'npm run -s report -- --session 6-3 --as-of 2019-06-30 --format csv --out 6-3.csv',
      'npm run -s report -- --session 6-3 --format docx',
      'npm run -s report -- --session 6-3 --table proposals --filter status=answered --filter key=true --format xlsx',
      'npm run -s report -- --table audit --filter recordedLaterThanDays=365 --format csv --out late-entries.csv',
    ],
  )
    .usage('--session 6-3[,6-2,…] [options]')
    .option('--session <ids>', 'the session, or several separated by commas for year on year (required; with --table: the session filter, none for audit)')
    .option('--as-of <YYYY-MM-DD>', 'the figures as they stood at the end of that business day')
    .addOption(new Option('--format <format>', 'table, json, csv, xlsx or docx (default table; docx with --answers)').choices(FORMATS))
    .option('--out <file>', "where to write (default: stdout for table, json and csv; the document's own name for xlsx and docx)")
    .addOption(new Option('--headers <headers>', 'spreadsheet headers: Chinese, or codes for machines').choices(['zh', 'codes']).default('zh'))
    .addOption(new Option('--table <name>', 'one of the read routes\' tables instead, as csv or xlsx').choices(READ_TABLES))
    .option('--filter <name=value>', 'with --table: a filter of the table\'s route, by its query parameter (repeatable)', collect, [])
    .option('--answers', 'the answer compilation (答复汇编) of the session instead: every published answer, as a Word document', false)
    .option('--at-position <n>', 'recompute at that log position (as an appendix names it); records no anchor')
    .option('--tenant <tenant>', 'the jurisdiction (default TENANT)');

export interface ReportOptions {
  readonly session?: string;
  readonly asOf?: string;
  readonly format?: string;
  readonly out?: string;
  readonly headers: string;
  readonly answers: boolean;
  readonly table?: string;
  readonly filter?: readonly string[];
  readonly atPosition?: string;
  readonly tenant?: string;
}

type Format = 'table' | 'json' | 'csv' | 'xlsx' | 'docx';
const FORMATS: readonly Format[] = ['table', 'json', 'csv', 'xlsx', 'docx'];

/** `npm run report`: the statistics computed from the event log, independently of the read models. */
export async function reportCommand(argv: string[]): Promise<number> {
  return report(parseCommandLine<ReportOptions>(reportCommandLine(), argv).options);
}

/** The report for options already parsed. */
export async function report(values: ReportOptions): Promise<number> {
  if (values.table !== undefined && !(READ_TABLES as readonly string[]).includes(values.table)) throw new UsageError(`--table must be ${READ_TABLES.join(', ')}`);
  const table = values.table as ReadTable | undefined;
  if (table !== undefined && table !== 'statistics' && table !== 'year-over-year') return readModelTable(table, values);
  if ((values.filter ?? []).length > 0) throw new UsageError(table ? `the ${table} table takes no --filter` : '--filter goes with --table');
  if (table && values.format !== undefined && values.format !== 'csv' && values.format !== 'xlsx') throw new UsageError('a table is written as --format csv or xlsx');
  if (table === 'statistics' && (values.session?.split(',').length ?? 0) > 1) throw new UsageError('the statistics table is of one session: --table year-over-year for several');
  const sessions = values.session?.split(',') ?? [];
  if (sessions.length === 0 || !sessions.every((s) => SESSION_ID.test(s))) throw new UsageError('--session is required, such as 6-3');
  const asOf = values.asOf;
  if (asOf !== undefined && !isCalendarDate(asOf)) throw new UsageError('--as-of must be a date YYYY-MM-DD');
  const format = (values.format ?? (values.answers ? 'docx' : table ? 'csv' : 'table')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}`);
  const headers = values.headers as Headers;
  if (headers !== 'zh' && headers !== 'codes') throw new UsageError('--headers must be zh or codes');
  if ((format === 'docx' || values.answers) && sessions.length !== 1) throw new UsageError('a Word document is of one session: name one with --session');
  if (values.answers && format !== 'docx') throw new UsageError('the answer compilation is a Word document: --format docx');
  if (values.answers && table) throw new UsageError('--answers is a Word document, not a table: leave out --table');
  const atPositionArg = values.atPosition;
  if (atPositionArg !== undefined && !/^\d{1,15}$/.test(atPositionArg)) throw new UsageError('--at-position must be a log position (a whole number)');

  return withStores(async ({ config, store }) => {
    const tenant = values.tenant ?? config.defaultTenant;
    // Where to compute: a position asked for; else the anchor recorded now; else the head of the log.
    let anchored: { recorded: RecordedAnchor } | { refused: string } | undefined;
    let atPosition: number;
    if (atPositionArg !== undefined) atPosition = Number(atPositionArg);
    else if (config.trailSigningKey) {
      anchored = await anchorNow(config, store, tenant, 'npm run report');
      atPosition = 'recorded' in anchored ? anchored.recorded.statement.position : await store.headPosition();
    } else atPosition = await store.headPosition();

    const job: Job = { config, store, tenant, sessions, asOf, atPosition, headers, out: values.out, table, anchored, recompute: atPositionArg !== undefined };
    if (values.answers) await writeAnswers(job);
    else if (format === 'docx') await writeAnnualReport(job);
    else await writeFigures(job, format);

    // The anchor the figures were computed at, on stderr, so that the report's output stays clean.
    if (atPositionArg !== undefined) return 0;
    if (!anchored) {
      process.stderr.write('no anchor recorded: TRAIL_SIGNING_KEY is not set (docs/trail.md)\n');
      return 0;
    }
    if ('refused' in anchored) {
      process.stderr.write(`no anchor recorded: ${anchored.refused}\n`);
      return 1;
    }
    process.stderr.write(`${summary(anchored.recorded)}\n`);
    return 0;
  });
}

interface Job {
  readonly config: AppConfig;
  readonly store: EventStore;
  readonly tenant: string;
  readonly sessions: readonly string[];
  readonly asOf?: string;
  readonly atPosition: number;
  readonly headers: Headers;
  readonly out?: string;
  readonly table?: ReadTable;
  readonly anchored?: { recorded: RecordedAnchor } | { refused: string };
  /** --at-position: recomputing a past report. */
  readonly recompute: boolean;
}

async function writeFigures(job: Job, format: Exclude<Format, 'docx'>): Promise<void> {
  const { config, store, tenant, sessions, asOf, atPosition } = job;
  const sources = await statisticsSourcesFromEvents(store, tenant, sessions, config.utcOffsetMinutes, eventCodec, 10_000, atPosition);
  const figures = sessions.map((s) => sessionStatistics({ ...(sources.get(s) as NonNullable<ReturnType<typeof sources.get>>), asOf, utcOffsetMinutes: config.utcOffsetMinutes }));
  if (format === 'table' || format === 'json') {
    const text = `${formatReport(yearOverYear(figures), format)}\n`;
    if (job.out) await write(job.out, Readable.from([Buffer.from(text)]));
    else process.stdout.write(text);
    return;
  }
  const meta = { jurisdiction: tenant, generatedAt: new Date().toISOString(), utcOffsetMinutes: config.utcOffsetMinutes };
  const table: Table<unknown> = (figures.length === 1 && job.table !== 'year-over-year' ? statisticsTable(figures[0], meta) : yearOverYearTable(figures, meta)) as Table<unknown>;
  await writeTable(table, format, job.headers, job.out);
}

/** A table as CSV (stdout unless --out) or XLSX (--out, else the table's own name). */
async function writeTable(table: Table<unknown>, format: 'csv' | 'xlsx', headers: Headers, out: string | undefined): Promise<void> {
  if (format === 'csv') {
    if (out) await write(out, csvStream(table, headers));
    else for await (const chunk of csvStream(table, headers)) process.stdout.write(chunk as Buffer);
    return;
  }
  await write(out ?? `${table.filename}.xlsx`, xlsxStream(table, headers));
}

/** Who the command line reads as: the operator of the service's own stores, who may read every row. */
const OPERATOR: Actor = { id: 'npm run report', role: 'system' };

/**
 * `--table units|proposals|overdue|due-soon|audit`: the read route's file, its rows read from the read models by the
 * code the route runs (libs/reporting/src/documents/read-tables.ts), as the operator (every row of the jurisdiction).
 */
async function readModelTable(table: Exclude<ReadTable, 'statistics' | 'year-over-year'>, values: ReportOptions): Promise<number> {
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'xlsx') throw new UsageError('a table is written as --format csv or xlsx');
  const headers = values.headers as Headers;
  if (headers !== 'zh' && headers !== 'codes') throw new UsageError('--headers must be zh or codes');
  const sessions = values.session?.split(',') ?? [];
  if (sessions.length > 1 || !sessions.every((s) => SESSION_ID.test(s))) throw new UsageError(`the ${table} table takes one --session, such as 6-3`);
  const session = sessions[0];
  if (table === 'units' && !session) throw new UsageError('the units table is of a session: --session is required');
  if (table === 'audit' && session) throw new UsageError('the audit trail is not of a session: leave out --session (filter it with --filter)');
  for (const [given, option] of [[values.asOf, '--as-of'], [values.atPosition, '--at-position']] as const)
    if (given !== undefined) throw new UsageError(`${option} goes with the statistics, not the ${table} table (it is read as the read models stand)`);
  let filters: Record<string, string | number | boolean>;
  try {
    filters = tableFilters(table, values.filter ?? []);
  } catch (error) {
    if (error instanceof TableFilterError) throw new UsageError(`--filter: ${error.message}`);
    throw error;
  }

  return withStores(async ({ config, store, readStore, projections }) => {
    const tenant = values.tenant ?? config.defaultTenant;
    const offset = config.utcOffsetMinutes;
    await readStore.ensure(projections.map((p) => p.collection));
    await warnIfBehind(store, readStore, projections);
    const proposals = new ProposalsQuery(readStore, offset, () => new Date());
    const meta = { jurisdiction: tenant, generatedAt: new Date().toISOString(), utcOffsetMinutes: offset };
    const built = async (): Promise<Table<any>> => {
      switch (table) {
        case 'proposals': {
          // The title names the filters as the route's query string gives them.
          const query = Object.fromEntries([...(session ? [['session', session]] : []), ...Object.entries(filters).map(([k, v]) => [k, String(v)])]);
          return proposalListTable(everyProposal(proposals, tenant, OPERATOR, { ...(filters as ProposalFilters), session }), meta, query);
        }
        case 'overdue':
          return overdueTable(await proposals.overdue(tenant, session), meta, { session });
        case 'due-soon': {
          const days = (filters.days as number | undefined) ?? DUE_SOON_DAYS;
          return dueSoonTable(await proposals.dueSoon(tenant, days, session), meta, { session, days });
        }
        case 'units':
          return unitRecordsTable(await unitRecords(readStore, tenant, session, OPERATOR, await directoryOf(store, tenant), proposals.today(), offset), meta, session);
        case 'audit':
          return auditTrailTable(everyAuditEntry(readStore, tenant, filters as AuditFilters, offset), meta);
      }
    };
    await writeTable(await built(), format, headers, values.out);
    return 0;
  });
}

/** The jurisdiction's directory folded from its stream: the names units have today. */
async function directoryOf(store: EventStore, tenant: string): Promise<DirectoryState> {
  const repository = new StreamRepository<DirectoryState>(store, eventCodec, (s, e, _m, revision) =>
    isDirectoryEvent(e) ? evolveDirectory(s, e, { revision }) : (s ?? EMPTY_DIRECTORY),
  );
  return (await repository.load(directoryStream(tenant))).state ?? EMPTY_DIRECTORY;
}

/** The read models are the service's to keep up: say when they stand behind the log, and what brings them up. */
async function warnIfBehind(store: EventStore, readStore: ReadStore, projections: readonly Projection[]): Promise<void> {
  // Events after a checkpoint that the projections read (an anchor, which none reads, leaves them caught up).
  const status = await projectionStatus(store, await readStore.checkpoints(), projections);
  const behind = status.filter((p) => p.eventsBehind > 0);
  if (behind.length > 0)
    process.stderr.write(
      `warning: the read models stand behind the log (${behind.map((p) => `${p.name} at ${p.position}, ${p.eventsBehind} events behind`).join('; ')}): the table holds what they had read — start the service, or npm run rebuild, to bring them up\n`,
    );
}

/** The anchor as the report cites it, and what to say about it. */
function anchorOf(job: Job): { anchor: AnchorReference | null; anchorNote: string } {
  const a = job.anchored;
  if (a && 'recorded' in a) {
    const { statement, signature, recorded } = a.recorded;
    return {
      anchor: { statement, signature, recorded: { stream: anchorStream(statement.tenant), revision: recorded.revision, by: recorded.by, at: recorded.at } },
      anchorNote: `本报告生成时先对日志签发锚点，再按锚点位置 ${statement.position} 计算全部数字，锚点所签即计算所用的日志。`,
    };
  }
  if (a && 'refused' in a) return { anchor: null, anchorNote: `未能签发锚点：${a.refused}。数字按日志末端位置 ${job.atPosition} 计算，未经锚点签名。` };
  if (job.recompute)
    return { anchor: null, anchorNote: `按指定的日志位置 ${job.atPosition} 重新计算，未签发新锚点；核验时使用原报告附录所列的锚点。` };
  return { anchor: null, anchorNote: `未签发锚点：未设置签名密钥 TRAIL_SIGNING_KEY（docs/trail.md）。数字按日志位置 ${job.atPosition}（生成时的日志末端）计算。` };
}

async function writeAnnualReport(job: Job): Promise<void> {
  const data = await annualReportData(job.store, job.tenant, job.sessions[0], {
    asOf: job.asOf,
    atPosition: job.atPosition,
    utcOffsetMinutes: job.config.utcOffsetMinutes,
    ...anchorOf(job),
    generatedBy: 'npm run report',
  });
  const docx = await annualReportDocx(data);
  await write(job.out ?? annualReportFilename(data.current).filename, Readable.from([docx]));
}

async function writeAnswers(job: Job): Promise<void> {
  const { config, store, tenant, atPosition } = job;
  const session = job.sessions[0];
  const sources = await statisticsSourcesFromEvents(store, tenant, [session], config.utcOffsetMinutes, eventCodec, 10_000, atPosition);
  const source = sources.get(session) as NonNullable<ReturnType<typeof sources.get>>;
  const now = new Date();
  const meta = { session, sessionName: source.session.name, generatedAt: now.toISOString(), generatedDate: businessDate(now, config.utcOffsetMinutes) };
  const docx = await answersCompilationDocx(compiledAnswers(source.proposals, session, config.utcOffsetMinutes), meta);
  await write(job.out ?? answersCompilationFilename(meta).filename, Readable.from([docx]));
}

async function write(path: string, content: Readable): Promise<void> {
  await pipeline(content, createWriteStream(path));
  process.stderr.write(`wrote ${resolve(path)}\n`);
}
