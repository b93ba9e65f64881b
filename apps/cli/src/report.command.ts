import { parseArgs } from 'node:util';
import { formatReport, sessionStatistics, statisticsSourcesFromEvents, yearOverYear, type ReportFormat } from '@app/reporting';
import { isCalendarDate, SESSION_ID } from '@app/proposals';
import { withStores } from './stores.js';
import { anchorNow, summary } from './anchor.command.js';

export const REPORT_USAGE = `usage: npm run -s report -- --session 6-3[,6-2,…] [--as-of YYYY-MM-DD] [--format table|json|csv] [--tenant T]
Computes the handling report straight from the event log (not the read models) and prints it; then, with
TRAIL_SIGNING_KEY set, records an anchor of that log (docs/trail.md; exit 1 if the trail could not be anchored).`;

/** `npm run report`: the statistics computed from the event log, independently of the read models. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      session: { type: 'string' },
      'as-of': { type: 'string' },
      format: { type: 'string', default: 'table' },
      tenant: { type: 'string' },
    },
    strict: true,
  });
  const sessions = values.session?.split(',') ?? [];
  if (sessions.length === 0 || !sessions.every((s) => SESSION_ID.test(s))) throw new Error(`--session is required, such as 6-3\n${REPORT_USAGE}`);
  const asOf = values['as-of'];
  if (asOf !== undefined && !isCalendarDate(asOf)) throw new Error('--as-of must be a date YYYY-MM-DD');
  const format = values.format as ReportFormat;
  if (!['table', 'json', 'csv'].includes(format)) throw new Error('--format must be table, json or csv');
  return withStores(async ({ config, store }) => {
    const tenant = values.tenant ?? config.defaultTenant;
    const sources = await statisticsSourcesFromEvents(store, tenant, sessions, config.utcOffsetMinutes);
    const figures = sessions.map((s) => sessionStatistics({ ...(sources.get(s) as NonNullable<ReturnType<typeof sources.get>>), asOf, utcOffsetMinutes: config.utcOffsetMinutes }));
    process.stdout.write(`${formatReport(yearOverYear(figures), format)}\n`);
    // The log the report was computed from, anchored (docs/trail.md); on stderr, so the report's output stays clean.
    if (!config.trailSigningKey) {
      process.stderr.write('no anchor recorded: TRAIL_SIGNING_KEY is not set (docs/trail.md)\n');
      return 0;
    }
    const anchored = await anchorNow(config, store, tenant, 'npm run report');
    if ('refused' in anchored) {
      process.stderr.write(`no anchor recorded: ${anchored.refused}\n`);
      return 1;
    }
    process.stderr.write(`${summary(anchored.recorded)}\n`);
    return 0;
  });
}
