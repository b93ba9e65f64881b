import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TENANT, type AppConfig } from '@app/config';
import type { EventStore } from '@app/event-store';
import { keyFingerprint, latestAnchor, makeAnchors, publicKeyPem, recordAnchor, type Anchor, type RecordedAnchor } from '@app/command-handling';
import { declareCommand, helpOf, parseCommandLine, UsageError } from './command-line.js';
import { withStores } from './stores.js';

/** `npm run anchor`: its command line, declared once (the program's help and parsing, and anchorCommand's). */
export const anchorCommandLine = (): Command =>
  declareCommand(
    'anchor',
    'sign and record an anchor of the trail (docs/trail.md)',
    [
      "Signs an anchor of the jurisdiction's trail with TRAIL_SIGNING_KEY (its position, event count and the Merkle root of every stream's head), records it (GET /trail/anchors) and prints it as JSON; keep a copy where the data files are not, and check the log against it later with npm run -s verify -- --anchor FILE.",
      '--new-key prints a new Ed25519 signing key (PEM) to keep outside DATA_DIR; --public-key prints the public key of TRAIL_SIGNING_KEY, for auditors. Exit code 1: the trail no longer matches its last anchor (no anchor recorded); 2: no TRAIL_SIGNING_KEY, or a wrong call.',
    ],
    [
      'npm run -s anchor -- --new-key > ~/trail-signing-key.pem && export TRAIL_SIGNING_KEY="$(cat ~/trail-signing-key.pem)"',
      'npm run -s anchor -- --public-key > trail-key.pub.pem',
      'npm run -s anchor > anchor.json',
    ],
  )
    .option('--tenant <tenant>', 'the jurisdiction (default TENANT)')
    .option('--out <file>', 'also write the anchor to this file')
    .option('--new-key', 'print a new Ed25519 signing key (PEM) and nothing else')
    .option('--public-key', 'print the public key of TRAIL_SIGNING_KEY (PEM)');

export interface AnchorOptions {
  readonly tenant?: string;
  readonly out?: string;
  readonly newKey?: boolean;
  readonly publicKey?: boolean;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
const processIo: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

export const MISSING_KEY = `TRAIL_SIGNING_KEY is not set: anchors are signed with an Ed25519 key kept outside DATA_DIR.
Make one and keep it apart from the data files (another disk, a secrets store):
  npm run -s anchor -- --new-key > ~/trail-signing-key.pem      (or: openssl genpkey -algorithm ed25519 -out ~/trail-signing-key.pem)
  export TRAIL_SIGNING_KEY="$(cat ~/trail-signing-key.pem)"
and give auditors its public key: npm run -s anchor -- --public-key > trail-key.pub.pem`;

/** `npm run anchor`: sign, record and print an anchor of the trail (docs/trail.md). */
export async function anchorCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  let values: AnchorOptions;
  try {
    values = parseCommandLine<AnchorOptions>(anchorCommandLine(), argv).options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n${helpOf(anchorCommandLine())}`);
    return 2;
  }
  return anchor(values, io);
}

/** The anchor (or key) for options already parsed. */
export async function anchor(values: AnchorOptions, io: CliIo = processIo): Promise<number> {
  if (values.newKey) return newKey(io);
  if (values.tenant !== undefined && !TENANT.test(values.tenant)) {
    io.err('--tenant must be lower-case letters, digits and dashes');
    return 2;
  }
  return withStores(async ({ config, store }) => {
    if (!config.trailSigningKey) {
      io.err(MISSING_KEY);
      return 2;
    }
    if (values.publicKey) {
      io.out(publicKeyPem(config.trailSigningKey).trimEnd());
      io.err(`fingerprint: ${keyFingerprint(config.trailSigningKey)}`);
      return 0;
    }
    const result = await anchorNow(config, store, values.tenant ?? config.defaultTenant, 'npm run anchor');
    if ('refused' in result) {
      io.err(`no anchor: ${result.refused}`);
      return 1;
    }
    const text = formatAnchor(result.recorded);
    if (values.out) writeFileSync(values.out, `${text}\n`);
    io.out(text);
    io.err(summary(result.recorded));
    return 0;
  });
}

/**
 * Makes, checks and records one jurisdiction's anchor: refused when the chain is broken or the log no longer
 * matches the jurisdiction's previous anchor. Also the end of `npm run report`.
 */
export async function anchorNow(
  config: AppConfig,
  store: EventStore,
  tenant: string,
  by: string,
): Promise<{ recorded: RecordedAnchor } | { refused: string }> {
  const key = config.trailSigningKey;
  if (!key) return { refused: 'TRAIL_SIGNING_KEY is not set' };
  const [outcome] = await makeAnchors(store, { key, tenants: [tenant], previous: (t) => latestAnchor(store, t) });
  if ('refused' in outcome) return { refused: outcome.refused.message };
  return { recorded: await recordAnchor(store, outcome.anchor, by) };
}

export const summary = (a: RecordedAnchor): string =>
  `anchor of ${a.statement.tenant} at position ${a.statement.position}: ${a.statement.events} events in ${a.statement.streams} streams, ` +
  `root ${a.statement.root}, signed by ${a.statement.key}; recorded as revision ${a.recorded.revision} of anchor-${a.statement.tenant}`;

/** JSON an auditor can read: the statement spelled out, one line per leaf. */
export function formatAnchor(anchor: Anchor | RecordedAnchor): string {
  const { statement, signature, leaves, ...rest } = anchor as RecordedAnchor;
  const lines = [
    '{',
    `  "statement": ${JSON.stringify(statement, null, 2).replace(/\n/g, '\n  ')},`,
    `  "signature": ${JSON.stringify(signature)},`,
    `  "leaves": [${leaves.length === 0 ? ']' : ''}`,
    ...leaves.map((l, i) => `    ${JSON.stringify({ stream: l.stream, revision: l.revision, head: l.head })}${i < leaves.length - 1 ? ',' : ''}`),
    ...(leaves.length === 0 ? [] : ['  ]']),
  ];
  const extra = Object.entries(rest);
  if (extra.length > 0) {
    lines[lines.length - 1] += ',';
    extra.forEach(([k, v], i) => lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < extra.length - 1 ? ',' : ''}`));
  }
  lines.push('}');
  return lines.join('\n');
}

function newKey(io: CliIo): number {
  const { privateKey } = generateKeyPairSync('ed25519');
  io.out(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trimEnd());
  io.err(
    `A new Ed25519 signing key (above, on stdout). Keep it outside DATA_DIR, then:\n` +
      `  export TRAIL_SIGNING_KEY="$(cat the-file-you-saved-it-in.pem)"\n` +
      `Its public key, for auditors (TRAIL_VERIFY_KEY or npm run -s verify -- --key FILE), fingerprint ${keyFingerprint(privateKey)}:\n` +
      publicKeyPem(privateKey).trimEnd(),
  );
  return 0;
}
