import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { eventSchemaDocument } from '../event-schemas.js';

export interface StoredEventLike {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/**
 * Checks stored events against the published schema document (event-schemas.ts) with Ajv in strict mode: each
 * problem as one readable line; `no schema` when the stored type has none.
 */
export function eventValidator(): (event: StoredEventLike) => string[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const document = eventSchemaDocument();
  ajv.addSchema(document);
  const id = document.$id as string;
  const line = (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`;
  return (event) => {
    const validate = ajv.getSchema(`${id}#/$defs/${event.type}`);
    if (!validate) return [`${event.type}: no schema`];
    if (validate({ type: event.type, data: event.data, metadata: event.metadata })) return [];
    return (validate.errors ?? []).map((e) => `${event.type} ${line(e)}`);
  };
}
