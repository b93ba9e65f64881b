import 'reflect-metadata';
import { rebuildCommand } from './rebuild.command.js';
import { REPORT_USAGE, reportCommand } from './report.command.js';
import { REPLAY_USAGE, replayCommand } from './replay/replay.command.js';
import { TAIL_USAGE, tailCommand } from './tail.command.js';
import { TOKEN_USAGE, tokenCommand } from './token.command.js';
import { VERIFY_USAGE, verifyCommand } from './verify.command.js';
import { ANCHOR_USAGE, anchorCommand } from './anchor.command.js';
import { DIRECTORY_USAGE, directoryCommand } from './directory.command.js';

const USAGE = `usage: npm run -s <command> -- [options]
commands:
  token     mint a development token
  report    the handling report, computed from the event log
  rebuild   rebuild every read model from the log and swap it in
  tail      follow the event feed, resuming where it stopped
  replay    load the demo sessions 2017–2019 through the command path
  verify    check every stream's hash chain (and the log against anchors); exits 1 if the trail was tampered with
  anchor    sign and record an anchor of the trail (docs/trail.md)
  directory import the office's list of units or members (.xlsx or .csv) into the directory

${TOKEN_USAGE}

${REPORT_USAGE}

${TAIL_USAGE}

${REPLAY_USAGE}

${VERIFY_USAGE}

${ANCHOR_USAGE}

${DIRECTORY_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token':
      process.stdout.write(`${tokenCommand(rest)}\n`);
      return 0;
    case 'report':
      return reportCommand(rest);
    case 'rebuild':
      return rebuildCommand();
    case 'tail':
      return tailCommand(rest);
    case 'replay':
      return replayCommand(rest);
    case 'verify':
      return verifyCommand(rest);
    case 'anchor':
      return anchorCommand(rest);
    case 'directory':
      return directoryCommand(rest);
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
