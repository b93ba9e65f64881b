import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { EventStore } from '@app/event-store';
import { canonicalJson } from './hash-chain.js';
import { merkleRoot, sortHeads, type StreamHead } from './merkle.js';
import { parseStreamName, tenantPrefixes } from '@app/proposals';
import { verifyTrail, type TrailProblem, type TrailSnapshot } from './verify-trail.js';

/**
 * An anchor: a signed statement of what one jurisdiction's trail was at one position of the log, as a
 * transparency log publishes its signed tree heads. The files hold the events and their hash chains, and whoever
 * can write them can rewrite an event and recompute its chain; they do not hold the signing key, so they cannot
 * make an anchor, and an anchor made before the rewrite no longer matches the log. See docs/trail.md.
 */
export const ANCHOR_FORMAT = 'cppcc-trail-anchor/1';

/** What is signed: the canonical JSON (hash-chain.ts) of this object, as UTF-8. */
export interface AnchorStatement {
  readonly format: typeof ANCHOR_FORMAT;
  /** The jurisdiction: its `proposal-<tenant>:` and `session-<tenant>:` streams are covered, nothing else. */
  readonly tenant: string;
  /** The global position: every event of those streams at or before it. */
  readonly position: number;
  /** How many events of those streams there were at or before `position`. */
  readonly events: number;
  /** How many streams: the leaves of the tree. */
  readonly streams: number;
  /** The Merkle tree hash (merkle.ts, RFC 6962) over every stream's head, streams sorted by name. */
  readonly root: string;
  /** When the anchor was made (ISO 8601). */
  readonly time: string;
  /** The fingerprint of the signing key's public half: `ed25519:` + hex SHA-256 of its SPKI DER encoding. */
  readonly key: string;
}

export interface Anchor {
  readonly statement: AnchorStatement;
  /** Base64 Ed25519 signature of the statement. */
  readonly signature: string;
  /** The tree's leaves: what lets a verifier name the streams that differ. The signed root covers them. */
  readonly leaves: readonly StreamHead[];
}

export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return `ed25519:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

export function publicKeyPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'pem' }).toString();
}

/** The heads of one jurisdiction's streams in a snapshot of the walk, and how many events they hold. */
export function tenantHeads(snapshot: TrailSnapshot, tenant: string): { heads: StreamHead[]; events: number } {
  const prefixes = tenantPrefixes(tenant);
  const heads: StreamHead[] = [];
  let events = 0;
  for (const h of snapshot.heads.values())
    if (prefixes.some((p) => h.stream.startsWith(p))) {
      heads.push({ stream: h.stream, revision: h.revision, head: h.head });
      events += h.events;
    }
  return { heads: sortHeads(heads), events };
}

export function signAnchor(fields: Omit<AnchorStatement, 'format' | 'root' | 'streams' | 'key'>, heads: readonly StreamHead[], key: KeyObject): Anchor {
  const leaves = sortHeads(heads);
  const statement: AnchorStatement = {
    format: ANCHOR_FORMAT,
    tenant: fields.tenant,
    position: fields.position,
    events: fields.events,
    streams: leaves.length,
    root: merkleRoot(leaves),
    time: fields.time,
    key: keyFingerprint(key),
  };
  return { statement, signature: sign(null, Buffer.from(canonicalJson(statement)), key).toString('base64'), leaves };
}

/** Why an anchor is not to be trusted, or undefined when it is genuine (signed by `trusted`, leaves intact). */
export function anchorRefusal(anchor: unknown, trusted: KeyObject): string | undefined {
  const shape = anchorShapeProblem(anchor);
  if (shape) return `it is not an anchor: ${shape}`;
  const { statement, signature, leaves } = anchor as Anchor;
  const fingerprint = keyFingerprint(trusted);
  if (statement.key !== fingerprint) return `it names the key ${statement.key}, not the trusted key ${fingerprint}`;
  let valid = false;
  try {
    valid = verify(null, Buffer.from(canonicalJson(statement)), trusted, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return 'its signature does not verify with the trusted key: the statement was edited, or signed with another key';
  if (leaves.length !== statement.streams || merkleRoot(sortHeads(leaves)) !== statement.root)
    return 'its leaves do not give its signed root: the list of streams was edited';
  return undefined;
}

function anchorShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const { statement: s, signature, leaves } = value as Record<string, unknown>;
  if (typeof s !== 'object' || s === null) return 'no statement';
  const st = s as Record<string, unknown>;
  if (st.format !== ANCHOR_FORMAT) return `the statement's format is not ${ANCHOR_FORMAT}`;
  for (const field of ['tenant', 'root', 'time', 'key']) if (typeof st[field] !== 'string') return `the statement has no ${field}`;
  for (const field of ['position', 'events', 'streams'])
    if (!Number.isSafeInteger(st[field]) || (st[field] as number) < 0) return `the statement's ${field} is not a whole number`;
  if (typeof signature !== 'string') return 'no signature';
  if (!Array.isArray(leaves)) return 'no leaves';
  for (const leaf of leaves as unknown[]) {
    const l = leaf as Record<string, unknown> | null;
    if (typeof l !== 'object' || l === null || typeof l.stream !== 'string' || !Number.isSafeInteger(l.revision) || typeof l.head !== 'string')
      return 'a leaf is not { stream, revision, head }';
  }
  return undefined;
}

export interface AnchorDifference {
  readonly stream: string;
  readonly kind: 'changed' | 'missing' | 'new';
  readonly anchored?: { readonly revision: number; readonly head: string };
  readonly now?: { readonly revision: number; readonly head: string };
}

export interface AnchorComparison {
  readonly differences: readonly AnchorDifference[];
  /** Events of the jurisdiction at or before the position, as anchored and as the log has them now. */
  readonly events: { readonly anchored: number; readonly now: number };
  /** The root recomputed from the log as it is now: equal to the anchored one when nothing differs. */
  readonly root: string;
}

/** What differs between a genuine anchor and the log's snapshot at the anchor's position. */
export function compareWithAnchor(anchor: Anchor, snapshot: TrailSnapshot): AnchorComparison {
  const { heads, events } = tenantHeads(snapshot, anchor.statement.tenant);
  const now = new Map(heads.map((h) => [h.stream, h]));
  const differences: AnchorDifference[] = [];
  for (const leaf of sortHeads(anchor.leaves)) {
    const current = now.get(leaf.stream);
    const anchored = { revision: leaf.revision, head: leaf.head };
    if (!current) differences.push({ stream: leaf.stream, kind: 'missing', anchored });
    else if (current.revision !== leaf.revision || current.head !== leaf.head)
      differences.push({ stream: leaf.stream, kind: 'changed', anchored, now: { revision: current.revision, head: current.head } });
    now.delete(leaf.stream);
  }
  for (const h of now.values()) differences.push({ stream: h.stream, kind: 'new', now: { revision: h.revision, head: h.head } });
  return { differences, events: { anchored: anchor.statement.events, now: events }, root: merkleRoot(heads) };
}

/** A difference in words, for the verifier's output. */
export function describeDifference(d: AnchorDifference, position: number): string {
  const at = (h: { revision: number; head: string }) => `revision ${h.revision} (head ${h.head.slice(0, 16)}…)`;
  switch (d.kind) {
    case 'missing':
      return `missing: anchored at ${at(d.anchored!)}, no event of it at or before position ${position}: the stream was removed`;
    case 'new':
      return `new: ${at(d.now!)} at or before position ${position}, which the anchor does not hold: events were inserted`;
    case 'changed': {
      const a = d.anchored!;
      const n = d.now!;
      const how =
        n.revision < a.revision ? 'events were removed' : n.revision > a.revision ? 'events were inserted before the position' : 'an event was rewritten';
      return `changed: anchored ${at(a)}, now ${at(n)}: ${how}`;
    }
  }
}

/** The log's chain is broken in the streams an anchor would cover: anchoring it would vouch for the damage. */
export class TrailNotIntact extends Error {
  constructor(
    readonly tenant: string,
    readonly problems: readonly TrailProblem[],
  ) {
    super(`the trail of ${tenant} is not intact (${problems.length} problem(s), first: ${problems[0]?.stream} revision ${problems[0]?.revision}: ${problems[0]?.problem}); run npm run verify`);
    this.name = 'TrailNotIntact';
  }
}

/** The log no longer matches the newest anchor recorded before: it was rewritten since. */
export class TrailDiverged extends Error {
  constructor(
    readonly tenant: string,
    readonly previous: AnchorStatement,
    readonly differences: readonly AnchorDifference[],
  ) {
    const first = differences[0];
    super(
      `the trail of ${tenant} no longer matches its anchor at position ${previous.position} (${previous.time}): ` +
        (first ? `${differences.length} stream(s) differ, first ${first.stream}: ${describeDifference(first, previous.position)}` : 'its event count differs') +
        '; run npm run verify -- --anchor FILE',
    );
    this.name = 'TrailDiverged';
  }
}

export interface MakeAnchorsOptions {
  readonly key: KeyObject;
  readonly clock?: () => Date;
  /** Only these jurisdictions; default: every jurisdiction that has a stream. */
  readonly tenants?: readonly string[];
  /**
   * The newest anchor recorded before for a jurisdiction: the log must still match it, or no new anchor is made
   * (the next anchor would otherwise vouch for a rewrite). Ones not signed by `key` are ignored.
   */
  readonly previous?: (tenant: string) => Promise<Anchor | undefined>;
  /** Jurisdictions whose previous anchors to look up before the walk, so that one walk does (default: `tenants`). */
  readonly expectedTenants?: readonly string[];
  readonly pageSize?: number;
}

/**
 * One walk of the log (verify-trail.ts) up to its current head, then one signed anchor per jurisdiction. Refuses
 * (TrailNotIntact, TrailDiverged) rather than anchor a log whose chain is broken or which no longer matches the
 * previous anchor. A jurisdiction found in the walk whose previous anchor was not looked up before costs a second
 * walk, for the snapshot at that anchor's position.
 */
export type AnchorOutcome =
  | { readonly tenant: string; readonly anchor: Anchor }
  | { readonly tenant: string; readonly refused: TrailNotIntact | TrailDiverged };

export async function makeAnchors(store: EventStore, options: MakeAnchorsOptions): Promise<AnchorOutcome[]> {
  const position = await store.headPosition();
  const previous = new Map<string, Anchor>();
  const lookUp = async (tenants: readonly string[]) => {
    for (const tenant of tenants) {
      if (previous.has(tenant) || !options.previous) continue;
      const anchor = await options.previous(tenant);
      if (anchor && anchorRefusal(anchor, options.key) === undefined) previous.set(tenant, anchor);
    }
  };
  await lookUp(options.expectedTenants ?? options.tenants ?? []);
  const report = await verifyTrail(store, new Map(), { pageSize: options.pageSize, snapshots: [position, ...[...previous.values()].map((a) => a.statement.position)] });
  const snapshots = new Map(report.snapshots);
  const snapshot = snapshots.get(position) as TrailSnapshot;
  const tenants = options.tenants ?? [...new Set([...snapshot.heads.keys()].map((s) => parseStreamName(s)?.tenant).filter((t) => t !== undefined))].sort();
  await lookUp(tenants);
  const unseen = [...previous.values()].map((a) => a.statement.position).filter((p) => !snapshots.has(p));
  if (unseen.length > 0) for (const [at, s] of (await verifyTrail(store, new Map(), { pageSize: options.pageSize, snapshots: unseen })).snapshots) snapshots.set(at, s);
  const time = (options.clock ?? (() => new Date()))().toISOString();
  return tenants.map((tenant): AnchorOutcome => {
    const prefixes = tenantPrefixes(tenant);
    const problems = report.problems.filter((p) => prefixes.some((prefix) => p.stream.startsWith(prefix)) && (p.position ?? 0) <= position);
    if (problems.length > 0) return { tenant, refused: new TrailNotIntact(tenant, problems) };
    const before = previous.get(tenant);
    if (before) {
      const comparison = compareWithAnchor(before, snapshots.get(before.statement.position) as TrailSnapshot);
      if (comparison.differences.length > 0 || comparison.events.now !== comparison.events.anchored)
        return { tenant, refused: new TrailDiverged(tenant, before.statement, comparison.differences) };
    }
    const { heads, events } = tenantHeads(snapshot, tenant);
    return { tenant, anchor: signAnchor({ tenant, position, events, time }, heads, options.key) };
  });
}
