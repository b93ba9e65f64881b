import { parseArgs } from 'node:util';
import { loadConfig } from '@app/config';
import { mintToken, resolveAuthSecret, type TokenClaims } from '@app/identity';

export const TOKEN_USAGE = `usage: npm run -s token -- --role ROLE --sub ID [--unit UNIT] [--name NAME] [--tenant TENANT] [--hours 8]
Prints a signed development token, nothing else. Reads DATA_DIR / AUTH_SECRET like the service.`;

/** Mints a token signed with the service's secret. */
export function tokenCommand(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      hours: { type: 'string', default: '8' },
    },
    strict: true,
  });
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error('--hours must be a positive number');
  const config = loadConfig();
  const claims = {
    sub: values.sub,
    role: values.role,
    ...(values.unit ? { unit: values.unit } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.tenant ? { tenant: values.tenant } : {}),
  } as TokenClaims;
  return mintToken(resolveAuthSecret(config), claims, Math.round(hours * 3600));
}
