import { rebuildReadModels } from '@app/projections';
import { progressBar, withStores } from './stores.js';

/** `npm run rebuild`: every read model from position 0 into fresh collections, swapped in at the end. */
export async function rebuildCommand(): Promise<number> {
  return withStores(async ({ store, readStore, projections }) => {
    const bar = progressBar('rebuild');
    const started = performance.now();
    const result = await rebuildReadModels(store, readStore, projections, {
      onProgress: ({ events, position, headPosition }) => {
        const rate = events / ((performance.now() - started) / 1000);
        bar(position, headPosition, `${events.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')} events/s`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : 0;
    process.stdout.write(
      `rebuilt ${projections.map((p) => p.name).join(', ')} from ${result.events.toLocaleString('en-US')} events ` +
        `in ${result.seconds.toFixed(1)} s: ${rate.toLocaleString('en-US')} events/s; swapped in at position ${result.position}\n`,
    );
    return 0;
  });
}
