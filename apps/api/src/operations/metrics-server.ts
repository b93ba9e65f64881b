import { createServer, type Server } from 'node:http';
import type { ApiMetrics } from './metrics.js';

/**
 * GET /metrics on a port of its own (METRICS_PORT), apart from the API's, so that publishing the API does not
 * publish its metrics: a plain Node server, outside Nest and the API's auth, answering nothing else.
 */
export async function listenForMetrics(metrics: ApiMetrics, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics could not be collected: ${String(error)}\n`),
    );
  });
  // A scrape is one short request: no connection is kept waiting at shutdown.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
