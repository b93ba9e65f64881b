import { createHash, randomUUID } from 'node:crypto';

/** Who a caller is, as far as a retry is concerned: the same sub under another role or unit is someone else. */
export interface PrincipalRef {
  readonly id: string;
  readonly role: string;
  readonly unit?: string;
}

const principalParts = (caller: PrincipalRef): string[] => [caller.role, caller.id, caller.unit ?? ''];

/** A name-based UUID (version 5 layout over SHA-1): the same parts always give the same id. */
export function nameBasedUuid(...parts: string[]): string {
  const bytes = createHash('sha1').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The command id: derived from the Idempotency-Key, scoped to the jurisdiction and the whole principal (sub, role,
 * unit), so that a retry is recognised as the same command and its events get the same ids; random otherwise.
 */
export function commandIdFor(tenant: string, caller: PrincipalRef, idempotencyKey?: string): string {
  return idempotencyKey === undefined ? randomUUID() : nameBasedUuid('command', tenant, ...principalParts(caller), idempotencyKey);
}

/** Event ids follow from the command id when the command may be retried (it has an Idempotency-Key). */
export const eventIdFor = (commandId: string, stream: string, index: number, retriable: boolean): string =>
  retriable ? nameBasedUuid('event', commandId, stream, String(index)) : randomUUID();

/** A new proposal's id; a retried filing with the same Idempotency-Key names the same proposal. */
export function proposalIdFor(tenant: string, caller: PrincipalRef, idempotencyKey?: string): string {
  return idempotencyKey === undefined ? randomUUID() : nameBasedUuid('proposal', tenant, ...principalParts(caller), idempotencyKey);
}
