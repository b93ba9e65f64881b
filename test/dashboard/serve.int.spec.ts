import Fastify, { type FastifyInstance } from 'fastify';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { registerDashboard } from '../../apps/api/src/dashboard/serve.js';
import { startedApi } from '../support/api.js';

const INDEX = '<!doctype html><html lang="zh-CN"><script type="module" src="/dashboard/assets/index-3f2a9c.js"></script></html>';
const SCRIPT = `console.log(${JSON.stringify('看板'.repeat(500))});`;

interface Raw {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** The bytes as sent, not decompressed. */
  readonly rawPayload: Buffer;
  readonly body: string;
}

/** A GET over a real socket that leaves the body as sent (fetch would decompress it). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // The path as written: a URL object would resolve `%2e%2e` before it left.
    const req = httpRequest({ hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const rawPayload = Buffer.concat(chunks);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, rawPayload, body: rawPayload.toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A build as Vite leaves it: index.html, hashed assets, each with its .br and .gz beside it. */
function fakeBuild(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-3f2a9c.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-3f2a9c.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(dir, 'assets', 'index-3f2a9c.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

describe('the dashboard’s files, served by the API', () => {
  let dir: string;
  let fastify: FastifyInstance;
  let base: string;
  const get = (url: string, headers: Record<string, string> = {}) => rawGet(base, url, headers);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cppcc-dashboard-'));
    fastify = Fastify();
    registerDashboard(fastify, dir);
    base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await fastify.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends / to /dashboard/, keeping the query (a browser keeps the #token fragment itself)', async () => {
    fakeBuild(dir);
    expect((await get('/')).headers.location).toBe('/dashboard/');
    expect((await get('/?session=6-3')).headers.location).toBe('/dashboard/?session=6-3');
    expect((await get('/dashboard')).headers.location).toBe('/dashboard/');
  });

  it('serves index.html for the page’s own routes, revalidated on every load, with a content security policy', async () => {
    fakeBuild(dir);
    for (const url of ['/dashboard/', '/dashboard/overview', '/dashboard/proposals/p-1?tab=trail']) {
      const r = await get(url);
      expect(r.statusCode).toBe(200);
      expect(r.body).toBe(INDEX);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const etag = (await get('/dashboard/')).headers.etag as string;
    expect((await get('/dashboard/overview', { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('serves hashed assets for a year, compressed as the client accepts', async () => {
    fakeBuild(dir);
    const br = await get('/dashboard/assets/index-3f2a9c.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', 'cache-control': 'public, max-age=31536000, immutable', vary: 'accept-encoding' });
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.rawPayload.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 10);
    const gzip = await get('/dashboard/assets/index-3f2a9c.js', { 'accept-encoding': 'br;q=0, gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await get('/dashboard/assets/index-3f2a9c.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect((await get('/dashboard/favicon.svg')).headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for a file the build does not have, never index.html, and never reads outside it', async () => {
    fakeBuild(dir);
    writeFileSync(join(dir, '..', 'secret.txt'), 'x');
    for (const url of ['/dashboard/assets/index-0000.js', '/dashboard/%2e%2e/secret.txt', '/dashboard/assets/%2e%2e/%2e%2e/secret.txt', '/dashboard/index-3f2a9c.js.br']) {
      const r = await get(url);
      expect({ url, status: r.statusCode }).toEqual({ url, status: 404 });
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    rmSync(join(dir, '..', 'secret.txt'));
  });

  it('says the dashboard is not built rather than failing, and picks up a build made while it runs', async () => {
    const before = await get('/dashboard/');
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain('npm run build');
    fakeBuild(dir);
    expect((await get('/dashboard/')).statusCode).toBe(200);
    writeFileSync(join(dir, 'index.html'), INDEX.replace('3f2a9c', '4b5c6d'));
    utimesSync(join(dir, 'index.html'), new Date(), new Date(Date.now() + 5_000));
    expect((await get('/dashboard/')).body).toContain('4b5c6d');
  });
});

describe('the dashboard beside the API', () => {
  const { api, people } = startedApi();

  it('leaves every API route to the API, whatever a browser asks for', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    const list = await api.get('/proposals', undefined, html);
    expect(list.status).toBe(401);
    expect(list.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await api.get('/proposals', people.auditor, html)).body).toMatchObject({ items: [] });
    expect((await api.get('/no-such-route', undefined, html)).status).toBe(404);
    expect((await api.get('/public/answers', undefined, html)).headers.get('content-type')).toMatch(/^application\/json/);
    const root = await fetch(`${api.baseUrl}/`, { headers: html, redirect: 'manual' });
    expect({ status: root.status, location: root.headers.get('location') }).toEqual({ status: 302, location: '/dashboard/' });
    // The page, or 503 saying so when the dashboard is not built (this spec does not build it).
    expect([200, 503]).toContain((await api.get('/dashboard/proposals', undefined, html)).status);
  });
});
