import { problemResponse } from './decorators.js';

const html = { 'text/html': { schema: { type: 'string' } } };
const redirect = (status: number, to: string) => ({
  [status]: { description: `to ${to}, the query kept`, headers: { Location: { schema: { type: 'string' } } } },
});
const page = (summary: string, responses: Record<string, unknown>, parameters: unknown[] = []) => ({
  get: { tags: ['Pages'], summary, security: [], ...(parameters.length ? { parameters } : {}), responses },
});
const fileParameter = (description: string) => [{ name: 'file', in: 'path', required: true, description, schema: { type: 'string' } }];

/**
 * The routes registered on Fastify directly rather than by a controller — pages for a browser, not API — as the
 * document lists them: the documentation's own (openapi/serve.ts) and the dashboard's (dashboard/serve.ts). Written
 * here because no decorator reaches them; test/http/openapi.e2e.spec.ts holds this list equal to the app's routes.
 * All public: a page holds no data, the data it shows comes from the API with the reader's token.
 */
export const PAGES = {
  '/openapi.json': page('This document (OpenAPI 3.1)', { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } }),
  '/docs': page('This document as a browsable page (Swagger UI, served by this service: no other origin)', { 200: { description: 'OK', content: html } }),
  '/docs/{file}': page('The documentation page’s script, style sheet and icon', { 200: { description: 'OK' }, 404: problemResponse(404) }, fileParameter('start.js, swagger-ui-bundle.js, swagger-ui.css or favicon-32x32.png')),
  '/': page('The dashboard: sends the browser to /dashboard/ (a #token= fragment stays with it)', redirect(302, '/dashboard/')),
  '/dashboard': page('The dashboard, without its trailing slash', redirect(301, '/dashboard/')),
  '/dashboard/{file}': page(
    'The dashboard (apps/dashboard, built by npm run build): its files, and its page for any route of its own',
    {
      200: { description: 'the page (index.html) or one of its files', content: html },
      404: problemResponse(404),
      503: { description: 'the dashboard has not been built (npm run build)', content: html },
    },
    fileParameter('a file of the build (assets/…), or a route of the page'),
  ),
};
