import 'reflect-metadata';
import { Argument, type Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ON_BEHALF_ROLES, sessionStream, type EventMetadata } from '@app/proposals';
import { formatReport, sessionStatistics, statisticsSourcesFromEvents, yearOverYear } from '@app/reporting';
import { RuntimeModule } from '@app/runtime';
import { SESSION_PLANS, type SessionPlan } from './plans.js';
import { DEMO_CLERK, replayScenario, type ReplayCounts } from './replay.js';
import { directoryMigration } from './directory.js';
import { buildScenario } from './scenario.js';
import { declareCommand, helpOf, parseCommandLine, processIo, progressBar, UsageError, type CommandIo } from '../command-line.js';

/** `npm run replay`: its command line, declared once (the program's help and parsing, and replayCommand's). */
export const replayCommandLine = (): Command =>
  declareCommand(
    'replay',
    'load the demo sessions 2017–2019 through the command path',
    [
      'Records the demo sessions 六届一次 (2017), 六届二次 (2018) and 六届三次会议 (2019) of the Jinshan district committee through the command path, as a clerk\'s paper records with their business dates, then prints the sessions\' figures computed from the event log. First, the directory the sessions name: the units (by code, such as fgw), the members and the units\' staff accounts, as the office\'s paper records of December 2016; in 2019 six units are renamed (机构改革) and keep their codes.',
      '`all` replays the three in order (2019\'s substantive-progress figure counts follow-ups of the earlier sessions\' planned proposals); replay single years in that order too. Running it again appends nothing. A store that already holds one of these sessions from elsewhere (the walk-through\'s 6-3, say) is refused in one line and nothing is written: replay into an empty DATA_DIR. Reads DATA_DIR, TENANT, EVENT_STORE, … like the service. Shows its progress on a terminal.',
    ],
    ['npm run -s replay -- all', 'DATA_DIR=./demo-data npm run -s replay -- 2017'],
  ).addArgument(new Argument('<year>', 'which session: 2017, 2018, 2019, or all three').choices(['2017', '2018', '2019', 'all']));

export type ReplayIo = CommandIo;

export async function replayCommand(argv: string[], io: ReplayIo = processIo): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    io.out(helpOf(replayCommandLine()));
    return 0;
  }
  let which: string;
  try {
    [which] = parseCommandLine(replayCommandLine(), argv).operands;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n${helpOf(replayCommandLine())}`);
    return 2;
  }
  return replay(which, io);
}

/** The replay of one year, or `all`, already parsed. */
export async function replay(which: string, io: ReplayIo = processIo): Promise<number> {
  const plans = which === 'all' ? SESSION_PLANS : SESSION_PLANS.filter((p) => String(p.year) === which);
  if (plans.length === 0) throw new UsageError(`no demo session of ${which}: 2017, 2018, 2019 or all`);
  let config: AppConfig;
  try {
    // Projecting is the service's job, never this one's: a second runner beside the service's fought it for the
    // read store's lock and stopped it. The service's runner follows these appends as they come; with no service
    // running, the read models catch up when it next starts (or with `npm run rebuild`).
    config = { ...(io.config ?? loadConfig()), inProcessProjections: false };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 2;
  }
  const logger = config.logLevel === 'error' ? (['error'] as const) : (['error', 'warn'] as const);
  // The demo transcribes a whole archive of paper records, the office's and the committee's decisions among them:
  // an operator's migration job, so it may record for every role, whatever the service allows its clerks.
  const archive = { ...config, clerkMayRecordFor: ON_BEHALF_ROLES };
  const app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config: archive }), { logger: [...logger] });
  try {
    const bus = app.get(CommandBus);
    const store = app.get<EventStore>(EVENT_STORE);
    const tenant = config.defaultTenant;
    const elsewhere = await sessionsFromElsewhere(store, tenant, plans);
    if (elsewhere) {
      io.err(elsewhere);
      return 1;
    }
    for (const [i, plan] of plans.entries()) {
      const scenario = buildScenario(plan.year, { tenant, clerkId: DEMO_CLERK.id });
      // The directory the sessions name comes first, with the first session replayed (already recorded after that).
      const steps = i === 0 ? [...directoryMigration(), ...scenario.steps] : scenario.steps;
      const bar = progressBar(`${plan.session} (${plan.year})`);
      const counts = await replayScenario(bus, store, { ...scenario, steps }, tenant, DEMO_CLERK, (done) => bar.update(done, steps.length, `${done.toLocaleString('en-US')} of ${steps.length.toLocaleString('en-US')} steps`));
      bar.end();
      io.err(progressLine(plan, scenario.proposals.length, counts));
    }
    const sources = await statisticsSourcesFromEvents(store, tenant, plans.map((p) => p.session), config.utcOffsetMinutes);
    const statistics = plans.map((p) => sessionStatistics({ ...sources.get(p.session)!, utcOffsetMinutes: config.utcOffsetMinutes }));
    const illustrative = new Set(plans.filter((p) => p.fromSeed.length === 0).map((p) => p.session));
    io.out(formatReport(yearOverYear(statistics), 'table', illustrative));
    io.out(plans.map((p) => p.note).join('\n'));
    return 0;
  } catch (error) {
    io.err(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await app.close();
  }
}

/**
 * The replay records its steps under its own idempotency keys: a session opened some other way (the walk-through's
 * 6-3 over HTTP) would refuse the replay's steps halfway, after the directory and earlier sessions were written. So
 * every session is looked at first, and one that the demo's clerk did not record stops the replay before it writes
 * anything. A session the replay recorded itself is replayed again: its recorded steps append nothing.
 */
async function sessionsFromElsewhere(store: EventStore, tenant: string, plans: readonly SessionPlan[]): Promise<string | undefined> {
  for (const plan of plans) {
    const [first] = await store.readStream(sessionStream(tenant, plan.session), { maxCount: 1 });
    if (!first) continue;
    const { actor, recorder, occurredAt } = first.metadata as Partial<EventMetadata>;
    if (recorder?.id === DEMO_CLERK.id) continue;
    const by = actor ? `${actor.role} ${actor.id}` : 'someone';
    return (
      `replay: session ${plan.session} is already in this store (opened by ${by}${occurredAt ? ` at ${occurredAt}` : ''}, not by the demo's replay); ` +
      `nothing written. The demo loads into a store of its own: DATA_DIR=./demo-data npm run -s replay -- ${replayArgument(plans)}`
    );
  }
  return undefined;
}

const replayArgument = (plans: readonly SessionPlan[]): string => (plans.length === SESSION_PLANS.length ? 'all' : String(plans[0].year));

function progressLine(plan: SessionPlan, proposals: number, c: ReplayCounts): string {
  const skipped = c.skipped > 0 ? `, ${c.skipped} skipped (session ${c.skippedSessions.join(', ')} not replayed: replay all)` : '';
  return (
    `${plan.session} ${plan.name} (${plan.year}): ${proposals} proposals, ${c.steps} steps: ` +
    `${c.appended} appended, ${c.alreadyRecorded} already recorded${skipped} in ${(c.milliseconds / 1000).toFixed(1)} s`
  );
}
