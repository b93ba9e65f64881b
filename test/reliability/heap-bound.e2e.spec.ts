import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process.js';

/**
 * The service says at start what heap limit it runs with, and warns when it was started without the bound that
 * `npm start` and the image give it (docs/deployment.md, "Memory"): an operator who runs `node dist/…/main.js` by
 * hand reads why its memory may grow.
 */
const SECRET = 'heap-bound-test-secret-of-at-least-32-chars';
const started: { service: ServiceProcess; dir: string }[] = [];

async function start(nodeFlags?: readonly string[]): Promise<ServiceProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cppcc-heap-'));
  const port = await freePort();
  const service = new ServiceProcess({ PORT: String(port), METRICS_PORT: '0', DATA_DIR: dir, AUTH_SECRET: SECRET, LOG_FORMAT: 'json' }, nodeFlags);
  started.push({ service, dir });
  await service.healthy(`http://127.0.0.1:${port}`);
  return service;
}

const listening = (service: ServiceProcess) => service.line((l) => l.includes('"listening on http')).then((l) => JSON.parse(l) as { heapLimitMb: number; msg: string });

afterAll(async () => {
  for (const { service, dir } of started) {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the heap bound, as the service reports it', () => {
  it('as npm start runs it: the limit is the bound, and no warning', async () => {
    const service = await start();
    const line = await listening(service);
    expect(line.heapLimitMb).toBeGreaterThanOrEqual(512);
    expect(line.heapLimitMb).toBeLessThan(640);
    expect(line.msg).toContain(`heap limit ${line.heapLimitMb} MB`);
    expect(service.output).not.toContain('--max-old-space-size');
  }, 200_000);

  it('started without the flag on a machine of several GB: a warning naming the flag and the docs', async () => {
    const service = await start([]);
    const line = await listening(service);
    if (line.heapLimitMb < 2048) {
      // Node's default limit depends on the machine's memory: below 2 GB there is nothing to warn of.
      process.stdout.write(`skipped: this machine's default heap limit is ${line.heapLimitMb} MB, under the warning's 2,048 MB\n`);
      return;
    }
    const warning = JSON.parse(await service.line((l) => l.includes("V8's heap limit is"))) as { level: number | string; msg: string };
    expect(warning.msg).toContain('--max-old-space-size=512');
    expect(warning.msg).toContain('docs/deployment.md');
  }, 200_000);
});
