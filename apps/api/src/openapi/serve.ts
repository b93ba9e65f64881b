import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PAGE_HEADERS } from '../http/page-headers.js';
import { problem } from '../http/problem.js';
import { openApiDocument } from './document.js';

/**
 * GET /openapi.json and GET /docs, without a token: they describe the routes and the shapes of their answers, as
 * GET /vocabulary and GET /events/schemas do, and hold no data. The page is Swagger UI from the swagger-ui-dist
 * package, served by this service itself (the machines it runs on may reach no CDN), with a start script of its
 * own rather than an inline one. The document is built on its first request, not at every start.
 */
const swaggerUi = (file: string): Buffer => readFileSync(join(dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')), file));

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>政协提案办理 · API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
`;

const START = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n`;

/** The page's files: the start script and the three files it loads from swagger-ui-dist, read once when asked. */
const ASSETS: Readonly<Record<string, { readonly type: string; readonly read: () => string | Buffer }>> = {
  'start.js': { type: 'text/javascript; charset=utf-8', read: () => START },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', read: () => swaggerUi('swagger-ui-bundle.js') },
  'swagger-ui.css': { type: 'text/css; charset=utf-8', read: () => swaggerUi('swagger-ui.css') },
  'favicon-32x32.png': { type: 'image/png', read: () => swaggerUi('favicon-32x32.png') },
};

/** Registers the routes on Fastify directly: before `app.init()`, as the body parser is. */
export function serveOpenApi(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let json: string | undefined;
  const loaded = new Map<string, string | Buffer>();
  fastify.get('/openapi.json', (_request, reply) => {
    json ??= JSON.stringify(openApiDocument(app));
    void reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(json);
  });
  fastify.get('/docs', (_request, reply) => {
    void reply.headers(PAGE_HEADERS).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(PAGE);
  });
  fastify.get<{ Params: { file: string } }>('/docs/:file', (request, reply) => {
    const { file } = request.params;
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) {
      void reply
        .status(404)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({ ...problem(404, 'no such file of the documentation page'), instance: request.url });
      return;
    }
    if (!loaded.has(file)) loaded.set(file, asset.read());
    void reply.header('content-type', asset.type).header('cache-control', 'public, max-age=86400').send(loaded.get(file));
  });
}
