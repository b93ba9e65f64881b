import { createHash } from 'node:crypto';
import { canonicalJson } from './hash-chain.js';

/** One stream as an anchor remembers it: its last revision at the anchor's position and that event's chain hash. */
export interface StreamHead {
  readonly stream: string;
  readonly revision: number;
  /** The chain hash (hash-chain.ts) of the event at `revision`, recomputed from the stored content. */
  readonly head: string;
}

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/**
 * Streams in the order the tree takes them: by the UTF-8 bytes of their names, so that a verifier written in any
 * language sorts them the same way.
 */
export function sortHeads(heads: Iterable<StreamHead>): StreamHead[] {
  return [...heads].sort((a, b) => Buffer.compare(Buffer.from(a.stream, 'utf8'), Buffer.from(b.stream, 'utf8')));
}

/** RFC 6962's leaf hash: SHA-256(0x00 ‖ data). */
export const leafHashOf = (data: string | Buffer): Buffer => sha256(LEAF, data);

/** A stream's leaf: the leaf hash of the UTF-8 JSON array [stream, revision, head], unambiguous whatever a name holds. */
export function leafHash(head: StreamHead): Buffer {
  return leafHashOf(canonicalJson([head.stream, head.revision, head.head]));
}

/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency, §2.1) over the leaves in the given order: the empty
 * tree is SHA-256 of nothing, one leaf is its leaf hash, and n > 1 leaves split at k, the largest power of two
 * below n: SHA-256(0x01 ‖ MTH(first k) ‖ MTH(the rest)). The 0x00/0x01 prefixes keep a leaf from passing for a node.
 */
export function merkleRoot(sortedHeads: readonly StreamHead[]): string {
  return merkleTreeHash(sortedHeads.map(leafHash)).toString('hex');
}

/** MTH over leaf hashes already computed. */
export function merkleTreeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  // Level by level, bottom up: the same tree as the recursive definition (a left subtree is always complete).
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(sha256(NODE, level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}
