import {
  ATTITUDES,
  CATEGORIES,
  DECLINE_REASONS,
  keysOf,
  objectSchema as object,
  RESULT_CATEGORIES,
  ROLES,
  STATUS_LABELS,
  SYSTEM_ROLE,
  storedEventSchema,
  UNIT_KINDS,
  VISIT_FORMS,
  VISIT_STAGES,
  VISITOR_RANKS,
  type JsonSchema,
} from '@app/proposals';
import { TODO_KINDS } from '@app/projections';

/**
 * The JSON Schemas (OpenAPI 3.1, i.e. draft 2020-12) of what the API answers: `components.schemas` of the document.
 * The read models' shapes are TypeScript interfaces, which leave nothing at run time to generate these from, so
 * they are written here, once, and test/http/openapi.e2e.spec.ts validates every answer of a realistic handling
 * against them. They are strict (`additionalProperties: false`) so that the spec notices a field added to a read
 * model and not here; a client should still read tolerantly (new optional fields may appear, as for the events).
 * Codes come from the vocabulary, so a new status or category is documented as soon as it has its label.
 */
export type Schema = JsonSchema;

const string: Schema = { type: 'string' };
const text: Schema = { type: 'string', minLength: 1 };
const count: Schema = { type: 'integer', minimum: 0 };
const boolean: Schema = { type: 'boolean' };
/** A UTC instant (`2019-04-15T02:00:00.000Z`), or business time with its offset (`…Local`: `2019-04-15T10:00:00+08:00`). */
const instant: Schema = { type: 'string', format: 'date-time' };
/** A business date, `2019-04-15`. */
const date: Schema = { type: 'string', format: 'date' };
const sha256: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$' };

const list = (items: Schema): Schema => ({ type: 'array', items });
const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const nullable = (schema: Schema): Schema =>
  schema.$ref !== undefined || schema.type === 'object'
    ? { oneOf: [schema, { type: 'null' }] }
    : { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) };
/** A reference to another schema of this list (test/http/openapi.e2e.spec.ts resolves every one). */
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A figure per code: `{ A: 3, B: 1, C: 0 }`. */
const perCode = (codes: readonly string[], value: Schema): Schema => object(Object.fromEntries(codes.map((c) => [c, value])));

/** `at`, `atLocal` (business time with its offset) and `atDate` (the business date): every instant is read so. */
function timed(key: string, maybe = false): Record<string, Schema> {
  const of = (s: Schema) => (maybe ? nullable(s) : s);
  return { [key]: of(instant), [`${key}Local`]: of(instant), [`${key}Date`]: of(date) };
}

const status = oneOf(keysOf(STATUS_LABELS));
const category = oneOf(keysOf(CATEGORIES));
const result = oneOf(keysOf(RESULT_CATEGORIES));
const role = oneOf([...ROLES, SYSTEM_ROLE]);
const at = timed('at');

/** What a proposal in a list and its published answer both begin with. */
const heading = { id: text, number: nullable(string), session: text, title: text, category, categoryLabel: text };

const paged = (item: string, description: string): Schema =>
  object({ items: list(ref(item)), total: count, page: { type: 'integer', minimum: 1 }, pageSize: { type: 'integer', minimum: 1 } }, {}, description);

const actorView = object(
  { id: string, role, roleLabel: text, name: text },
  { unit: string, unitName: text },
  'who did a step, with the names of the time',
);

/** One stored event as a proposal's history shows it. */
const historyEntry = object(
  {
    revision: count,
    position: count,
    number: nullable(string),
    title: nullable(string),
    type: text,
    step: nullable(string),
    stepLabel: text,
    data: { description: 'the event’s data as stored: what the hash covers (GET /events/schemas)' },
    labels: { type: 'object', additionalProperties: { oneOf: [string, list(string)] } },
    actor: actorView,
    paper: boolean,
    ...timed('occurredAt'),
    ...timed('recordedAt'),
    hash: sha256,
    commandId: text,
    correlationId: text,
    causationId: text,
  },
  { recorder: actorView },
);

/** A webhook subscription as its managers read it (libs/webhooks/src/subscriptions.ts): never its secret. */
const webhook = {
  id: text,
  url: text,
  types: list(text),
  prefixes: list(text),
  description: nullable(string),
  owner: object({ id: text, role }),
  createdAt: instant,
  revision: count,
  status: { ...oneOf(['active', 'paused', 'dead-letter']), description: 'dead-letter: an event exhausted its attempts and waits for POST /webhooks/{id}/retry' },
  position: { ...count, description: 'every wanted event up to this position of the log was delivered' },
  delivered: count,
  deadLetter: nullable(object({ position: count, eventId: text, type: text, at: instant })),
  retryRequestedAt: nullable(instant),
  lastChange: nullable(object({ action: oneOf(['pause', 'resume', 'retry']), by: object({ id: text, role }), at: instant }, { reason: text })),
};

const share = object({ count, percent: nullable({ type: 'number' }) });
const rate = nullable({ type: 'number' });

const anchorData = storedEventSchema('trail.anchored.v1')?.data as { properties: Record<string, Schema>; required: string[] } & Schema;
const readiness = object({ name: text, position: count, secondsBehind: { type: 'number', minimum: 0 } });

const SCHEMAS = {
  CommandResult: object(
    { id: text, revision: count, position: count },
    {},
    'What every command answers: the stream it wrote to, its new revision (also the ETag) and the event’s position in the log (for ?minPosition=).',
  ),
  Problem: {
    ...object(
      {
        type: { type: 'string', pattern: '^urn:cppcc-proposals:problem:' },
        title: text,
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: text,
        errors: list(object({ field: text, reason: text })),
      },
      { instance: string },
      'RFC 9457 problem details (application/problem+json): `errors` names each field at fault and why (empty when the refusal is not about a field: a role, a state, a missing proposal).',
    ),
    additionalProperties: true,
  },
  NotReady: {
    ...object(
      { type: string, title: text, status: { const: 503 }, detail: text, maxLagSeconds: { type: 'number' } },
      { instance: string, projections: list(readiness) },
      'GET /ready when the read models are not fit to serve: problem details naming the projection and the cause.',
    ),
  },
  ProposalSummary: object(
    {
      ...heading,
      proposers: { ...list(text), description: 'the names of the members who joined, the filer first' },
      status,
      statusLabel: text,
      leadUnit: nullable(string),
      leadUnitName: nullable(string),
      coUnits: list(string),
      coUnitNames: list(string),
      dueDate: nullable(date),
      overdue: boolean,
      key: boolean,
      claimed: boolean,
      latestCategory: nullable(result),
      latestCategoryLabel: nullable(string),
      published: boolean,
      escalated: { ...boolean, description: '超期督办: flagged for supervision, overdue past its current due date' },
      ...timed('escalatedAt', true),
      ...timed('filedAt'),
      ...timed('updatedAt'),
    },
    {},
    'One proposal in a list: enough to find it and see where its handling stands.',
  ),
  ProposalPage: paged('ProposalSummary', 'A page of the proposals the caller may see.'),
  ProposalSummaryList: list(ref('ProposalSummary')),
  Proposal: object(
    {
      id: text,
      session: text,
      number: nullable(string),
      title: text,
      body: nullable(string),
      category,
      categoryLabel: text,
      proposers: list(object({ id: text, name: text })),
      invitedCoProposers: list(string),
      invitedCoProposerNames: list(string),
      proposerIds: list(string),
      status,
      statusLabel: text,
      open: boolean,
      overdue: boolean,
      ...timed('filedAt', true),
      ...timed('registeredAt', true),
      ...timed('declinedAt', true),
      ...timed('withdrawnAt', true),
      withdrawal: nullable(object({ reason: text })),
      decline: nullable(object({ reason: oneOf(keysOf(DECLINE_REASONS)), reasonLabel: text }, { mergedInto: string, note: text })),
      leadUnit: nullable(string),
      leadUnitName: nullable(string),
      coUnits: list(string),
      coUnitNames: list(string),
      units: list(string),
      unitNames: list(string),
      dueDate: nullable(date),
      assignments: list(
        object({
          ...at,
          kind: oneOf(['assigned', 'reassigned', 'renegotiated']),
          kindLabel: text,
          leadUnit: string,
          leadUnitName: text,
          coUnits: list(string),
          coUnitNames: list(string),
          dueDate: date,
        }),
      ),
      reassignmentRequest: nullable(object({ ...at, unit: string, unitName: text, reason: text })),
      claimed: boolean,
      claimedBy: nullable(object({ id: text }, { name: text })),
      ...timed('claimedAt', true),
      key: boolean,
      keyMarks: list(object({ ...at, key: boolean })),
      visits: list(
        object({
          ...at,
          unit: string,
          unitName: text,
          stage: oneOf(keysOf(VISIT_STAGES)),
          stageLabel: text,
          visitorRank: oneOf(keysOf(VISITOR_RANKS)),
          visitorRankLabel: text,
          form: oneOf(keysOf(VISIT_FORMS)),
          formLabel: text,
        }),
      ),
      coUnitOpinions: list(object({ ...at, unit: string, unitName: text })),
      answers: list(
        object(
          { ...at, unit: string, unitName: text, category: result, categoryLabel: text, text, publish: boolean, dueDate: date },
          { withholdReason: text },
        ),
      ),
      latestCategory: nullable(result),
      latestCategoryLabel: nullable(string),
      feedback: list(
        object({ ...at, member: string, memberName: text, attitude: oneOf(keysOf(ATTITUDES)), attitudeLabel: text, agreesWithResult: boolean }),
      ),
      followUps: list(object({ ...at, note: text, substantiveProgress: boolean }, { unit: string, unitName: text })),
      substantiveYears: list({ type: 'integer' }),
      publications: list(object({ ...at, answerNumber: { type: 'integer', minimum: 1 } })),
      paperRecords: list(
        object(
          { revision: count, type: text, stepLabel: text, ...at, ...timed('recordedAt'), recorder: object({ id: text, name: text }) },
          {},
          'a step a clerk typed in from paper (代录): when it happened, when it was recorded, and by whom',
        ),
      ),
      published: boolean,
      ...timed('publishedAt', true),
      ...timed('updatedAt'),
      revision: count,
      position: count,
    },
    {},
    'One proposal with its text and every dated fact of its handling: labels beside codes, business time beside instants, the names of the time beside unit codes and member ids.',
  ),
  History: object(
    {
      id: text,
      number: nullable(string),
      title: text,
      events: list(historyEntry),
      reminders: { ...list(historyEntry), description: 'the reminders sent about the proposal (reminder.issued.v1, from the jurisdiction’s reminders stream), oldest first' },
    },
    {},
    'The handling trail of one proposal, from the event store, each step readable.',
  ),
  SessionStatistics: object(
    {
      definitions: text,
      session: text,
      name: text,
      year: { type: 'integer' },
      asOf: nullable(date),
      filed: count,
      registered: count,
      declined: count,
      withdrawn: count,
      awaitingReview: count,
      answeredOnTime: share,
      categories: perCode(keysOf(RESULT_CATEGORIES), share),
      solveRate: rate,
      satisfaction: rate,
      firstTimeSatisfaction: rate,
      agreement: rate,
      leaderClaimed: count,
      principalVisitRate: rate,
      published: share,
      keyUnitsVisited: count,
      keyProposals: count,
      substantiveProgress: count,
    },
    {},
    'Every figure of a session’s handling report (docs/domain.md), as it stood at the end of `asOf`.',
  ),
  YearOverYear: object(
    {
      sessions: list(ref('SessionStatistics')),
      changes: list(
        object({
          from: text,
          to: text,
          ...Object.fromEntries(
            ['answeredOnTime', 'solveRate', 'categoryA', 'categoryB', 'categoryC', 'satisfaction', 'firstTimeSatisfaction', 'agreement', 'principalVisitRate', 'published'].map(
              (k) => [k, { ...rate, description: 'percentage points' }],
            ),
          ),
          registered: { type: 'integer' },
          leaderClaimed: { type: 'integer' },
          keyProposals: { type: 'integer' },
        }),
      ),
    },
    {},
    'The figures of several sessions side by side; each change is against the session before it in the list.',
  ),
  PublicAnswer: object(
    {
      ...heading,
      sessionName: { ...nullable(text), description: 'the session’s name (六届三次会议); null where it is not known' },
      proposers: { ...list(text), description: 'names only' },
      unit: string,
      unitName: text,
      result,
      resultLabel: text,
      answer: text,
      ...timed('answeredAt'),
      ...timed('publishedAt'),
      ...timed('supersededAt', true),
    },
    {},
    'A proposal’s current published answer (公开答复).',
  ),
  PublicAnswerPage: paged('PublicAnswer', 'A page of published answers, newest first.'),
  SessionProgress: (() => {
    const counts = object({ filed: count, assigned: count, answered: count, published: count });
    return object(
      { session: text, name: text, year: { type: 'integer' }, asOf: nullable(date), weeks: list(object({ weekOf: date, added: counts, total: counts })) },
      {},
      'Proposals first filed, assigned, answered and published each week (from Monday, business time), with running totals.',
    );
  })(),
  StreamVerification: object(
    {
      id: text,
      stream: text,
      intact: boolean,
      events: count,
      revision: { type: 'integer', minimum: -1 },
      readModelRevision: nullable(count),
      head: nullable(sha256),
      problems: list(object({ revision: { type: 'integer' }, problem: text }, { position: count })),
      verifiedAt: instant,
    },
    {},
    'One proposal’s hash chain checked now, as `npm run verify` checks the whole log.',
  ),
  Session: object({ id: text, name: text, year: { type: 'integer' }, answerLimitDays: { type: 'integer', minimum: 1 }, revision: count }),
  SessionList: object({
    items: list(
      object({
        id: text,
        name: text,
        year: { type: 'integer' },
        answerLimitDays: { type: 'integer', minimum: 1 },
        ...timed('openedAt', true),
        counts: object({ filed: count, registered: count, declined: count, answered: count, published: count }),
      }),
    ),
  }),
  Vocabulary: object({
    ...Object.fromEntries(
      ['statuses', 'categories', 'resultCategories', 'declineReasons', 'attitudes', 'visitStages', 'visitorRanks', 'visitForms', 'unitKinds', 'roles'].map((k) => [
        k,
        list(object({ code: text, label: text })),
      ]),
    ),
    steps: list(object({ code: text, label: text, storedTypes: list(text) })),
  }),
  DirectoryUnit: object(
    { code: text, fullName: text, shortName: text, kind: oneOf(keysOf(UNIT_KINDS)), activeFrom: date, active: boolean },
    { activeUntil: date, mergedInto: string },
  ),
  DirectoryUnitList: list(ref('DirectoryUnit')),
  DirectoryMember: object({ id: text, name: text, sector: text, terms: list(text), active: boolean }, { group: text, activeUntil: date }),
  DirectoryMemberList: list(ref('DirectoryMember')),
  StaffAccountList: list(object({ sub: text, unit: string }, { name: text })),
  UnitFiguresList: list(
    object({
      unit: string,
      unitName: text,
      currentName: { ...nullable(string), description: 'what the directory calls the unit today' },
      asLead: object({
        assigned: count,
        answered: count,
        onTime: count,
        overdue: count,
        categories: perCode(keysOf(RESULT_CATEGORIES), count),
        satisfaction: object({ satisfied: count, withFeedback: count }),
      }),
      asCoUnit: object({ assigned: count, opinionsSent: count }),
      visitsByRank: perCode(keysOf(VISITOR_RANKS), count),
    }),
  ),
  AuditEntry: object({
    position: count,
    stream: text,
    category: text,
    subject: text,
    revision: count,
    type: text,
    step: nullable(string),
    stepLabel: text,
    number: nullable(string),
    title: nullable(string),
    actorId: text,
    actorRole: text,
    actorRoleLabel: text,
    actorUnit: nullable(string),
    actorUnitName: nullable(string),
    actorName: text,
    recorderId: nullable(string),
    recorderRole: nullable(string),
    recorderRoleLabel: nullable(string),
    recorderName: nullable(string),
    ...timed('occurredAt'),
    ...timed('recordedAt'),
    lagDays: { type: 'integer' },
    correlationId: text,
    commandType: text,
    hash: sha256,
  }),
  AuditPage: paged('AuditEntry', 'A page of the audit trail, oldest first.'),
  Anchor: {
    ...anchorData,
    description: 'A signed anchor of the trail (docs/trail.md), whole: save it as a file for `npm run verify -- --anchor`.',
    properties: { ...anchorData.properties, recorded: object({ at: instant, by: string, revision: count, position: count }) },
    required: [...anchorData.required, 'recorded'],
  },
  AnchorPage: paged('Anchor', 'The jurisdiction’s anchors, newest first.'),
  Projections: object({
    projections: list(
      object(
        { name: text, position: count, headPosition: count, eventsBehind: count, secondsBehind: { type: 'number', minimum: 0 } },
        { retrying: object({ attempts: count, since: instant, error: string }) },
      ),
    ),
  }),
  Me: {
    ...object({ sub: text, role: oneOf(ROLES), unit: nullable(text), name: nullable(text), tenant: text, expiresAt: instant }),
    description: 'The caller as the service sees the bearer token: its subject, role, unit and name, the jurisdiction (the default one when the token names none), and when the token expires.',
  },
  Health: object({ status: { const: 'ok' }, eventStore: text, readStore: text }),
  Ready: object({ status: { const: 'ready' }, maxLagSeconds: { type: 'number' }, projections: list(readiness) }),
  EventStream: {
    type: 'string',
    description:
      'Server-Sent Events: `id:` the position, `event:` the stored type, `data:` `{ position, stream, revision, type, data, metadata, created }` (GET /events/schemas); comments as heartbeats.',
  },
  TodoList: object(
    {
      total: count,
      counts: { type: 'object', propertyNames: oneOf(keysOf(TODO_KINDS)), additionalProperties: count, description: 'every kind the caller may be waited on for, zero included' },
      items: list(
        object({
          proposalId: text,
          number: nullable(string),
          session: text,
          title: text,
          kind: oneOf(keysOf(TODO_KINDS)),
          kindLabel: text,
          dueDate: nullable(date),
          overdue: boolean,
          ...timed('since'),
        }),
      ),
    },
    {},
    '待办: what waits on the caller now, soonest due first.',
  ),
  Webhook: object(webhook, {}, 'A webhook subscription and where its deliveries stand.'),
  WebhookCreated: object({ ...webhook, secret: { ...text, description: 'the signing secret (X-Signature): answered on creation only' } }, {}, 'A new webhook subscription, with its secret.'),
  WebhookList: list(ref('Webhook')),
  WebhookDeleted: object({ id: text, deleted: { const: true } }),
  WebhookDelivery: object(
    {
      id: text,
      subscription: text,
      tenant: text,
      position: count,
      eventId: text,
      type: text,
      status: oneOf(['delivered', 'retrying', 'dead']),
      attempts: list(object({ at: instant, status: nullable({ type: 'integer' }), latencyMs: { type: 'number', minimum: 0 } }, { error: text })),
      appendedAt: instant,
      deliveredAt: nullable(instant),
    },
    {},
    'One event sent to a subscription: every attempt with the receiver’s status (null: no answer) and latency.',
  ),
  WebhookDeliveryPage: paged('WebhookDelivery', 'A page of a subscription’s deliveries, newest first.'),
  EventSchemas: { type: 'object', description: 'A JSON Schema (draft 2020-12) document of every stored event type and version (docs/events.md).' },
} satisfies Record<string, Schema>;

export type SchemaName = keyof typeof SCHEMAS;
export const RESPONSE_SCHEMAS: Readonly<Record<SchemaName, Schema>> = SCHEMAS;
export const schemaRef = (name: SchemaName): Schema => ref(name);
