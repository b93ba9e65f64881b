import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import type { Doc } from '@app/read-store';
import { ConfigError, parseEd25519Key } from '@app/config';
import { AUDIT, PROPOSALS } from '@app/projections';
import { anchorRefusal, compareWithAnchor, describeDifference, keyFingerprint, verifyTrail, type Anchor, type TrailSnapshot } from '@app/command-handling';
import { collect, declareCommand, helpOf, parseCommandLine, UsageError } from './command-line.js';
import { withStores } from './stores.js';

/** `npm run verify`: its command line, declared once (the program's help and parsing, and verifyCommand's). */
export const verifyCommandLine = (): Command =>
  declareCommand(
    'verify',
    "check every stream's hash chain, and the log against anchors",
    [
      "Checks every stream's hash chain, and that no event the read models saw has gone from the log; names each damaged event and never stops at the first. With --anchor (an anchor from npm run anchor or GET /trail/anchors), also that the jurisdiction's trail up to the anchor's position is exactly what was signed: no stream changed, removed or added.",
      "The anchor's signature is checked with --key, else TRAIL_VERIFY_KEY, else the public half of TRAIL_SIGNING_KEY. Exit code 0: intact; 1: something was tampered with or an anchor is refused; 2: a wrong call (an unreadable anchor or key file, no key to trust).",
    ],
    ['npm run -s verify', 'npm run -s verify -- --anchor anchor.json --key trail-key.pub.pem'],
  )
    .usage('[--anchor FILE]… [--key PUBLIC_KEY_FILE]')
    .option('--anchor <file>', 'an anchor to check the log against (repeat for several)', collect)
    .option('--key <file>', "the public key (PEM) to trust for the anchors' signatures");

export interface VerifyOptions {
  readonly anchor?: string[];
  readonly key?: string;
}

type Out = (line: string) => void;
const stdout: Out = (l) => process.stdout.write(`${l}\n`);

interface GivenAnchor {
  readonly file: string;
  readonly anchor: unknown;
}

/**
 * `npm run verify`: checks the hash chain of every stream, that no event the read models saw has gone from the log,
 * and the log against any anchors given. Reports what it finds; never stops at the first damaged record.
 */
export async function verifyCommand(argv: string[] = [], out: Out = stdout): Promise<number> {
  let values: VerifyOptions;
  try {
    values = parseCommandLine<VerifyOptions>(verifyCommandLine(), argv).options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out(`${error.message}\n${helpOf(verifyCommandLine())}`);
    return 2;
  }
  return verify(values, out);
}

/** The verification for options already parsed. */
export async function verify(values: VerifyOptions, out: Out = stdout): Promise<number> {
  const given: GivenAnchor[] = [];
  for (const file of values.anchor ?? []) {
    try {
      given.push({ file, anchor: JSON.parse(readFileSync(file, 'utf8')) });
    } catch (error) {
      out(`cannot read the anchor ${file}: ${(error as Error).message}`);
      return 2;
    }
  }
  let keyFromFile: KeyObject | undefined;
  if (values.key !== undefined) {
    try {
      keyFromFile = parseEd25519Key('--key', readFileSync(values.key, 'utf8'), 'public');
    } catch (error) {
      out(error instanceof ConfigError ? `${error.message} (${values.key})` : `cannot read the key ${values.key}: ${(error as Error).message}`);
      return 2;
    }
  }

  return withStores(async ({ config, store, readStore, projections }) => {
    const trusted = keyFromFile ?? config.trailVerifyKey;
    if (given.length > 0 && !trusted) {
      out(`cannot check an anchor's signature without the public key to trust: --key FILE, or TRAIL_VERIFY_KEY (PEM or base64 SPKI)`);
      return 2;
    }

    // What the read models saw. A row whose document is gone is reported, not dereferenced.
    const problems: string[] = [];
    await readStore.ensure(projections.map((p) => p.collection));
    const known = new Map<string, number>();
    const remember = (stream: string, revision: number) => known.set(stream, Math.max(known.get(stream) ?? -1, revision));
    const readModel = async <T extends Doc>(collection: string, use: (doc: T) => void) => {
      let missing = 0;
      let docs: T[];
      try {
        docs = (await readStore.find<T>(collection)).items;
      } catch (error) {
        problems.push(`DAMAGED read model ${collection}: it cannot be read (${(error as Error).message}); npm run rebuild makes it again from the log`);
        return;
      }
      for (const doc of docs) {
        if (doc === undefined || doc === null) missing++;
        else use(doc);
      }
      if (missing > 0)
        problems.push(
          `DAMAGED read model ${collection}: ${missing} entr${missing === 1 ? 'y has' : 'ies have'} no document: the read models were altered, ` +
            'so events they saw may have been removed unnoticed (npm run rebuild makes them again from the log)',
        );
    };
    await readModel<Doc & { stream: string; revision: number }>(AUDIT, (doc) => remember(doc.stream, doc.revision));
    await readModel<Doc & { tenant: string; proposalId: string; revision: number }>(PROPOSALS, (doc) => remember(`proposal-${doc.tenant}:${doc.proposalId}`, doc.revision));

    const refusals: string[] = [];
    const genuine: { file: string; anchor: Anchor }[] = [];
    for (const { file, anchor } of given) {
      const refusal = anchorRefusal(anchor, trusted as KeyObject);
      if (refusal) refusals.push(`REFUSED anchor ${file}: ${refusal}`);
      else genuine.push({ file, anchor: anchor as Anchor });
    }

    let report: Awaited<ReturnType<typeof verifyTrail>>;
    try {
      report = await verifyTrail(store, known, { snapshots: genuine.map((g) => g.anchor.statement.position) });
    } catch (error) {
      // The store itself refuses to hand out an event (a row that is no longer JSON, say): nothing after it can be
      // checked, and that is the finding.
      for (const line of problems) out(line);
      out(`DAMAGED event log: it cannot be read to the end (${(error as Error).message})`);
      out(`NOT intact: the log could not be read, ${problems.length + 1} problem(s)`);
      return 1;
    }
    for (const p of report.problems) problems.push(`TAMPERED ${p.stream} revision ${p.revision}${p.position === undefined ? '' : ` (position ${p.position})`}: ${p.problem}`);

    const matched: string[] = [];
    for (const { file, anchor } of genuine) {
      const { tenant, position, events, streams, time } = anchor.statement;
      const comparison = compareWithAnchor(anchor, report.snapshots.get(position) as TrailSnapshot);
      for (const d of comparison.differences) problems.push(`TAMPERED ${d.stream} since the anchor ${file}: ${describeDifference(d, position)}`);
      if (comparison.events.now !== comparison.events.anchored)
        problems.push(`TAMPERED ${tenant} since the anchor ${file}: it counts ${comparison.events.anchored} events at or before position ${position}, the log has ${comparison.events.now}`);
      if (comparison.differences.length === 0 && comparison.events.now === comparison.events.anchored)
        matched.push(`anchor ${file}: ${tenant} at position ${position} (${time}), ${events} events in ${streams} streams, root ${anchor.statement.root}: unchanged`);
    }

    for (const line of [...problems, ...refusals, ...matched]) out(line);
    const checked = `${report.events.toLocaleString('en-US')} events in ${report.streams.toLocaleString('en-US')} streams checked, ${problems.length} problem(s)`;
    const anchors = given.length === 0 ? '' : `; ${matched.length} of ${given.length} anchor(s) matched (key ${keyFingerprint(trusted as KeyObject)})`;
    const verdict = problems.length > 0 ? 'NOT intact' : refusals.length > 0 ? 'NOT verified (an anchor was refused)' : 'intact';
    out(`${verdict}: ${checked}${anchors}`);
    return problems.length === 0 && refusals.length === 0 ? 0 : 1;
  });
}
