import { Command, CommanderError } from 'commander';
import { ConfigError } from '@app/config';
import { anchor, anchorCommandLine, type AnchorOptions } from './anchor.command.js';
import { asCliCommand, UsageError } from './command-line.js';
import { directory, directoryCommandLine, type DirectoryOptions } from './directory.command.js';
import { rebuildCommand, rebuildCommandLine } from './rebuild.command.js';
import { replay, replayCommandLine } from './replay/replay.command.js';
import { report, reportCommandLine, type ReportOptions } from './report.command.js';
import { tail, tailCommandLine, type TailOptions } from './tail.command.js';
import { mintFor, tokenCommandLine, type TokenOptions } from './token.command.js';
import { verify, verifyCommandLine, type VerifyOptions } from './verify.command.js';

/** Where the program writes: text as it comes (commander's help ends its own lines). */
export interface ProgramIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: ProgramIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The one command-line program: every command with its options declared once (in its *.command.ts), `--help` on
 * each (usage, options, an example) answered before anything runs, and one rule for exit codes: 0 done (and help),
 * 1 the job failed, 2 a wrong call (unknown command or option, a missing or bad value) or a bad environment.
 */
export function cliProgram(io: ProgramIo = processIo): { program: Command; exitCode: () => number } {
  let code = 0;
  const line = (write: (text: string) => void) => (text: string) => write(`${text}\n`);
  const lines = { out: line(io.stdout), err: line(io.stderr) };
  const output = { writeOut: io.stdout, writeErr: io.stderr };

  const program = asCliCommand(new Command('cli'), ['npm run -s cli -- help report', 'npm run -s token -- --role office --sub o-1', 'npm run -s replay -- all'])
    .usage('<command> [options]')
    .description(
      'The jobs an operator runs beside the service. Each reads the environment as the service does (DATA_DIR, EVENT_STORE, READ_STORE, …: ' +
        'README, Configuration). `npm run -s NAME -- …` runs one; `npm run -s NAME -- --help` shows its options and an example.',
    )
    .configureOutput(output)
    .showHelpAfterError();

  const add = <O>(command: Command, run: (options: O, operands: string[]) => Promise<number> | number): void => {
    program.addCommand(
      command
        .configureOutput(output)
        .showHelpAfterError()
        .action(async (...args: unknown[]) => {
          const self = args[args.length - 1] as Command;
          try {
            code = await run(self.opts<O & Record<string, unknown>>(), self.args);
          } catch (error) {
            // The same answer as an unknown option: the message, then the command's help, exit 2; nothing was done.
            if (error instanceof UsageError) self.error(`error: ${error.message}`, { exitCode: 2, code: 'cli.usage' });
            throw error;
          }
        }),
    );
  };
  add<TokenOptions>(tokenCommandLine(), (options) => {
    lines.out(mintFor(options, lines.err));
    return 0;
  });
  add<ReportOptions>(reportCommandLine(), (options) => report(options));
  add(rebuildCommandLine(), () => rebuildCommand());
  add<TailOptions>(tailCommandLine(), (options) => tail(options, lines.out));
  add(replayCommandLine(), (_, [year]) => replay(year, lines));
  add<VerifyOptions>(verifyCommandLine(), (options) => verify(options, lines.out));
  add<AnchorOptions>(anchorCommandLine(), (options) => anchor(options, lines));
  add<DirectoryOptions>(directoryCommandLine(), (options, operands) => directory(options, operands, lines));
  return { program, exitCode: () => code };
}

/** Runs one command line; resolves to the exit code and never exits the process itself. */
export async function runCli(argv: readonly string[], io: ProgramIo = processIo): Promise<number> {
  const { program, exitCode } = cliProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (error) {
    // Commander has printed its message (and the help after it); help asked for exits 0, a wrong call 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
