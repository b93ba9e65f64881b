import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommandProcessor } from '@app/command-handling';
import { SqliteEventStore } from '@app/event-store';
import type { Actor } from '@app/proposals';
import { proposalScript, seededRandom } from './workload.js';

const office: Actor = { id: 'o-1', role: 'office' };

/**
 * An event log of at least `events` events made through the real command path (decide, metadata, hash chain),
 * proposals handled concurrently so that their streams interleave in the log as they do in a district's year.
 * Built in memory, then written to `path` in one go; reused when the file is already there.
 */
export async function generateEventLog(path: string, events: number, log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const store = new SqliteEventStore({ path: ':memory:', synchronous: 'normal' });
  let now = Date.parse('2017-01-10T01:00:00Z');
  const processor = new CommandProcessor(store, { clock: () => new Date((now += 7_000)), utcOffsetMinutes: 480, defaultAnswerLimitDays: 90 });
  const sessions = new Map<string, Promise<unknown>>();
  const sessionFor = (n: number) => {
    const k = Math.floor(n / 200);
    const id = `${1 + Math.floor(k / 999)}-${1 + (k % 999)}`;
    if (!sessions.has(id))
      sessions.set(id, processor.session(id, { tenant: 'jinshan', caller: office, command: { type: 'OpenSession', data: { id, name: `第${k + 1}次会议`, year: 2017 + Math.floor(k / 50) } } }));
    return (sessions.get(id) as Promise<unknown>).then(() => id);
  };
  const random = seededRandom(42);
  let next = 0;
  const started = performance.now();
  let lastLog = started;
  const worker = async () => {
    while ((await store.headPosition()) < events) {
      const n = next++;
      const id = `gen-${n}`;
      for (const { actor, command } of proposalScript(id, await sessionFor(n), n, random)) {
        await processor.proposal(id, { tenant: 'jinshan', caller: actor, command });
      }
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        log(`generating: ${(await store.headPosition()).toLocaleString('en-US')} events`);
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  store.db.prepare('VACUUM INTO ?').run(tmp);
  await store.close();
  renameSync(tmp, path);
  log(`generated ${events.toLocaleString('en-US')}+ events in ${((performance.now() - started) / 1000).toFixed(0)} s → ${path}`);
  return path;
}
