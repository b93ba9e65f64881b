import { generateEventLog } from './generate.js';

/** `node dist/bench/generate.main.js PATH EVENTS`: makes the generated event log (see generate.ts). */
const [path, events] = process.argv.slice(2);
generateEventLog(path, Number(events), (line) => process.stderr.write(`${line}\n`)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
