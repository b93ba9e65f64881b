/**
 * Stream names: category, dash, jurisdiction, colon, id — `proposal-jinshan:7f3c…`, `session-jinshan:6-3`.
 * EventStoreDB's category projection splits at the first dash, so `$ce-proposal` holds every proposal of every
 * jurisdiction, and the prefix `proposal-jinshan:` holds one jurisdiction's.
 */
export type StreamCategory = 'proposal' | 'session' | 'directory' | 'reminders';

export const streamName = (category: StreamCategory, tenant: string, id: string): string => `${category}-${tenant}:${id}`;
export const proposalStream = (tenant: string, id: string): string => streamName('proposal', tenant, id);
export const sessionStream = (tenant: string, id: string): string => streamName('session', tenant, id);
/** One directory per jurisdiction: its units, members and staff accounts. */
export const directoryStream = (tenant: string): string => streamName('directory', tenant, 'main');
/** One reminders stream per jurisdiction: every reminder sent about its proposals. */
export const remindersStream = (tenant: string): string => streamName('reminders', tenant, 'main');

export function parseStreamName(stream: string): { category: StreamCategory; tenant: string; id: string } | undefined {
  const m = /^(proposal|session|directory|reminders)-([a-z0-9][a-z0-9-]*):(.+)$/.exec(stream);
  return m ? { category: m[1] as StreamCategory, tenant: m[2], id: m[3] } : undefined;
}

/** Every stream of one jurisdiction. */
export const tenantPrefixes = (tenant: string): string[] => [`proposal-${tenant}:`, `session-${tenant}:`, `directory-${tenant}:`, `reminders-${tenant}:`];

/** What a stream holds, for messages: `proposal`, `session`, or `stream` for one this application does not name. */
export const streamKindOf = (stream: string): string => parseStreamName(stream)?.category ?? 'stream';
