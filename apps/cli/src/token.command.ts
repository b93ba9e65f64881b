import { parseArgs } from 'node:util';
import { loadConfig } from '@app/config';
import { DEFAULT_TOKEN_HOURS, mintToken, resolveAuthSecret, type TokenClaims } from '@app/identity';

export const TOKEN_USAGE = `usage: npm run -s token -- --role ROLE --sub ID [--unit UNIT] [--name NAME] [--tenant TENANT] [--hours ${DEFAULT_TOKEN_HOURS}] [--url]
Prints a signed development token, nothing else. Reads DATA_DIR / AUTH_SECRET like the service. The token lives
--hours hours (default ${DEFAULT_TOKEN_HOURS}, or TOKEN_MAX_HOURS if that is less); the service refuses longer ones.
--url prints the dashboard's sign-in link instead, http://localhost:PORT/#token=… (a fragment: it reaches no server log).`;

/** Mints a token signed with the service's secret, within the lifetime the service accepts. */
export function tokenCommand(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      hours: { type: 'string' },
      url: { type: 'boolean' },
    },
    strict: true,
  });
  const config = loadConfig();
  const hours = values.hours === undefined ? Math.min(DEFAULT_TOKEN_HOURS, config.tokenMaxHours) : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error('--hours must be a positive number');
  if (hours > config.tokenMaxHours)
    throw new Error(`--hours must be at most ${config.tokenMaxHours} (TOKEN_MAX_HOURS): the service refuses tokens that live longer`);
  const claims = {
    sub: values.sub,
    role: values.role,
    ...(values.unit ? { unit: values.unit } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.tenant ? { tenant: values.tenant } : {}),
  } as TokenClaims;
  const token = mintToken(resolveAuthSecret(config), claims, Math.floor(hours * 3600));
  return values.url ? `http://localhost:${config.port}/#token=${token}` : token;
}
