import { hash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export interface ChainLink {
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  /** The metadata as stored, without its `hash`. */
  readonly metadata: Record<string, unknown>;
}

/**
 * Each event's metadata keeps `hash` = SHA-256 over the previous event's hash and this event's place, type, data
 * and metadata. Editing, removing or reordering a stored event breaks every hash after it (`npm run verify`).
 * Data and metadata are hashed as JSON.stringify writes them: parsing stored JSON and writing it again gives the
 * same text, so a verifier recomputes the hash from what it reads, in any store.
 */
export function chainHash(previousHash: string | null, link: ChainLink): string {
  return chainHashOfJson(previousHash, link.stream, link.revision, link.type, JSON.stringify(link.data), JSON.stringify(link.metadata));
}

/**
 * The same hash from the JSON text of data and metadata, for a writer that stores that very text. One string and
 * a one-shot digest: a Hash object with an update per part cost more than the digest itself.
 */
export function chainHashOfJson(
  previousHash: string | null,
  stream: string,
  revision: number,
  type: string,
  dataJson: string,
  metadataJson: string,
): string {
  return hash('sha256', `${previousHash ?? ''}\n${stream}\n${revision}\n${type}\n${dataJson}\n${metadataJson}`, 'hex');
}

/** The metadata's JSON with `hash` added as its last key, as JSON.stringify({ ...metadata, hash }) writes it. */
export function withHashJson(metadataJson: string, hash: string): string {
  return metadataJson === '{}' ? `{"hash":"${hash}"}` : `${metadataJson.slice(0, -1)},"hash":"${hash}"}`;
}

/** The metadata as it was hashed: `hash` is always its last key, so removing it restores the hashed text. */
export function withoutHash(metadata: Record<string, unknown>): Record<string, unknown> {
  const { hash: _hash, ...rest } = metadata;
  return rest;
}
