import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '@app/config';
import { DEFAULT_TOKEN_HOURS, mintToken, resolveAuthSecret, type TokenClaims } from '@app/identity';
import { ROLES } from '@app/proposals';
import { declareCommand, parseCommandLine, UsageError } from './command-line.js';

/** `npm run token`: its command line, declared once (the program's help and parsing, and tokenCommand's). */
export const tokenCommandLine = (): Command =>
  declareCommand(
    'token',
    "print a token signed with the service's secret (development and operations)",
    [
      `Prints the token and nothing else, for $(…) in a shell. Reads DATA_DIR and AUTH_SECRET like the service: with neither an AUTH_SECRET nor a secret in DATA_DIR yet it makes one there, and says so, as a service already running elsewhere would refuse the token.`,
      `The token lives --hours hours (default ${DEFAULT_TOKEN_HOURS}, or TOKEN_MAX_HOURS if that is less); the service refuses longer ones.`,
    ],
    ['OFFICE=$(npm run -s token -- --role office --sub o-1 --name 区政府办公室)', 'npm run -s token -- --role unit --sub u-1 --unit fgw --url'],
  )
    .usage('--role ROLE --sub ID [options]')
    .addOption(new Option('--role <role>', 'whom the token speaks for (required)').choices(ROLES))
    .option('--sub <id>', "the account's id: a member's id, a staff account's sub, … (required)")
    .option('--unit <code>', "a unit role's unit, by its directory code")
    .option('--name <name>', 'the name shown in the trail')
    .option('--tenant <tenant>', 'the jurisdiction (default TENANT)')
    .option('--hours <hours>', `how long the token lives (default ${DEFAULT_TOKEN_HOURS}, at most TOKEN_MAX_HOURS)`)
    .option('--url', "print the dashboard's sign-in link instead, http://localhost:PORT/#token=… (a fragment: it reaches no server log)");

export interface TokenOptions {
  readonly role?: string;
  readonly sub?: string;
  readonly unit?: string;
  readonly name?: string;
  readonly tenant?: string;
  readonly hours?: string;
  readonly url?: boolean;
}

const stderrLine = (text: string) => process.stderr.write(`${text}\n`);

/** Mints a token signed with the service's secret, within the lifetime the service accepts. */
export function tokenCommand(argv: string[], warn: (text: string) => void = stderrLine): string {
  return mintFor(parseCommandLine<TokenOptions>(tokenCommandLine(), argv).options, warn);
}

/** The token (or sign-in link) for options already parsed; `warn` hears of a secret made now. */
export function mintFor(values: TokenOptions, warn: (text: string) => void = stderrLine): string {
  // Checked here rather than declared mandatory, so that a misspelt option is named as such first.
  if (values.role === undefined || values.sub === undefined) throw new UsageError('--role and --sub are required');
  const config = loadConfig();
  const hours = values.hours === undefined ? Math.min(DEFAULT_TOKEN_HOURS, config.tokenMaxHours) : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0) throw new UsageError('--hours must be a positive number');
  if (hours > config.tokenMaxHours)
    throw new UsageError(`--hours must be at most ${config.tokenMaxHours} (TOKEN_MAX_HOURS): the service refuses tokens that live longer`);
  const claims = {
    sub: values.sub,
    role: values.role,
    ...(values.unit ? { unit: values.unit } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.tenant ? { tenant: values.tenant } : {}),
  } as TokenClaims;
  const secretFile = join(config.dataDir, 'auth-secret');
  const madeNow = !config.authSecret && !existsSync(secretFile);
  const token = mintToken(resolveAuthSecret(config), claims, Math.floor(hours * 3600));
  // A service already running found no secret here either, or it would have made this file: it signs with another.
  if (madeNow && existsSync(secretFile))
    warn(
      `token: there was no signing secret in ${config.dataDir}, so a new one was made (${secretFile}). ` +
        'A service already running refuses this token (401): is the service using another DATA_DIR, or AUTH_SECRET?',
    );
  return values.url ? `http://localhost:${config.port}/#token=${token}` : token;
}
