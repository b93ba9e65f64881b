import { createHash } from 'node:crypto';
import { leafHash, leafHashOf, merkleRoot, merkleTreeHash, sortHeads } from './merkle.js';

const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** RFC 6962 §2.1 as written: split at the largest power of two below n. */
function reference(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), reference(leaves.slice(0, k)), reference(leaves.slice(k)));
}

describe('the anchors’ Merkle tree (RFC 6962)', () => {
  // The Certificate Transparency test vectors: the leaf inputs and the tree heads of their first 0…8.
  const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('gives the published tree heads for 0 to 8 leaves', () => {
    for (let n = 0; n <= 8; n++) expect(merkleTreeHash(inputs.slice(0, n).map(leafHashOf)).toString('hex')).toBe(roots[n]);
  });

  it('is the recursive definition for every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHashOf(Buffer.from([i, i * 3])));
    for (let n = 0; n <= 70; n++) expect(merkleTreeHash(leaves.slice(0, n))).toEqual(reference(leaves.slice(0, n)));
  });

  it('hashes a stream as the JSON array [stream, revision, head], streams in UTF-8 byte order', () => {
    const head = { stream: 'proposal-jinshan:p1', revision: 9, head: 'ab'.repeat(32) };
    expect(leafHash(head)).toEqual(sha256(Buffer.from([0]), Buffer.from(`["proposal-jinshan:p1",9,"${'ab'.repeat(32)}"]`)));
    const names = ['session-jinshan:6-3', 'proposal-jinshan:提案', 'proposal-jinshan:Z', 'proposal-jinshan:a'];
    expect(sortHeads(names.map((stream) => ({ stream, revision: 0, head: '' }))).map((h) => h.stream)).toEqual([
      'proposal-jinshan:Z',
      'proposal-jinshan:a',
      'proposal-jinshan:提案',
      'session-jinshan:6-3',
    ]);
    // Any change to a leaf changes the root.
    const heads = names.map((stream, i) => ({ stream, revision: i, head: String(i).repeat(64) }));
    const root = merkleRoot(sortHeads(heads));
    expect(merkleRoot(sortHeads(heads.map((h, i) => (i === 2 ? { ...h, revision: h.revision + 1 } : h))))).not.toBe(root);
    expect(merkleRoot(sortHeads(heads.slice(1)))).not.toBe(root);
  });
});
