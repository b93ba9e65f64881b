import type { Command } from 'commander';
import { rebuildReadModels } from '@app/projections';
import { declareCommand, progressBar } from './command-line.js';
import { withStores } from './stores.js';

/** `npm run rebuild`: its command line (no options: the stores come from the environment, like the service's). */
export const rebuildCommandLine = (): Command =>
  declareCommand(
    'rebuild',
    'rebuild every read model from the event log and swap it in',
    [
      'Reads the whole log from position 0 into fresh tables (or collections) while the service keeps serving, then swaps them in; a running projection notices the swap and reads any gap from the log. Reads DATA_DIR, EVENT_STORE, READ_STORE, … like the service. Shows its progress on a terminal; prints one line with the events and the rate when done.',
    ],
    ['npm run -s rebuild'],
  );

/** `npm run rebuild`: every read model from position 0 into fresh collections, swapped in at the end. */
export async function rebuildCommand(): Promise<number> {
  return withStores(async ({ store, readStore, projections }) => {
    const bar = progressBar('rebuild');
    const started = performance.now();
    const result = await rebuildReadModels(store, readStore, projections, {
      onProgress: ({ events, position, headPosition }) => {
        const rate = events / ((performance.now() - started) / 1000);
        bar.update(position, headPosition, `${events.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')} events/s`);
      },
    });
    bar.end();
    const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : 0;
    process.stdout.write(
      `rebuilt ${projections.map((p) => p.name).join(', ')} from ${result.events.toLocaleString('en-US')} events ` +
        `in ${result.seconds.toFixed(1)} s: ${rate.toLocaleString('en-US')} events/s; swapped in at position ${result.position}\n`,
    );
    return 0;
  });
}
