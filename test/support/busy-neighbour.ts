import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface BusyNeighbour {
  /** Settles once it has committed for the first time: from then on it writes without pause. */
  readonly started: Promise<void>;
  /** Stops it (once; later calls answer the same) and tells how often it committed meanwhile. */
  stop(): Promise<{ commits: number }>;
}

/**
 * Another writer on the same SQLite file, in a thread of its own, as a second process would be (the replay's own
 * projections were one, `npm run rebuild` is another): read-then-write transactions on a table of its own, in a
 * tight loop. A connection that commits between such a neighbour's read and write, or reads before the neighbour
 * commits and writes after, meets a real SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT.
 */
export function busyNeighbour(path: string): BusyNeighbour {
  const driver = createRequire(join(process.cwd(), 'package.json')).resolve('better-sqlite3');
  const worker = new Worker(
    `const Database = require(${JSON.stringify(driver)});
    const { workerData, parentPort } = require('node:worker_threads');
    const db = new Database(workerData);
    db.pragma('busy_timeout = 10000');
    db.exec('CREATE TABLE IF NOT EXISTS neighbour (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT OR IGNORE INTO neighbour VALUES (1, 0)');
    const step = db.transaction(() => {
      db.prepare('SELECT n FROM neighbour WHERE id = 1').get();
      db.prepare('UPDATE neighbour SET n = n + 1 WHERE id = 1').run();
    });
    let stopping = false, commits = 0;
    parentPort.on('message', () => { stopping = true; });
    (function loop() {
      const before = commits;
      for (let i = 0; i < 50; i++) try { step(); commits++; } catch { /* the other side held the lock: next */ }
      if (before === 0 && commits > 0) parentPort.postMessage('started');
      if (stopping) parentPort.postMessage(commits); else setImmediate(loop);
    })();`,
    { eval: true, workerData: path },
  );
  const started = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  let stopped: Promise<{ commits: number }> | undefined;
  return {
    started,
    stop: () =>
      (stopped ??= (async () => {
        await started;
        worker.postMessage('stop');
        const commits = await new Promise<number>((resolve) => worker.once('message', resolve));
        await worker.terminate();
        return { commits };
      })()),
  };
}
