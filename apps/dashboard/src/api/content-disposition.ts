/**
 * The file name a download is saved under, from the API's Content-Disposition (RFC 6266): pure, so that a spec reads
 * it without a browser (test/dashboard/content-disposition.unit.spec.ts).
 */

/**
 * The name to save as: `filename*` (RFC 5987, `UTF-8''` and percent-encoded, so it keeps its Chinese) when given,
 * else the quoted or bare `filename`, else `fallback`. A name is never a path.
 */
export function filenameOf(disposition: string | null, fallback: string): string {
  const header = disposition ?? '';
  const star = /filename\*\s*=\s*([^';]*)'[^']*'([^;]+)/i.exec(header);
  let name: string | undefined;
  if (star && /^utf-8$/i.test(star[1].trim())) {
    try {
      name = decodeURIComponent(star[2].trim());
    } catch {
      name = undefined; // a malformed escape: the plain filename instead
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2].trim()) : undefined;
  }
  const safe = name?.replace(/[\\/]/g, '_').trim();
  return safe || fallback;
}
