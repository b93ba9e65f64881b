import createClient from 'openapi-fetch';
import { session, signOut } from '../auth/session';
import type { paths } from './openapi';
import type { Problem } from './types';

/** A refusal or failure of the API, with its problem+json when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** What a failed load means to the person reading the page. */
export type Failure = 'forbidden' | 'not-found' | 'invalid' | 'unavailable' | 'offline' | 'error';

export function failureOf(error: unknown): Failure {
  if (error instanceof ApiError) {
    // The query the page built from its URL was refused: a hand-edited or cut-off link (`?status=bogus`).
    if (error.status === 400) return 'invalid';
    if (error.status === 403) return 'forbidden';
    if (error.status === 404) return 'not-found';
    if (error.status === 503) return 'unavailable';
    return 'error';
  }
  return error instanceof TypeError ? 'offline' : 'error';
}

/** The highest event position the page has heard of (live/feed.ts): queries wait until the read models have it. */
export const readPosition = { value: 0 };
/** Routes that take no `minPosition` (probes, the vocabulary, the feed). */
const NOT_READ_MODELS = /^\/(ready|health|vocabulary|feed|openapi\.json|events\/)/;
const MAX_503_RETRIES = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * fetch, retrying what read-your-writes answers with 503 + Retry-After (the read models had not caught up yet), a
 * few times and never for longer than 5 s each: a GET is safe to repeat.
 */
async function fetchRetrying(request: Request): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(request.clone());
    if (response.status !== 503 || request.method !== 'GET' || attempt >= MAX_503_RETRIES) return response;
    const after = Number(response.headers.get('retry-after'));
    await sleep(Math.min(Math.max(Number.isFinite(after) ? after : 1, 0.5), 5) * 1000);
  }
}

/** The API, typed from its OpenAPI document; same origin, the bearer token of the signed-in person. */
export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: fetchRetrying });

api.use({
  onRequest({ request }) {
    const url = new URL(request.url);
    if (request.method === 'GET' && readPosition.value > 0 && !NOT_READ_MODELS.test(url.pathname)) {
      url.searchParams.set('minPosition', String(readPosition.value));
      request = new Request(url, request);
    }
    if (session.token) request.headers.set('authorization', `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    // The API no longer takes the token (expired, revoked secret, unknown to the directory): sign in again.
    if (response.status === 401 && session.token) signOut('登录已失效，请重新登录');
    return response;
  },
});

/** The data of an answer, or an ApiError carrying its problem. */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data: body, error, response } = await call;
  if (!response.ok || body === undefined) {
    const problem = error && typeof error === 'object' && 'status' in error ? (error as Problem) : null;
    throw new ApiError(response.status, problem);
  }
  return body;
}
