import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Signature: t=<unix seconds>,v1=<hex>`: HMAC-SHA256 with the subscription's secret over `<t>.<body>`, as payment
 * providers sign their webhooks. The receiver recomputes it over the raw body it received, compares in constant
 * time, and refuses a timestamp too far from its clock (a replayed delivery); docs/webhooks.md shows one.
 */
export const SIGNATURE_HEADER = 'x-signature';

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether the header signs this body with this secret, within `toleranceSeconds` of `now` (seconds). */
export function verifySignature(secret: string, header: string | undefined, body: string, now: number, toleranceSeconds = 300): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const timestamp = Number(m[1]);
  if (Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, timestamp, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}
