import type { AppConfig } from '@app/config';
import { Command, CommanderError, Help, InvalidArgumentError, type OptionValues } from 'commander';

/**
 * A wrong call that the declaration alone cannot catch (options that exclude each other, a value above a configured
 * limit, an unknown action): exit code 2 with the command's usage, like an unknown option, and nothing done.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * How the help reads, for every command alike: `usage: npm run -s NAME -- …`, lower-case headings, and the examples
 * last. They are part of the help text itself (not commander's addHelpText, which only `--help` prints), so that
 * helpOf() and a usage error show the same help.
 */
const help = (examples: readonly string[]) => ({
  commandUsage: (cmd: Command) => (cmd.commands.length > 0 ? 'npm run -s <command> -- [options]' : `npm run -s ${cmd.name()} -- ${cmd.usage()}`),
  styleTitle: (title: string) => title.toLowerCase(),
  sortOptions: false,
  formatHelp(this: Help, cmd: Command, helper: Help): string {
    const text = Help.prototype.formatHelp.call(this, cmd, helper);
    return examples.length === 0 ? text : `${text}\nexample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  ${e}`).join('\n')}\n`;
  },
});

/**
 * A command's declaration: its name, one-line summary, what it does (a paragraph each, wrapped to the terminal) and
 * an example; the caller adds its options. The same declaration serves the program (help, usage errors) and the
 * function the specs call with an argument list, so each option is declared once.
 */
export function declareCommand(name: string, summary: string, description: readonly string[], examples: readonly string[]): Command {
  return new Command(name)
    .summary(summary)
    .description([summary.replace(/^./, (c) => c.toUpperCase()) + '.', ...description].join('\n\n'))
    .configureHelp(help(examples))
    .helpOption('-h, --help', 'print this help and exit')
    .exitOverride();
}

/** The program's settings (help format, no process.exit) for a declaration made outside declareCommand. */
export function asCliCommand(command: Command, examples: readonly string[]): Command {
  return command.configureHelp(help(examples)).helpOption('-h, --help', 'print this help and exit').exitOverride();
}

/** A value parser for an option: `test` says why a value is wrong, or nothing when it is right. */
export function checked<T>(convert: (raw: string) => T, test: (value: T, raw: string) => string | undefined): (raw: string) => T {
  return (raw) => {
    const value = convert(raw);
    const wrong = test(value, raw);
    if (wrong !== undefined) throw new InvalidArgumentError(wrong);
    return value;
  };
}

/** For a repeatable option: every value given, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Parses an argument list with a command's declaration, as the program would, without running anything: a wrong
 * call throws a UsageError with commander's message; `--help` throws one too (the program answers it, not this).
 */
export function parseCommandLine<O extends OptionValues>(command: Command, argv: readonly string[]): { options: O; operands: string[] } {
  command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(error.message.replace(/^error: /, ''));
    throw error;
  }
  return { options: command.opts<O>(), operands: command.args };
}

/** The help text of a declaration, as `--help` prints it. */
export const helpOf = (command: Command): string => command.helpInformation().trimEnd();

/**
 * A one-line progress bar on stderr for long jobs, redrawn in place on a terminal; nothing at all when stderr is a
 * pipe or a file, where a redrawn line is noise in a log (the job's result line says what was done).
 */
export function progressBar(
  label: string,
  stream: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean } = process.stderr,
): { update: (done: number, total: number, extra?: string) => void; end: () => void } {
  let drawn = false;
  let last = 0;
  return {
    update: (done, total, extra = '') => {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (drawn && now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * 30);
      stream.write(`\r${label} ${'█'.repeat(filled)}${'░'.repeat(30 - filled)} ${(ratio * 100).toFixed(0).padStart(3)}%  ${extra}\x1b[K`);
    },
    end: () => {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** Where a CLI job writes, and the configuration it runs with (the environment, validated, unless given). */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly config?: AppConfig;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};
