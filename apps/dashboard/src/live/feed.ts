import { reactive } from 'vue';
import { readPosition } from '../api/client';
import { session, signOut } from '../auth/session';

/**
 * Live updates. Roles that may read the event feed (GET /feed: auditor, office, service) follow it as Server-Sent
 * Events over fetch (EventSource cannot send the bearer token) from the log's head, resuming with Last-Event-ID;
 * the others ask the read models' position (GET /ready) every 15 s. Either way a change is announced once things
 * have been quiet for a second (at most every 5 s during a burst, such as a replay), by `live.changes`; pages
 * reload their data quietly then, reading with `minPosition` so that they see the change.
 */
export const live = reactive({
  mode: 'off' as 'off' | 'feed' | 'poll',
  /** The feed is open (or the last poll answered). */
  connected: false,
  /** Bumped once per burst of changes. */
  changes: 0,
});

const QUIET_MS = 1_000;
const MAX_WAIT_MS = 5_000;
const POLL_MS = 15_000;
let controller: AbortController | undefined;
let quiet: ReturnType<typeof setTimeout> | undefined;
let firstPending = 0;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

function changed(position: number): void {
  readPosition.value = Math.max(readPosition.value, position);
  const now = Date.now();
  if (!firstPending) firstPending = now;
  clearTimeout(quiet);
  const announce = () => {
    firstPending = 0;
    live.changes++;
  };
  if (now - firstPending >= MAX_WAIT_MS) announce();
  else quiet = setTimeout(announce, QUIET_MS);
}

/** The position every read model has reached: what the page shows is at least this fresh. */
async function readModelsPosition(signal: AbortSignal): Promise<number | null> {
  try {
    const response = await fetch('/ready', { signal, headers: { accept: 'application/json' } });
    const body = (await response.json()) as { projections?: { position: number }[] };
    const positions = (body.projections ?? []).map((p) => p.position);
    return positions.length ? Math.min(...positions) : null;
  } catch {
    return null;
  }
}

async function follow(signal: AbortSignal): Promise<void> {
  let last = (await readModelsPosition(signal)) ?? 0;
  let delay = 1_000;
  while (!signal.aborted && session.token) {
    try {
      const response = await fetch(`/feed?from=${last}`, {
        signal,
        headers: { authorization: `Bearer ${session.token}`, accept: 'text/event-stream', 'last-event-id': String(last) },
      });
      if (response.status === 401) return signOut('登录已失效，请重新登录');
      // Refused (403), or this person already holds the most feeds the API allows one caller (429: many tabs open):
      // the read models' position still tells of changes, every 15 s, without asking the feed again and again.
      if (response.status === 403 || response.status === 429) return void poll(signal);
      if (!response.ok || !response.body) throw new Error(`feed answered ${response.status}`);
      live.connected = true;
      delay = 1_000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const id = /^id: ?(\d+)$/m.exec(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (id) changed((last = Number(id[1])));
        }
      }
    } catch {
      // closed, offline or refused: try again below
    }
    live.connected = false;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 30_000);
  }
}

async function poll(signal: AbortSignal): Promise<void> {
  live.mode = 'poll';
  let last = await readModelsPosition(signal);
  live.connected = last !== null;
  while (!signal.aborted) {
    await sleep(POLL_MS, signal);
    if (signal.aborted) return;
    const now = await readModelsPosition(signal);
    live.connected = now !== null;
    if (now !== null && last !== null && now > last) changed(now);
    if (now !== null) last = now;
  }
}

export function startLive(mayReadFeed: boolean): void {
  stopLive();
  controller = new AbortController();
  live.mode = mayReadFeed ? 'feed' : 'poll';
  void (mayReadFeed ? follow(controller.signal) : poll(controller.signal));
}

export function stopLive(): void {
  controller?.abort();
  controller = undefined;
  clearTimeout(quiet);
  firstPending = 0;
  live.mode = 'off';
  live.connected = false;
}
