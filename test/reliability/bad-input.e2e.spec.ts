import { jest } from '@jest/globals';
import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assignedProposal, cast, ensureSession, TestApi, type Cast } from '../support/api.js';
import { send, type Answer, type RawRequest } from './http.js';

// Fastify's inject (light-my-request) requires the ESM-only `cookie` package, which Jest's module runtime cannot
// require on Node 20. No request here carries cookies: a stub that says so stands in for it.
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('no cookies in these requests');
  },
}));

/**
 * Bad input against every route, property-based: random bodies (anything, JSON, the right keys with wrong types,
 * huge strings, unicode, deep nesting, null, numbers for strings), random headers (If-Match, Idempotency-Key,
 * Authorization, Content-Type), random ids in the path and random query strings — mostly with a valid token of
 * the role that may use the route, on a proposal in a state where the step is possible, so that it is the
 * validation of the input that gets exercised.
 *
 * For every request: never a 5xx; a 4xx writes no event; every 4xx is application/problem+json with a non-empty
 * detail; every 400 names at least one field in `errors`.
 *
 * Requests that must be refused whatever else they say — a body nested deeper than 32 levels, a field named like
 * an inherited property (constructor, toString, __proto__ …), a free-text field of invisible characters only —
 * are sent with a valid token and must be a 400 naming the field (`body` for the depth).
 *
 * The seed is fixed (in the test names), so a failure reproduces: fast-check prints the shrunk request.
 * The inputs that first found bugs stay in the generators: coUnits: null (was a 500), an impossible date in a query
 * (was a 500), a body that is not JSON or has a __proto__ key (was a 400 naming no field), an overlong or badly
 * percent-encoded path segment (was not problem+json), 150,000 levels of nesting (was a 500), a field named
 * constructor or valueOf (was accepted), a title of a zero-width space (was accepted).
 *
 * Volume: over 20,000 requests in all, sent in process with Fastify's inject (no socket: ~1 ms a request instead
 * of ~1.6 ms over HTTP) — except GET /feed, an endless response, which goes over HTTP and is cut after its head.
 */
const SEED = 20190301;
const RUNS: Record<Route['method'], number> = { POST: 800, PATCH: 500, GET: 500 };
/** The feed costs a connection each: fewer runs, over HTTP. */
const FEED_RUNS = 70;

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Printable Latin-1 characters: what an HTTP header value may carry (fetch refuses anything above U+00FF). */
const headerChar = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c < 0x7f || c >= 0xa0)
  .map((c) => String.fromCharCode(c));
const headerText = (maxLength = 80) => fc.string({ unit: headerChar, maxLength });

const HUGE = ['x'.repeat(20_001), '测'.repeat(25_000), ' '.repeat(30_000), `${'a'.repeat(200)}\n`.repeat(150)];
const NASTY = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '🙂🙂🙂',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  'Z̷̧̛a̴l̸g̶o̵',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  'true',
  'null',
  '2019-02-30',
  '2019-13-45',
  '0000-00-00',
  '9999-12-31',
  '2019-03-01T25:61:00Z',
  '+275760-09-13T00:00:00Z',
  '6-3',
  '0-0',
  'A',
  'a'.repeat(101),
  'b'.repeat(2_001),
];

/** Mostly `usual` (8 in 9), now and then one of `unusual`. */
const mostly = <T>(usual: fc.Arbitrary<T>, ...unusual: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 8 * unusual.length, arbitrary: usual }, ...unusual.map((arbitrary) => ({ weight: 1, arbitrary })));

/** A JSON value, deep: nesting that a naïve validator might recurse into. */
const deep = fc.integer({ min: 20, max: 400 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
});

/** A value of the wrong kind for nearly any field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(...NASTY),
  fc.constantFrom(...HUGE),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  deep,
);

/** JSON nested `levels` deep (arrays and objects in turn), e.g. 150,000 levels: 900 KB. */
const nestedText = (levels: number): string => {
  const half = Math.ceil(levels / 2);
  const open = '[{"v":'.repeat(half);
  const close = '}]'.repeat(half);
  return levels % 2 ? `${open.slice(0, -5)}1${close.slice(1)}` : `${open}1${close}`;
};

/** Depths past the limit of 32: just past it, well past it, and the 150,000 levels that once took 0.35 s. */
const TOO_DEEP = fc.oneof(fc.integer({ min: 33, max: 40 }), fc.integer({ min: 41, max: 5_000 }), fc.constant(150_000));

/** Names every object inherits, and `prototype`: each was a field the whitelist let through. */
const INHERITED_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

/** Characters nobody sees: zero-width ones, joiners, the BOM, bidi controls, fillers, combining marks alone, tags. */
const INVISIBLE_CHARS = [
  '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u3000', '\u00a0', ' ', '\t', '\n', '\u202e', '\u202a', '\u2066',
  '\u200e', '\u200f', '\u061c', '\u3164', '\u115f', '\u1160', '\uffa0', '\u2800', '\u0301', '\u034f', '\ufe0f',
  '\u00ad', '\u180e', '\u{e0020}', '\u{e007f}',
];
const invisibleText = fc.array(fc.constantFrom(...INVISIBLE_CHARS), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));

/** The free-text fields of the command bodies: each must contain a visible character. */
const TEXT_FIELDS = new Set(['title', 'body', 'name', 'note', 'reason', 'opinion', 'text', 'withholdReason', 'comment', 'unit', 'leadUnit', 'coUnits']);

// ---------------------------------------------------------------------------------------------------------------
// Routes

type RoleKey = keyof Cast | 'none';

interface Route {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** `:id` is a proposal id, `:session` a session id. */
  readonly template: string;
  /** The role that may use the route, so that what is exercised is the validation of the input. */
  readonly role: RoleKey;
  /** For POST: each body field with values that pass validation. For GET: each query parameter. */
  readonly fields: Record<string, fc.Arbitrary<unknown>>;
  readonly required?: readonly string[];
  /** Whether the route reads Last-Event-ID (then sent now and then, valid or not). */
  readonly readsLastEventId?: boolean;
}

const text = (max = 60) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }).filter((s) => /\S/.test(s));
const date = fc.date({ min: new Date('2019-03-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const unit = fc.constantFrom('fgw', 'czj', 'jyj', 'sthjj');
const session = fc.constantFrom('6-3', '6-2', '7-1');
const smallInt = (min: number, max: number) => fc.integer({ min, max }).map(String);
const queryBool = fc.constantFrom('true', 'false');

const ROUTES: readonly Route[] = [
  // Commands
  { name: 'POST /sessions', method: 'POST', template: '/sessions', role: 'office', required: ['id', 'name', 'year'],
    fields: { id: fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 })).map(([a, b]) => `${a}-${b}`), name: text(), year: fc.integer({ min: 1949, max: 2999 }), answerLimitDays: fc.integer({ min: 1, max: 366 }) } },
  { name: 'POST /sessions/:session/supervision-visits', method: 'POST', template: '/sessions/:session/supervision-visits', role: 'committee', required: ['unit'],
    fields: { unit, note: text() } },
  { name: 'POST /proposals', method: 'POST', template: '/proposals', role: 'member', required: ['session', 'title', 'body', 'category'],
    fields: { session, title: text(), body: text(200), category: fc.constantFrom('economy', 'livelihood', 'other'), coProposers: fc.array(fc.constantFrom('m-2', 'm-3'), { maxLength: 3 }) } },
  { name: 'POST /proposals/:id/co-proposer-confirmations', method: 'POST', template: '/proposals/:id/co-proposer-confirmations', role: 'coProposer', fields: {} },
  { name: 'POST /proposals/:id/withdrawal', method: 'POST', template: '/proposals/:id/withdrawal', role: 'member', required: ['reason'], fields: { reason: text() } },
  { name: 'POST /directory/units', method: 'POST', template: '/directory/units', role: 'office', required: ['code', 'fullName', 'shortName', 'kind'],
    fields: { code: fc.stringMatching(/^[a-z][a-z0-9-]{1,31}$/), fullName: text(), shortName: text(20), kind: fc.constantFrom('government-department', 'township', 'other'), activeFrom: date } },
  { name: 'PATCH /directory/units/:code', method: 'PATCH', template: '/directory/units/jyj', role: 'office', fields: { fullName: text(), shortName: text(20), kind: fc.constantFrom('government-department', 'other') } },
  { name: 'POST /directory/units/:code/deactivation', method: 'POST', template: '/directory/units/lhsrj/deactivation', role: 'office', fields: { activeUntil: date, mergedInto: unit } },
  { name: 'POST /directory/members', method: 'POST', template: '/directory/members', role: 'office', required: ['id', 'name', 'sector', 'terms'],
    fields: { id: fc.stringMatching(/^m-[0-9]{1,6}$/), name: text(20), sector: text(20), group: text(20), terms: fc.array(fc.constantFrom('5', '6', '7'), { maxLength: 3 }) } },
  { name: 'POST /directory/staff-accounts', method: 'POST', template: '/directory/staff-accounts', role: 'office', required: ['sub', 'unit'], fields: { sub: fc.stringMatching(/^staff-[0-9]{1,6}$/), unit, name: text(20) } },
  { name: 'POST /directory/import', method: 'POST', template: '/directory/import', role: 'office',
    fields: {
      units: fc.array(fc.record({ code: fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/), fullName: text(), shortName: text(20), kind: fc.constantFrom('government-department', 'other') }), { maxLength: 3 }),
      members: fc.array(fc.record({ id: fc.stringMatching(/^m-[0-9]{1,6}$/), name: text(20), sector: text(20), terms: fc.array(fc.constantFrom('6'), { maxLength: 1 }) }), { maxLength: 3 }),
    } },
  { name: 'POST /proposals/:id/register', method: 'POST', template: '/proposals/:id/register', role: 'committee',
    fields: { number: fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/) } },
  { name: 'POST /proposals/:id/decline', method: 'POST', template: '/proposals/:id/decline', role: 'committee', required: ['reason'],
    fields: { reason: fc.constantFrom('merged', 'opinion', 'out-of-scope'), mergedInto: fc.string({ maxLength: 64 }), note: text() } },
  { name: 'POST /proposals/:id/assign', method: 'POST', template: '/proposals/:id/assign', role: 'office', required: ['leadUnit'],
    fields: { leadUnit: unit, coUnits: fc.uniqueArray(unit, { maxLength: 3 }), dueDate: date } },
  { name: 'POST /proposals/:id/reassignment-requests', method: 'POST', template: '/proposals/:id/reassignment-requests', role: 'lead', required: ['reason'],
    fields: { reason: text() } },
  { name: 'POST /proposals/:id/reassign', method: 'POST', template: '/proposals/:id/reassign', role: 'office', required: ['leadUnit'],
    fields: { leadUnit: unit, coUnits: fc.uniqueArray(unit, { maxLength: 3 }), dueDate: date } },
  { name: 'POST /proposals/:id/claim', method: 'POST', template: '/proposals/:id/claim', role: 'leader', fields: {} },
  { name: 'POST /proposals/:id/visits', method: 'POST', template: '/proposals/:id/visits', role: 'lead', required: ['stage', 'visitorRank', 'form'],
    fields: { stage: fc.constantFrom('before', 'during', 'after'), visitorRank: fc.constantFrom('principal', 'deputy', 'staff'), form: fc.constantFrom('in-person', 'on-site', 'phone'), note: text() } },
  { name: 'POST /proposals/:id/co-unit-opinions', method: 'POST', template: '/proposals/:id/co-unit-opinions', role: 'coUnit', required: ['opinion'],
    fields: { opinion: text(200) } },
  { name: 'POST /proposals/:id/answers', method: 'POST', template: '/proposals/:id/answers', role: 'lead', required: ['category', 'text', 'publish'],
    fields: { category: fc.constantFrom('A', 'B', 'C'), text: text(200), publish: fc.boolean(), withholdReason: text() } },
  { name: 'POST /proposals/:id/feedback', method: 'POST', template: '/proposals/:id/feedback', role: 'member', required: ['attitude', 'agreesWithResult'],
    fields: { attitude: fc.constantFrom('satisfied', 'basically-satisfied', 'dissatisfied'), agreesWithResult: fc.boolean(), comment: text() } },
  { name: 'POST /proposals/:id/renegotiation', method: 'POST', template: '/proposals/:id/renegotiation', role: 'office', required: ['reason'],
    fields: { reason: text(), dueDate: date } },
  { name: 'POST /proposals/:id/follow-ups', method: 'POST', template: '/proposals/:id/follow-ups', role: 'lead', required: ['note'],
    fields: { note: text(), substantiveProgress: fc.boolean() } },
  { name: 'POST /proposals/:id/supervision', method: 'POST', template: '/proposals/:id/supervision', role: 'office', required: ['key'],
    fields: { key: fc.boolean(), note: text() } },
  { name: 'POST /proposals/:id/publication', method: 'POST', template: '/proposals/:id/publication', role: 'office', fields: {} },
  // Queries
  { name: 'GET /health', method: 'GET', template: '/health', role: 'none', fields: {} },
  { name: 'GET /ready', method: 'GET', template: '/ready', role: 'none', fields: {} },
  { name: 'GET /directory/units', method: 'GET', template: '/directory/units', role: 'member', fields: { active: queryBool } },
  { name: 'GET /directory/members', method: 'GET', template: '/directory/members', role: 'office', fields: { active: queryBool } },
  { name: 'GET /directory/staff-accounts', method: 'GET', template: '/directory/staff-accounts', role: 'auditor', fields: {} },
  { name: 'GET /trail/anchors', method: 'GET', template: '/trail/anchors', role: 'auditor', fields: { page: smallInt(1, 3), pageSize: smallInt(1, 100) } },
  { name: 'GET /sessions/:session', method: 'GET', template: '/sessions/:session', role: 'member', fields: {} },
  { name: 'GET /sessions', method: 'GET', template: '/sessions', role: 'member', fields: {} },
  { name: 'GET /vocabulary', method: 'GET', template: '/vocabulary', role: 'none', fields: {} },
  { name: 'GET /proposals', method: 'GET', template: '/proposals', role: 'office',
    fields: { session, status: fc.constantFrom('filed', 'registered', 'declined', 'assigned', 'answered', 'reopened'), leadUnit: unit, category: fc.constantFrom('economy', 'other'), overdue: queryBool, key: queryBool, claimed: queryBool, q: text(10), sort: fc.constantFrom('number', '-filedAt', 'dueDate', '-updatedAt', 'title'), page: smallInt(1, 5), pageSize: smallInt(1, 200) } },
  { name: 'GET /proposals/:id', method: 'GET', template: '/proposals/:id', role: 'office', fields: {} },
  { name: 'GET /proposals/:id/history', method: 'GET', template: '/proposals/:id/history', role: 'auditor', fields: {} },
  { name: 'GET /sessions/:session/statistics', method: 'GET', template: '/sessions/:session/statistics', role: 'leader', fields: { asOf: date } },
  { name: 'GET /statistics/year-over-year', method: 'GET', template: '/statistics/year-over-year', role: 'committee', required: ['sessions'],
    fields: { sessions: fc.uniqueArray(session, { minLength: 1, maxLength: 3 }).map((s) => s.join(',')), asOf: date } },
  { name: 'GET /units', method: 'GET', template: '/units', role: 'office', required: ['session'], fields: { session } },
  { name: 'GET /supervision/overdue', method: 'GET', template: '/supervision/overdue', role: 'office', fields: { session } },
  { name: 'GET /supervision/due-soon', method: 'GET', template: '/supervision/due-soon', role: 'leader', fields: { session, days: smallInt(0, 366) } },
  { name: 'GET /audit', method: 'GET', template: '/audit', role: 'auditor',
    fields: { actor: fc.constantFrom('o-1', 'u-1'), unit, recorder: fc.constant('k-1'), type: fc.constantFrom('proposal.filed.v1', 'proposal.answered.v1'), proposal: fc.uuid(), time: fc.constantFrom('occurred', 'recorded'), from: date, to: date, recordedLaterThanDays: smallInt(0, 100), page: smallInt(1, 3), pageSize: smallInt(1, 200) } },
  { name: 'GET /projections', method: 'GET', template: '/projections', role: 'office', fields: {} },
  { name: 'GET /todo', method: 'GET', template: '/todo', role: 'lead', fields: {} },
  { name: 'POST /webhooks', method: 'POST', template: '/webhooks', role: 'office', required: ['url'],
    fields: { url: fc.constantFrom('http://127.0.0.1:9/hook', 'https://[::1]:9/in'), types: fc.constantFrom(['proposal.answered.v1'], []), prefixes: fc.constantFrom(['reminder.'], ['proposal.', 'session.']), secret: fc.stringMatching(/^[a-z0-9]{16,40}$/), description: text(), fromPosition: fc.integer({ min: 0, max: 3 }) } },
  { name: 'GET /webhooks', method: 'GET', template: '/webhooks', role: 'office', fields: {} },
  { name: 'GET /public/answers', method: 'GET', template: '/public/answers', role: 'none', fields: { session, tenant: fc.constantFrom('jinshan', 'fengxian'), page: smallInt(1, 3), pageSize: smallInt(1, 200) } },
  { name: 'GET /feed', method: 'GET', template: '/feed', role: 'service', readsLastEventId: true,
    fields: { from: smallInt(0, 1_000), types: fc.constantFrom('proposal.filed.v1', 'proposal.filed.v1,session.opened.v1'), prefix: fc.constantFrom('proposal', 'session', 'proposal-jinshan:') } },
];

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** Whether a string can go into a URL (a lone surrogate cannot). */
function encodable(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/** The ids the routes are exercised on: mostly a real one, so that the body is what gets validated. */
interface Targets {
  readonly proposal: (route: Route) => string;
  readonly session: string;
}

/** A date-shaped value that may not be a date: 2019-13-45, 0000-00-00. */
const dateShaped = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);




/** Path segments that are not ids: unicode, dots, percent-encoded specials, up to the 100 characters Fastify takes. */
function strangeSegment(): fc.Arbitrary<string> {
  const segments = [
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~'), minLength: 65, maxLength: 100 }),
    fc.constantFrom('..', '.', '...', '%2e%2e', '%2E', '%20', '%00', '%2F', '%25', '~', '__proto__', 'constructor', 'null', '0', '-', '_', '6-3', '0-0', '1-1000', '999-999'),
  ];
  // Longer than any id, or not valid percent-encoding: refused by the router itself.
  segments.push(fc.string({ unit: 'grapheme-ascii', minLength: 101, maxLength: 300 }).map(encodeURIComponent), fc.constantFrom('%', '%E0%A4%A', 'a%zz'));
  return fc.oneof(...segments);
}

function pathOf(route: Route, targets: Targets, strange: string | null): string {
  return route.template
    .replace(':id', strange ?? targets.proposal(route))
    .replace(':session', strange ?? targets.session);
}

/** A body for a command: anything at all, or the route's own keys with wrong values, or a nearly valid one. */
function bodyFor(route: Route): fc.Arbitrary<unknown> {
  const keys = Object.keys(route.fields);
  const required = new Set(route.required ?? []);
  const valid = fc.record(route.fields, { requiredKeys: [...required] }) as fc.Arbitrary<Record<string, unknown>>;
  const anyKey = fc.oneof(fc.constantFrom(...keys, 'occurredAt', 'onBehalfOf'), fc.string({ maxLength: 12 }));
  const wrong = fc.oneof({ weight: 5, arbitrary: wrongValue }, dateShaped);
  const paper = fc.record(
    {
      occurredAt: fc.oneof(date, dateShaped, fc.constantFrom(...NASTY), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      onBehalfOf: fc.oneof(
        wrongValue,
        fc.record(
          {
            sub: fc.oneof(text(10), wrongValue),
            role: fc.oneof(fc.constantFrom('member', 'unit', 'office', 'clerk', 'service', 'auditor'), wrongValue),
            unit: fc.oneof(unit, wrongValue),
            name: wrongValue,
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 3 }),
    valid,
    // the right keys, every one of the wrong kind
    fc.record(Object.fromEntries([...keys, 'occurredAt', 'onBehalfOf'].map((k) => [k, wrong])), { requiredKeys: [] }),
    // a valid body with one field spoiled, or one more field
    fc.tuple(valid, anyKey, wrong).map(([body, key, value]) => ({ ...body, [key]: value })),
    // a valid body with paper-record fields, valid or not
    fc.tuple(valid, paper).map(([body, p]) => ({ ...body, ...p })),
  );
}

/** The text of a body: mostly the JSON of `bodyFor`, sometimes raw JSON text, sometimes none. */
function bodyTextFor(route: Route): fc.Arbitrary<string | undefined> {
  const texts: fc.Arbitrary<string | undefined>[] = [
    fc.json({ maxDepth: 3 }),
    fc.constant(undefined),
    // a body larger than the 1 MiB limit
    fc.constant(JSON.stringify({ text: 'x'.repeat(1_100_000) })),
  ];
  // Known bug: a body that is not JSON at all is refused with a 400 that names no field.
  texts.push(fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))), fc.constantFrom('', '{', 'undefined', "{'a':1}"));
  const body = mostly<string | undefined>(bodyFor(route).map((b) => JSON.stringify(b)), ...texts);
  return body;
}

/** A query string: the route's own parameters with good or bad values, unknown ones, repeated ones. */
function queryFor(route: Route): fc.Arbitrary<string> {
  const keys = Object.keys(route.fields);
  const keyArbs = [fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('minPosition', '__proto__', 'constructor', 'toString', '')];
  const key = keys.length > 0 ? mostly(fc.constantFrom(...keys), ...keyArbs) : fc.oneof(...keyArbs);
  const value = (k: string): fc.Arbitrary<string> =>
    k === 'minPosition'
      ? // a position the read models have certainly reached, or something that is not a position at all
        fc.oneof(smallInt(0, 5), fc.constantFrom('-1', 'x', '1e3', '0.5', '', ' 1', '0x10', '9'.repeat(16)))
      : fc.oneof(
          { weight: 4, arbitrary: (Object.hasOwn(route.fields, k) ? route.fields[k] : text()).map(String) },
          fc.string({ unit: 'grapheme', maxLength: 30 }),
          fc.constantFrom(...NASTY.filter((s) => s.length < 3_000 && encodable(s))),
          dateShaped,
          fc.integer().map(String),
          fc.double().map(String),
        );
  const pair = key.chain((k) => value(k).map((v) => [k, v] as const));
  return fc
    .array(pair, { maxLength: keys.length > 0 ? 4 : 1 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : ''));
}

function authorizationFor(route: Route, people: Cast): fc.Arbitrary<string | undefined> {
  const token = route.role === 'none' ? undefined : people[route.role];
  const bearer = token === undefined ? fc.constant(undefined) : fc.constant(`Bearer ${token}`);
  return mostly<string | undefined>(
    bearer,
    fc.constant(undefined),
    headerText(),
    headerText().map((t) => `Bearer ${t}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer a.b.c', 'Bearer e30.e30.', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJvLTEiLCJyb2xlIjoib2ZmaWNlIn0.'),
    // a valid token with one character changed
    token === undefined ? fc.constant(undefined) : fc.nat(token.length - 1).map((i) => `Bearer ${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`),
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/JSON',
  'application/problem+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  '*/*',
  'json',
  ';',
];

/** Whom a clerk records a paper step for, per role of the route. */
const ON_BEHALF_OF: Partial<Record<RoleKey, Record<string, string>>> = {
  office: { sub: 'o-1', role: 'office' },
  committee: { sub: 'c-1', role: 'committee' },
  member: { sub: 'm-1', role: 'member' },
  lead: { sub: 'u-1', role: 'unit', unit: 'fgw' },
  coUnit: { sub: 'u-2', role: 'unit', unit: 'czj' },
  leader: { sub: 'l-1', role: 'leader' },
};

/** A request that must be a 400 naming `field`, whatever else is true of it. */
interface MustRefuse extends RawRequest {
  readonly refused: { readonly why: string; readonly field: string };
}

/**
 * Requests with a valid token and a JSON body (or query) that is right but for one thing that must be refused:
 * nesting past 32 levels, a field named like an inherited property (also inside onBehalfOf), or invisible text.
 */
function mustRefuseFor(route: Route, people: Cast, targets: Targets): fc.Arbitrary<MustRefuse> | undefined {
  const token = route.role === 'none' ? undefined : people[route.role];
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' };
  const path = pathOf(route, targets, null);
  const required = route.required ?? [];
  // Only the required fields besides the one spoiled: nothing else to refuse.
  const base = fc.record(Object.fromEntries(required.map((k) => [k, route.fields[k]]))) as fc.Arbitrary<Record<string, unknown>>;
  const inherited = fc.constantFrom(...INHERITED_NAMES);
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ prototype: { polluted: true } }));
  if (route.method === 'GET') {
    if (Object.keys(route.fields).length === 0) return undefined;
    return fc.tuple(inherited, fc.string({ maxLength: 10 })).map(([name, value]) => ({
      method: 'GET',
      path: `${path}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
      headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
      refused: { why: 'a query parameter named like an inherited property', field: name },
    }));
  }
  const post = (why: string, field: string, body: string): MustRefuse => ({ method: route.method, path, headers, rawBody: body, refused: { why, field } });
  const kinds: fc.Arbitrary<MustRefuse>[] = [
    fc.tuple(base, TOO_DEEP, fc.constantFrom(...Object.keys(route.fields), 'extra')).map(([body, levels, key]) => {
      const { [key]: _replaced, ...rest } = body;
      // `key` last, its value nested `levels` deep: the body is one level more.
      const json = JSON.stringify({ ...rest, [key]: 0 });
      return post(`a body ${levels + 1} levels deep`, 'body', `${json.slice(0, -2)}${nestedText(levels)}}`);
    }),
    fc.tuple(base, inherited, anyValue).map(([body, name, value]) =>
      post(`a field named ${name}`, name, JSON.stringify({ ...body, [name]: value }))),
  ];
  const texts = Object.keys(route.fields).filter((k) => TEXT_FIELDS.has(k));
  if (texts.length > 0)
    kinds.push(
      fc.tuple(base, fc.constantFrom(...texts), invisibleText).map(([body, field, value]) =>
        post(`${field} of invisible characters only`, field, JSON.stringify({ ...body, [field]: field === 'coUnits' ? [value] : value }))),
    );
  const onBehalfOf = ON_BEHALF_OF[route.role];
  if (onBehalfOf)
    kinds.push(
      fc.tuple(base, inherited, anyValue).map(([body, name, value]): MustRefuse => ({
        method: route.method,
        path,
        headers: { authorization: `Bearer ${people.clerk}`, 'content-type': 'application/json' },
        rawBody: JSON.stringify({ ...body, onBehalfOf: { ...onBehalfOf, [name]: value } }),
        refused: { why: `onBehalfOf.${name}`, field: `onBehalfOf.${name}` },
      })),
    );
  return fc.oneof(...kinds);
}

/** A whole request for a route: path (maybe with a strange id), query, headers and body. */
function requestFor(route: Route, people: Cast, targets: Targets): fc.Arbitrary<RawRequest> {
  const refused = mustRefuseFor(route, people, targets);
  const request = anyRequestFor(route, people, targets);
  return refused ? fc.oneof({ weight: 7, arbitrary: request }, { weight: 1, arbitrary: refused }) : request;
}

/** A request for a route, anything at all or a clerk's paper record: path, query, headers and body. */
function anyRequestFor(route: Route, people: Cast, targets: Targets): fc.Arbitrary<RawRequest> {
  const hasId = route.template.includes(':');
  const absent = fc.constant(undefined);
  const strange = hasId ? mostly<string | null>(fc.constant(null), strangeSegment()) : fc.constant(null);
  const headers = fc.record({
    authorization: authorizationFor(route, people),
    'if-match': mostly<string | undefined>(absent, headerText(20), fc.nat().map((n) => `"${n}"`), fc.constantFrom('*', 'W/"1"', '"-1"', '""', '"1", "2"', '9'.repeat(20))),
    'idempotency-key': mostly<string | undefined>(absent, headerText(40), fc.constantFrom('k-1', 'with space', 'x'.repeat(256), 'é')),
    'x-correlation-id': mostly<string | undefined>(absent, headerText(40)),
    'last-event-id': route.readsLastEventId ? mostly<string | undefined>(absent, headerText(20), smallInt(0, 50)) : absent,
    'content-type': mostly<string>(fc.constant('application/json'), fc.constantFrom(...CONTENT_TYPES), headerText(30)),
  });
  const body = route.method === 'GET' ? absent : bodyTextFor(route);
  const anyone = fc.record({ strange, query: route.method === 'GET' ? queryFor(route) : fc.constant(''), headers, body }).map(({ strange: s, query, headers: h, body: b }): RawRequest => {
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (v !== undefined && (b !== undefined || k !== 'content-type')) sent[k] = v;
    return { method: route.method, path: `${pathOf(route, targets, s)}${query}`, headers: sent, ...(b === undefined ? {} : { rawBody: b }) };
  });
  const onBehalfOf = ON_BEHALF_OF[route.role];
  if (route.method !== 'POST' || !onBehalfOf) return anyone;
  // A clerk's paper record of the step, for the right person, with a business date that may be anything.
  const clerk = fc
    .record({
      body: fc.record(route.fields, { requiredKeys: [...(route.required ?? [])] }),
      occurredAt: fc.option(fc.oneof(date, dateShaped, fc.constantFrom(...NASTY), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), { nil: undefined }),
    })
    .map(({ body: b, occurredAt }): RawRequest => ({
      method: 'POST',
      path: pathOf(route, targets, null),
      headers: { authorization: `Bearer ${people.clerk}`, 'content-type': 'application/json' },
      rawBody: JSON.stringify({ ...b, onBehalfOf, ...(occurredAt === undefined ? {} : { occurredAt }) }),
    }));
  return fc.oneof({ weight: 6, arbitrary: anyone }, { weight: 1, arbitrary: clerk });
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/** One request in process, with Fastify's inject: the same app, router, parsers, guard, pipes and filter. */
async function inject(app: NestFastifyApplication, request: RawRequest): Promise<Answer> {
  const response = await app.inject({
    method: request.method,
    url: request.path,
    headers: request.headers,
    ...(request.rawBody === undefined ? {} : { payload: request.rawBody }),
  });
  const text = response.body;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, contentType: typeof contentType === 'string' ? contentType : '', body, text };
}

/** TestApi keeps its app to itself; inject needs it. */
const appOf = (api: TestApi): NestFastifyApplication => (api as unknown as { app: NestFastifyApplication }).app;

/** Sends one request and lists every property it breaks (none, if all is well). */
async function violations(api: TestApi, request: RawRequest | MustRefuse): Promise<{ answer: Answer; broken: string[] }> {
  const before = await api.store.headPosition();
  // The feed's 200 never ends: over HTTP, cut after its head.
  const answer = request.path.startsWith('/feed') ? await send(api, request) : await inject(appOf(api), request);
  const after = await api.store.headPosition();
  const broken: string[] = [];
  const { status, contentType, body } = answer;
  if (status >= 500) broken.push(`a ${status}`);
  if ('refused' in request) {
    const fields = Array.isArray(body?.errors) ? body.errors.map((e: { field?: unknown }) => e?.field) : [];
    if (status !== 400 || !fields.includes(request.refused.field))
      broken.push(`${request.refused.why}: a ${status} naming ${JSON.stringify(fields)}, not a 400 naming ${request.refused.field}`);
  }
  if (status >= 400 && status < 500) {
    if (after !== before) broken.push(`a ${status} that wrote ${after - before} event(s)`);
    if (!/^application\/problem\+json/.test(contentType)) broken.push(`a ${status} as ${contentType}, not problem+json`);
    if (typeof body?.detail !== 'string' || !/\S/.test(body.detail)) broken.push(`a ${status} without a detail`);
    if (body?.status !== status) broken.push(`a ${status} whose body says status ${body?.status}`);
    if (status === 400) {
      const fields = Array.isArray(body?.errors) ? body.errors.map((e: { field?: unknown }) => e?.field) : [];
      // The name of the field as sent, even when that is "" or " ".
      if (!fields.some((f: unknown) => typeof f === 'string')) broken.push('a 400 whose errors name no field');
    }
  }
  return { answer, broken };
}

// ---------------------------------------------------------------------------------------------------------------
// The properties, route by route

describe(`bad input over HTTP (fast-check seed ${SEED})`, () => {
  const api = new TestApi();
  let people: Cast;
  const fixtures = new Map<string, string>();

  /** A proposal in a state where the route's step is possible, one per route. */
  async function fixtureFor(route: Route): Promise<string> {
    const step = route.template.split('/').pop();
    const filed = async () => {
      const r = await api.post('/proposals', people.member, { session: '6-3', title: '关于开展渣土运输道路污染治理的建议', body: '……', category: 'environment' });
      return r.body.id as string;
    };
    if (step === 'register' || step === 'decline' || step === 'withdrawal') return filed();
    if (step === 'co-proposer-confirmations') {
      const r = await api.post('/proposals', people.member, { session: '6-3', title: '关于加强中小企业危废处置的建议', body: '……', category: 'environment', coProposers: ['m-2'] });
      return r.body.id as string;
    }
    if (step === 'assign') {
      const id = await filed();
      await api.post(`/proposals/${id}/register`, people.committee);
      return id;
    }
    const id = await assignedProposal(api, people);
    if (!['answers', 'feedback', 'renegotiation', 'follow-ups', 'publication'].includes(step ?? '')) return id;
    await api.post(`/proposals/${id}/co-unit-opinions`, people.coUnit, { opinion: '同意' });
    if (step === 'answers') return id;
    await api.post(`/proposals/${id}/answers`, people.lead, { category: step === 'follow-ups' ? 'B' : 'A', text: '已办理。', publish: true });
    return id;
  }

  beforeAll(async () => {
    // The webhooks this spec makes point nowhere: one attempt each, then they rest as dead letters.
    await api.start({ READ_YOUR_WRITES_TIMEOUT_MS: '300', WEBHOOK_MAX_ATTEMPTS: '1' });
    people = cast(api);
    await ensureSession(api, people);
    await ensureSession(api, people, '6-2');
    for (const route of ROUTES) if (route.template.includes(':id')) fixtures.set(route.name, await fixtureFor(route));
  });
  afterAll(() => api.stop());

  it.each(ROUTES.map((route) => ({ route, name: route.name, runs: route.template === '/feed' ? FEED_RUNS : RUNS[route.method] })))(
    `$name × $runs random requests (seed ${SEED}): never a 5xx, a 4xx writes nothing and is problem+json naming what is wrong`,
    async ({ route, runs }) => {
      const targets = { proposal: (r: Route) => fixtures.get(r.name) as string, session: '6-3' };
      await fc.assert(
        fc.asyncProperty(requestFor(route, people, targets), async (request) => {
          const { answer, broken } = await violations(api, request);
          expect({ broken, status: answer.status, answer: answer.text.slice(0, 300) }).toEqual({ broken: [], status: answer.status, answer: answer.text.slice(0, 300) });
        }),
        { seed: SEED, numRuns: runs },
      );
    },
  );
});
