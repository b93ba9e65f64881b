import type { Doc } from '@app/read-store';
import { AUDIT, PROPOSALS } from '@app/projections';
import { verifyTrail } from '@app/command-handling';
import { withStores } from './stores.js';

/**
 * `npm run verify`: checks the hash chain of every stream, and that no event the read models saw has gone from the
 * log. Exits 1 when the trail was tampered with.
 */
export async function verifyCommand(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  return withStores(async ({ store, readStore, projections }) => {
    await readStore.ensure(projections.map((p) => p.collection));
    const known = new Map<string, number>();
    const remember = (stream: string, revision: number) => known.set(stream, Math.max(known.get(stream) ?? -1, revision));
    for (const doc of (await readStore.find<Doc & { stream: string; revision: number }>(AUDIT)).items) remember(doc.stream, doc.revision);
    for (const doc of (await readStore.find<Doc & { tenant: string; proposalId: string; revision: number }>(PROPOSALS)).items)
      remember(`proposal-${doc.tenant}:${doc.proposalId}`, doc.revision);
    const report = await verifyTrail(store, known);
    for (const p of report.problems) out(`TAMPERED ${p.stream} revision ${p.revision}${p.position === undefined ? '' : ` (position ${p.position})`}: ${p.problem}`);
    out(`${report.problems.length === 0 ? 'intact' : 'NOT intact'}: ${report.events.toLocaleString('en-US')} events in ${report.streams.toLocaleString('en-US')} streams checked, ${report.problems.length} problem(s)`);
    return report.problems.length === 0 ? 0 : 1;
  });
}
