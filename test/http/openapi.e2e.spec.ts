import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ensureSession, startedApi, type Reply } from '../support/api.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Operation = {
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: Record<string, { value: unknown }> }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};

/**
 * Every route and method Fastify has registered, from its route tree (`printRoutes`): each line is a node of the
 * radix tree whose path is its parents' segments and its own, with the methods of the routes ending there.
 */
function registeredRoutes(app: NestFastifyApplication): string[] {
  const tree: string = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const start = line.search(/[^│├└─\s]/);
    if (start < 0) continue;
    const depth = Math.round(start / 4) - 1;
    const m = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(start).trimEnd());
    if (!m) continue;
    const path = (prefixes[depth - 1] ?? '') + m[1];
    prefixes[depth] = path;
    for (const method of (m[2] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

/** `/proposals/:id` as OpenAPI writes it, `/proposals/{id}`; a wildcard (`/dashboard/*`) as a parameter, `{file}`. */
const openApiPath = (fastifyPath: string) => fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/?\*$/, '/{file}');

/**
 * Issue 11, item 1: the OpenAPI 3.1 document, generated from the controllers and DTOs (apps/api/src/openapi). It is
 * a valid OpenAPI 3.1 document, lists every route the running app has, and every answer of a realistic handling —
 * the refusals too — validates against the schema it documents for that route and status.
 */
describe('OpenAPI: GET /openapi.json and /docs', () => {
  const { api, people } = startedApi();
  let document: Document;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

  beforeAll(async () => {
    const reply = await api.get('/openapi.json');
    expect(reply.status).toBe(200);
    document = reply.body as Document;
    ajv.addSchema({ $id: 'urn:cppcc-proposals:openapi', components: document.components });
  });

  it('is a valid OpenAPI 3.1 document, served without a token, with the bearer scheme', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    // Every schema compiles, and every reference in it resolves.
    const broken = Object.keys(document.components.schemas).filter((name) => {
      try {
        return !ajv.getSchema(`urn:cppcc-proposals:openapi#/components/schemas/${name}`);
      } catch (error) {
        return `${name}: ${String(error)}`;
      }
    });
    expect(broken).toEqual([]);
    // The public routes say so; every other one answers 401 without a token, as documented.
    const open = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).filter(([, op]) => op.security?.length === 0).map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(open.sort()).toEqual(
      [
        'GET /',
        'GET /dashboard',
        'GET /dashboard/{file}',
        'GET /docs',
        'GET /docs/{file}',
        'GET /events/schemas',
        'GET /health',
        'GET /openapi.json',
        'GET /public/answers',
        'GET /public/answers.docx',
        'GET /ready',
        'GET /vocabulary',
      ].sort(),
    );
  });

  it('lists every route of the running app with its method, and no route it does not have', () => {
    const registered = registeredRoutes((api as unknown as { app: NestFastifyApplication }).app).map((r) => {
      const [method, path] = r.split(' ');
      return `${method} ${openApiPath(path)}`;
    });
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(registered.length).toBeGreaterThan(50);
    expect(registered.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !registered.includes(d))).toEqual([]);
  });

  it('documents every body, every success and the problem responses with an example each', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (op.tags?.includes('Pages')) continue; // for a browser: HTML, files, redirects (openapi/pages.ts)
        const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
        if (!success?.[1].content) missing.push(`${name}: no success schema`);
        if (op.security?.length !== 0 && !op.responses['401']) missing.push(`${name}: no 401`);
        if (method === 'post' || method === 'patch') {
          if (path !== '/directory/staff-accounts/{sub}' && !op.requestBody) missing.push(`${name}: no body`);
          for (const status of ['400', '403', '404', '409', '412', '422']) {
            const problem = op.responses[status]?.content?.['application/problem+json'];
            if (!problem?.examples) missing.push(`${name}: no ${status} problem with an example`);
          }
          for (const header of ['If-Match', 'Idempotency-Key'])
            if (!op.parameters?.some((p) => p.in === 'header' && p.name === header)) missing.push(`${name}: no ${header}`);
        }
        if (method === 'get' && path !== '/feed')
          if (!op.parameters?.some((p) => p.in === 'query' && p.name === 'minPosition')) missing.push(`${name}: no ?minPosition=`);
      }
    expect(missing).toEqual([]);
    // The examples are valid problems themselves.
    const problem = ajv.getSchema('urn:cppcc-proposals:openapi#/components/schemas/Problem') as ValidateFunction;
    const examples = Object.values(document.paths['/proposals/{id}/register'].post.responses).flatMap((r) =>
      Object.values(r.content?.['application/problem+json']?.examples ?? {}).map((e) => e.value),
    );
    expect(examples.length).toBeGreaterThanOrEqual(6);
    expect(examples.filter((e) => !problem(e))).toEqual([]);
  });

  it('serves /docs: a page that loads Swagger UI and the document from this service, no other origin', async () => {
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The browser runs no script but this origin's files (the page has no inline script: start.js) and frames it nowhere.
    expect(page.headers.get('content-security-policy')).toEqual(expect.stringContaining("script-src 'self'"));
    expect(page.headers.get('content-security-policy')).toEqual(expect.stringContaining("frame-ancestors 'none'"));
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const sources = [...String(page.body).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/start.js']));
    expect(sources.filter((s) => !s.startsWith('/'))).toEqual([]);
    for (const source of sources) expect([source, (await api.get(source)).status]).toEqual([source, 200]);
    expect(String((await api.get('/docs/start.js')).body)).toContain("url: '/openapi.json'");
    expect((await api.get('/docs/swagger-ui-bundle.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const unknown = await api.get('/docs/..%2Fpackage.json');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it('every answer of a handling, refusals included, validates against the schema documented for its route and status', async () => {
    const seen: { method: string; template: string; reply: Reply }[] = [];
    /** A request to a documented route: `template` is its OpenAPI path, `values` fill its parameters. */
    const call = async (method: string, template: string, values: Record<string, string>, options: { token?: string; body?: unknown; headers?: Record<string, string>; query?: string } = {}) => {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
      const reply = await api.request(method, `${path}${options.query ? `?${options.query}` : ''}`, options);
      seen.push({ method: method.toLowerCase(), template, reply });
      return reply;
    };
    const position = () => Math.max(0, ...seen.map((s) => (typeof s.reply.body?.position === 'number' ? s.reply.body.position : 0)));
    const read = (template: string, values: Record<string, string>, token: string | undefined, query = '') =>
      call('GET', template, values, { token, query: `${query}${query ? '&' : ''}minPosition=${position()}` });

    // The directory, a session, a joint proposal through to its published answer, one step typed in from paper.
    await ensureSession(api, people);
    await call('POST', '/directory/units', {}, { token: people.office, body: { code: 'zhujing', fullName: '朱泾镇人民政府', shortName: '朱泾镇', kind: 'township', activeFrom: '2000-01-01' } });
    await call('POST', '/directory/staff-accounts', {}, { token: people.office, body: { sub: 'u-1', unit: 'fgw', name: '提案办理联络员' } });
    await call('POST', '/sessions', {}, { token: people.office, body: { id: '6-2', name: '六届二次会议', year: 2018 } });
    const filed = await call('POST', '/proposals', {}, {
      token: people.member,
      body: { session: '6-3', title: '加大扶持民营企业发展的建议', body: '建议设立专项资金。', category: 'economy', coProposers: ['m-2'] },
      headers: { 'idempotency-key': 'file-1' },
    });
    const id = filed.body.id as string;
    const p = { id };
    await call('POST', '/proposals/{id}/co-proposer-confirmations', p, { token: people.coProposer, body: {} });
    await call('POST', '/proposals/{id}/register', p, { token: people.committee, body: {} });
    await call('POST', '/proposals/{id}/assign', p, { token: people.office, body: { leadUnit: 'fgw', coUnits: ['czj'] } });
    api.clock.advanceDays(3); // a visit of 2 March typed in from its paper form on the 4th
    await call('POST', '/proposals/{id}/visits', p, {
      token: people.clerk,
      body: { stage: 'before', visitorRank: 'principal', form: 'in-person', occurredAt: '2019-03-02', onBehalfOf: { sub: 'u-1', role: 'unit', unit: 'fgw' } },
    });
    await call('POST', '/proposals/{id}/co-unit-opinions', p, { token: people.coUnit, body: { opinion: '同意牵头单位意见。' } });
    const answered = await call('POST', '/proposals/{id}/answers', p, { token: people.lead, body: { category: 'A', text: '已纳入扶持政策。', publish: true } });
    await call('POST', '/proposals/{id}/feedback', p, { token: people.member, body: { attitude: 'satisfied', agreesWithResult: true } });
    await call('POST', '/proposals/{id}/supervision', p, { token: people.committee, body: { key: true } });
    await call('POST', '/proposals/{id}/publication', p, { token: people.office, body: {} });
    await call('POST', '/sessions/{id}/supervision-visits', { id: '6-3' }, { token: people.office, body: { unit: 'fgw' } });
    const declined = (await call('POST', '/proposals', {}, { token: people.member, body: { session: '6-3', title: '垃圾分类', body: '建议推进垃圾分类。', category: 'environment' } })).body.id as string;
    await call('POST', '/proposals/{id}/decline', { id: declined }, { token: people.committee, body: { reason: 'merged', mergedInto: id, note: '并案处理' } });
    await call('PATCH', '/directory/units/{code}', { code: 'fgw' }, { token: people.office, body: { shortName: '区发改委' } });

    // The refusals: each with its problem.
    const refusals = [
      await call('POST', '/proposals', {}, { token: people.member, body: { session: '6-3', title: '', category: 'nothing' } }),
      await call('POST', '/proposals/{id}/register', p, { body: {} }),
      await call('POST', '/proposals/{id}/register', p, { token: people.member, body: {} }),
      await call('POST', '/proposals/{id}/register', { id: 'no-such-proposal' }, { token: people.committee, body: {} }),
      await call('POST', '/proposals/{id}/register', p, { token: people.committee, body: {} }),
      await call('POST', '/proposals/{id}/follow-ups', p, { token: people.lead, body: { note: '继续跟踪。' }, headers: { 'if-match': '"1"' } }),
      await call('POST', '/proposals', {}, { token: people.member, body: { session: '6-3', title: '另一件', body: '……', category: 'other' }, headers: { 'idempotency-key': 'file-1' } }),
      await call('GET', '/proposals/{id}', { id: 'no-such-proposal' }, { token: people.member }),
      await call('GET', '/proposals', {}, { token: people.member, query: 'pageSize=0' }),
      await call('GET', '/audit', {}, { token: people.member }),
      await call('GET', '/sessions/{id}', { id: '9-9' }, { token: people.member }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 401, 403, 404, 409, 412, 422, 404, 400, 403, 404]);

    // Every query, as the people who read them.
    await read('/proposals', {}, people.member, 'sort=-filedAt');
    await read('/proposals/{id}', p, people.member);
    await read('/proposals/{id}', { id: declined }, people.office);
    await read('/proposals/{id}/history', p, people.auditor);
    await read('/sessions', {}, people.member);
    await read('/sessions/{id}', { id: '6-3' }, people.member);
    await read('/sessions/{id}/statistics', { id: '6-3' }, people.office);
    await read('/statistics/year-over-year', {}, people.office, 'sessions=6-2,6-3');
    await read('/supervision/overdue', {}, people.office);
    await read('/supervision/due-soon', {}, people.office, 'days=366');
    await read('/units', {}, people.office, 'session=6-3');
    await read('/audit', {}, people.auditor, 'pageSize=200');
    await read('/projections', {}, people.auditor);
    await read('/trail/anchors', {}, people.auditor);
    await read('/directory/units', {}, people.member);
    await read('/directory/units/{code}', { code: 'fgw' }, people.member);
    await read('/directory/members', {}, people.member, 'active=true');
    await read('/directory/members/{id}', { id: 'm-1' }, people.member);
    await read('/directory/staff-accounts', {}, people.office);
    await read('/public/answers', {}, undefined, 'session=6-3');
    await read('/vocabulary', {}, undefined);
    await read('/todo', {}, people.lead);
    await read('/todo', {}, people.member);
    const hook = await call('POST', '/webhooks', {}, { token: people.office, body: { url: 'http://127.0.0.1:9/hook', prefixes: ['proposal.'] } });
    const w = { id: hook.body.id as string };
    await call('POST', '/webhooks/{id}/pause', w, { token: people.office, body: { reason: '接收方维护' } });
    await call('POST', '/webhooks', {}, { token: people.member, body: { url: 'http://127.0.0.1:9/hook' } });
    await read('/webhooks', {}, people.office);
    await read('/webhooks/{id}', w, people.office);
    await read('/webhooks/{id}/deliveries', w, people.office);
    await call('DELETE', '/webhooks/{id}', w, { token: people.office });
    await call('GET', '/health', {});
    await call('GET', '/ready', {});
    await call('GET', '/events/schemas', {});

    expect(answered.status).toBe(200);
    const problems: string[] = [];
    for (const { method, template, reply } of seen) {
      const name = `${method.toUpperCase()} ${template} → ${reply.status}`;
      const response = document.paths[template]?.[method]?.responses[String(reply.status)];
      if (!response) {
        problems.push(`${name}: status not documented`);
        continue;
      }
      const type = (reply.headers.get('content-type') ?? '').split(';')[0];
      const schema = response.content?.[type]?.schema;
      if (!schema) {
        problems.push(`${name}: no schema for ${type}`);
        continue;
      }
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"urn:cppcc-proposals:openapi#/components/')));
      if (!validate(reply.body))
        problems.push(`${name}: ${[...new Set((validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params.additionalProperty ? `: ${e.params.additionalProperty}` : ''}`))].join('; ')}`);
    }
    expect(problems).toEqual([]);
    // The answers checked were not empty ones: the proposal had its facts, the lists their items.
    const body = (template: string) => seen.find((s) => s.template === template && s.reply.status === 200)?.reply.body;
    expect(body('/proposals/{id}')).toMatchObject({ paperRecords: [expect.anything()], answers: [expect.anything()], publications: [expect.anything()] });
    expect(body('/public/answers').items).toHaveLength(1);
    expect(body('/audit').items.length).toBeGreaterThan(10);
    expect(body('/units').length).toBeGreaterThan(0);
  });
});
