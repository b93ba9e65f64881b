import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The receiver of bench/webhooks.bench.ts, as a process of its own (a real receiver runs elsewhere): answers 204 to
 * every delivery at once and keeps, per subscription and event id, when it first arrived (epoch ms). Told over IPC:
 * `{ report: webhookId }` answers the arrivals of that subscription; it sends `{ port }` once listening.
 */
const arrivals = new Map<string, Map<string, number>>();
const now = () => performance.timeOrigin + performance.now();

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const at = now();
    const hook = String(request.headers['x-webhook-id']);
    const id = String(request.headers['x-event-id']);
    let seen = arrivals.get(hook);
    if (!seen) arrivals.set(hook, (seen = new Map()));
    if (!seen.has(id)) seen.set(id, at);
    response.writeHead(204).end();
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message: { report?: string; stop?: true }) => {
  if (message.report !== undefined) process.send?.({ arrivals: [...(arrivals.get(message.report) ?? new Map()).entries()] });
  if (message.stop) server.close(() => process.exit(0));
});
