/**
 * Runs tasks that share a key one after another, in arrival order. Commands on one stream within one process
 * then never race each other; races with other processes are still caught by the expected revision.
 */
export class KeyedLock {
  /** The keys held, each with the tasks waiting for it, first come first. */
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * Takes the keys in the order given (callers keep one order, so that two tasks never wait for each other), runs
   * the task, and gives every key back when it ends; `release` gives one back earlier, once the task no longer
   * needs it.
   */
  async run<T>(keys: readonly string[], task: (release: (key: string) => void) => Promise<T>): Promise<T> {
    const held: string[] = [];
    const release = (key: string) => {
      const i = held.indexOf(key);
      if (i < 0) return;
      held.splice(i, 1);
      this.giveBack(key);
    };
    try {
      for (const key of keys) {
        const queue = this.waiting.get(key);
        if (!queue) this.waiting.set(key, []);
        else await new Promise<void>((resolve) => queue.push(resolve));
        held.push(key);
      }
      return await task(release);
    } finally {
      for (const key of held) this.giveBack(key);
    }
  }

  private giveBack(key: string): void {
    const queue = this.waiting.get(key) as (() => void)[];
    const next = queue.shift();
    if (next) next();
    else this.waiting.delete(key);
  }
}
