import { cpus, loadavg } from 'node:os';
import { httpCommands } from './http.bench.js';
import { runBench } from './result.js';

/** `npm run bench:http`: commands over HTTP with 50 connections, beside the same commands without HTTP. */
runBench(async (log) => {
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  log(`bench:http — Node ${process.version}, ${cpus().length} cores, load average ${load()}`);
  const figures = await httpCommands();
  log(`bench:http — done, load average ${load()}`);
  return figures;
});
