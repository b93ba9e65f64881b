import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { problem } from '../http/problem.js';
import { PAGE_HEADERS } from '../http/page-headers.js';

/**
 * The dashboard (apps/dashboard), built by `npm run build` into dist/dashboard, served by the API itself: same
 * origin, so no CORS. Every page of it lives under /dashboard/ (`/` sends there), a prefix no API route uses, so
 * the fallback to index.html for the page's own routes (/dashboard/proposals/…) never stands in for an API route:
 * GET /proposals stays the API's, whatever the Accept header says.
 *
 * - /dashboard/assets/* are content-hashed by Vite: cached for a year, immutable; an unknown one is a 404, never
 *   index.html, so that a stale page asking for a chunk of an older build fails plainly instead of parsing HTML.
 * - index.html is revalidated on every load (no-cache + ETag), so that a new build is picked up at once.
 * - Files are compressed once, at build time (.br and .gz beside each, see apps/dashboard/vite.config.ts), and the
 *   variant the client accepts is sent; nothing is compressed per request.
 */
export const DASHBOARD_PATH = '/dashboard/';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  readonly file: string;
  readonly type: string;
  readonly etag: string;
  readonly br?: string;
  readonly gzip?: string;
}

interface Manifest {
  /** index.html's modification time when the files were listed: a new build lists them again. */
  readonly builtAt: number;
  /** By URL path below /dashboard/, e.g. `assets/index-3f2a.js`. */
  readonly assets: ReadonlyMap<string, Asset>;
}

/** dist/dashboard of the checkout this file runs from, as source (jest) or built (dist/apps/api/src/dashboard). */
export function defaultDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard');
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), root) : [relative(root, join(dir, entry.name)).split(sep).join('/')],
  );
}

/** Only files found in the build are ever served: a path is looked up, never joined onto the directory. */
function readManifest(dir: string, builtAt: number): Manifest {
  const files = new Set(listFiles(dir));
  const assets = new Map<string, Asset>();
  for (const path of files) {
    if (path.endsWith('.br') || path.endsWith('.gz')) continue;
    const file = join(dir, path);
    const etag = `"${createHash('sha256').update(readFileSync(file)).digest('base64url').slice(0, 27)}"`;
    assets.set(path, {
      file,
      type: TYPES[extname(path)] ?? 'application/octet-stream',
      etag,
      ...(files.has(`${path}.br`) ? { br: `${file}.br` } : {}),
      ...(files.has(`${path}.gz`) ? { gzip: `${file}.gz` } : {}),
    });
  }
  return { builtAt, assets };
}

/** The encodings a request accepts with a non-zero weight (`br;q=0` refuses br). */
function accepted(request: FastifyRequest): Set<string> {
  const header = request.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const codings = new Set<string>();
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (coding && !(q && Number(q.slice(2)) === 0)) codings.add(coding);
  }
  return codings;
}

async function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): Promise<void> {
  void reply.header('content-type', asset.type).header('cache-control', cacheControl).header('vary', 'accept-encoding').header('etag', asset.etag);
  void reply.header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === asset.etag) {
    await reply.status(304).send();
    return;
  }
  const codings = accepted(request);
  const [encoding, file] = asset.br && codings.has('br') ? ['br', asset.br] : asset.gzip && codings.has('gzip') ? ['gzip', asset.gzip] : [null, asset.file];
  if (encoding) void reply.header('content-encoding', encoding);
  await reply.send(await readFile(file));
}

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>看板尚未构建</title>
<p>看板尚未构建。The dashboard is not built: run <code>npm run build</code> (or <code>npm start</code>, which builds first).</p></html>\n`;

/**
 * Registers the routes on Fastify directly, beside the controllers (no guard, no token: the page signs in itself),
 * while the application initialises, before Fastify is ready. An application without HTTP has nothing to register.
 */
@Injectable()
export class DashboardFiles implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerDashboard(fastify, defaultDashboardDir());
  }
}

export function registerDashboard(fastify: FastifyInstance, dir: string): void {
  let manifest: Manifest | undefined;
  const current = (): Manifest | undefined => {
    const index = join(dir, 'index.html');
    if (!existsSync(index)) return undefined;
    const builtAt = statSync(index).mtimeMs;
    if (manifest?.builtAt !== builtAt) manifest = readManifest(dir, builtAt);
    return manifest;
  };

  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const files = current();
    const index = files?.assets.get('index.html');
    if (!index) {
      await reply.status(503).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
      return;
    }
    void reply.headers(PAGE_HEADERS);
    await send(request, reply, index, 'no-cache');
  };

  // The token arrives in the fragment (`/#token=…`), which a browser keeps across the redirect.
  fastify.get('/', (request, reply) => {
    const query = request.url.indexOf('?');
    void reply.redirect(`${DASHBOARD_PATH}${query < 0 ? '' : request.url.slice(query)}`, 302);
  });
  fastify.get('/dashboard', (request, reply) => {
    const query = request.url.indexOf('?');
    void reply.redirect(`${DASHBOARD_PATH}${query < 0 ? '' : request.url.slice(query)}`, 301);
  });
  fastify.get<{ Params: { '*': string } }>(`${DASHBOARD_PATH}*`, async (request, reply) => {
    const path = request.params['*'];
    const asset = path === 'index.html' ? undefined : current()?.assets.get(path);
    if (asset) {
      await send(request, reply, asset, path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return;
    }
    if (path.startsWith('assets/') || extname(path) !== '') {
      await reply
        .status(404)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .header('cache-control', 'no-store')
        .send({ ...problem(404, `no file ${path} in the dashboard’s build`), instance: request.url });
      return;
    }
    await page(request, reply);
  });
}
