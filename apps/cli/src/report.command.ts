import { parseArgs } from 'node:util';
import { formatReport, sessionStatistics, statisticsSourcesFromEvents, yearOverYear, type ReportFormat } from '@app/reporting';
import { isCalendarDate, SESSION_ID } from '@app/proposals';
import { withStores } from './stores.js';

export const REPORT_USAGE = `usage: npm run -s report -- --session 6-3[,6-2,…] [--as-of YYYY-MM-DD] [--format table|json|csv] [--tenant T]
Computes the handling report straight from the event log (not the read models) and prints it.`;

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
    return 0;
  });
}
