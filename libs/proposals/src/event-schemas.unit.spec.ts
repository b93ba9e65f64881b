import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventCodec, STORED_TYPES } from './codec.js';
import { COMPATIBILITY, EVENT_METADATA_SCHEMA, STORED_EVENT_SCHEMAS, TRAIL_METADATA_SCHEMA, eventSchemaDocument, type JsonSchema } from './event-schemas.js';
import { eventValidator } from './testing/event-validator.js';

const metadata = {
  tenant: 'jinshan',
  actor: { id: 'm-1', role: 'member', name: '张委员' },
  occurredAt: '2019-04-15T02:00:00.000Z',
  recordedAt: '2019-04-15T02:00:01.000Z',
  commandId: '3b241101-e2bb-4255-8caf-4136c566a962',
  commandType: 'FileProposal',
  correlationId: 'req-1',
  causationId: '3b241101-e2bb-4255-8caf-4136c566a962',
  names: { units: {}, members: { 'm-1': '张委员' } },
  hash: 'a'.repeat(64),
};

describe('the stored events’ schemas', () => {
  const validate = eventValidator();

  it('has a schema for every stored name the codec reads: current types and the old ones it upcasts', () => {
    const published = STORED_EVENT_SCHEMAS.map((s) => s.type);
    expect(eventCodec.storedTypes.filter((t) => !published.includes(t))).toEqual([]);
    expect(Object.values(STORED_TYPES).every((t) => STORED_EVENT_SCHEMAS.find((s) => s.type === t)?.current)).toBe(true);
    expect(STORED_EVENT_SCHEMAS.find((s) => s.type === 'proposal.filed.v1')).toMatchObject({ current: false, readAs: 'proposal.filed.v2', version: 1 });
  });

  it('says no schema for a stored type it does not know', () => {
    expect(validate({ type: 'proposal.teleported.v1', data: {}, metadata })).toEqual(['proposal.teleported.v1: no schema']);
  });

  it('accepts an event as stored, and refuses an undescribed field, a missing one and a word outside the vocabulary', () => {
    const data = { unit: 'fgw', category: 'A', text: '已纳入扶持政策。', publish: true };
    expect(validate({ type: 'proposal.answered.v1', data, metadata })).toEqual([]);
    expect(validate({ type: 'proposal.answered.v1', data: { ...data, score: 3 }, metadata })).toEqual([
      'proposal.answered.v1 /data must NOT have additional properties: score',
    ]);
    const { text: _text, ...withoutText } = data;
    expect(validate({ type: 'proposal.answered.v1', data: withoutText, metadata })).toEqual(["proposal.answered.v1 /data must have required property 'text'"]);
    expect(validate({ type: 'proposal.answered.v1', data: { ...data, category: 'D' }, metadata })[0]).toMatch(/category must be equal to one of the allowed values/);
    expect(validate({ type: 'proposal.answered.v1', data, metadata: { ...metadata, hash: 'nope' } })[0]).toMatch(/\/metadata\/hash must match pattern/);
  });

  it('reads an old version as stored, before its upcaster', () => {
    const v1 = { proposalId: 'p-1', session: '6-3', title: '标题', body: '正文', category: 'economy', proposers: [{ id: 'm-1', name: '张委员' }] };
    expect(validate({ type: 'proposal.filed.v1', data: v1, metadata })).toEqual([]);
    expect(validate({ type: 'proposal.filed.v2', data: v1, metadata })).toEqual(["proposal.filed.v2 /data must have required property 'invitedCoProposers'"]);
  });

  it('is one JSON Schema document (draft 2020-12) that accepts an event of any stored type', () => {
    const document = eventSchemaDocument();
    expect(document.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(document.$defs as object)).toEqual(['metadata', 'trail-metadata', ...STORED_EVENT_SCHEMAS.map((s) => s.type)]);
    expect(EVENT_METADATA_SCHEMA.additionalProperties).toBe(false);
  });

  /** docs/events.md carries the same schemas between two markers; `UPDATE_DOCS=1` writes them there. */
  it('is what docs/events.md publishes', () => {
    const path = join(process.cwd(), 'docs', 'events.md');
    const doc = readFileSync(path, 'utf8');
    const [begin, end] = ['<!-- generated from libs/proposals/src/event-schemas.ts: begin -->', '<!-- generated: end -->'];
    const before = doc.slice(0, doc.indexOf(begin) + begin.length);
    const after = doc.slice(doc.indexOf(end));
    expect(doc.indexOf(begin)).toBeGreaterThan(0);
    const wanted = `${before}\n${renderSchemas()}\n${after}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, wanted);
    expect(doc).toBe(wanted);
  });
});

function fields(schema: JsonSchema): string {
  const properties = Object.keys((schema.properties ?? {}) as object);
  const required = (schema.required ?? []) as string[];
  return properties.map((p) => (required.includes(p) ? `\`${p}\`` : `\`${p}?\``)).join(', ');
}

function renderSchemas(): string {
  const rows = STORED_EVENT_SCHEMAS.map(
    (s) => `| \`${s.type}\` | ${s.version} | ${s.current ? 'written' : `read as \`${s.readAs}\``} | ${fields(s.data)} |`,
  );
  const blocks = STORED_EVENT_SCHEMAS.map((s) => `### \`${s.type}\`\n\n\`\`\`json\n${JSON.stringify(s.data, null, 2)}\n\`\`\``);
  return [
    '### Compatibility rules',
    '',
    ...COMPATIBILITY.map((rule, i) => `${i + 1}. ${rule}`),
    '',
    '### Stored types',
    '',
    '| stored type | version | | data fields (`?` optional) |',
    '|---|---|---|---|',
    ...rows,
    '',
    '### Metadata (every event of the proposal, session and directory streams)',
    '',
    '```json',
    JSON.stringify(EVENT_METADATA_SCHEMA, null, 2),
    '```',
    '',
    '### Metadata of the trail’s anchors (`trail.anchored.v1`, in the `anchor-<tenant>` stream)',
    '',
    '```json',
    JSON.stringify(TRAIL_METADATA_SCHEMA, null, 2),
    '```',
    '',
    ...blocks.flatMap((b) => [b, '']),
  ].join('\n');
}
