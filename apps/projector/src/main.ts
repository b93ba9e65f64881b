import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@app/config';
import { runProjector, startProjector, statusServer } from './projector.js';

/**
 * `npm run projector`: no options, but a command line like the CLI's: `--help` says what it does and exits 0 before
 * anything starts; anything else on the line is a wrong call (exit 2) rather than silently ignored.
 */
function commandLine(argv: readonly string[]): 'run' | number {
  const program = new Command('projector')
    .description(
      'Runs the projections as their own process, for a service started with IN_PROCESS_PROJECTIONS=false: follows the event store ' +
        'from the stored checkpoints and keeps every read model up to date. Reads the environment as the service does (DATA_DIR, ' +
        'EVENT_STORE, READ_STORE, …); its status (each projection\'s position and lag) is served on PROJECTOR_STATUS_PORT (default 3001). ' +
        'Exits 1 when a projection cannot go on, for a supervisor to restart it.',
    )
    .configureHelp({ commandUsage: () => 'npm run -s projector', styleTitle: (title) => title.toLowerCase() })
    .helpOption('-h, --help', 'print this help and exit')
    .addHelpText('after', '\nexample:\n  IN_PROCESS_PROJECTIONS=false PROJECTOR_STATUS_PORT=3001 npm run -s projector')
    .showHelpAfterError()
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
    return 'run';
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

function statusPort(): number {
  const raw = process.env.PROJECTOR_STATUS_PORT ?? '3001';
  const port = Number(raw);
  if (raw === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`configuration: PROJECTOR_STATUS_PORT must be a whole number from 0 to 65535 (got "${raw}")\n`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<number> {
  const parsed = commandLine(process.argv.slice(2));
  if (parsed !== 'run') return parsed;
  const config = loadConfigOrExit();
  const port = statusPort();
  const projector = await startProjector(config, config.logLevel);
  const server = statusServer(projector, port, config.host);
  const logger = new Logger('Projector');
  logger.log(`projecting (event store: ${config.eventStore}, read store: ${config.readStore}); status on :${port}`);
  const signals = new AbortController();
  const stop = (signal: string) => {
    if (signals.signal.aborted) return;
    logger.log(`${signal}: finishing the batch in hand and storing its checkpoint`);
    signals.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const code = await runProjector(projector, signals.signal, (error) =>
    logger.error(`the projections cannot go on (${String(error)}); exiting with code 1 for the supervisor to restart the projector`),
  );
  server.close();
  return code;
}

// A start that fails (a store that refuses the connection, a schema newer than this build) exits non-zero too.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    new Logger('Projector').error(`could not start: ${String(error)}`, (error as Error)?.stack);
    process.exit(1);
  },
);
