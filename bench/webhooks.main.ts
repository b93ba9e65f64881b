import { cpus, loadavg } from 'node:os';
import { runBench } from './result.js';
import { webhookDelivery } from './webhooks.bench.js';

/** `npm run bench:webhooks`: webhook delivery to a local receiver, and what it costs the API's commands. */
runBench(async (log) => {
  log(`bench:webhooks — Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  return webhookDelivery(log);
});
