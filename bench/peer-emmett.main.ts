import { cpus, loadavg } from 'node:os';
import { emmettComparison } from './peer-emmett.bench.js';
import { runBench } from './result.js';

/** `npm run bench:peer`: our embedded store beside Emmett's SQLite event store, same events, same run. */
runBench(async (log) => {
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  log(`bench:peer — Node ${process.version}, ${cpus().length} cores, load average ${load()}`);
  const figures = await emmettComparison();
  log(`bench:peer — done, load average ${load()}`);
  return figures;
});
