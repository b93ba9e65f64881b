import type { TestApi } from '../support/api.js';

/** What one raw request answered, as a user would see it: the status line, the content type, the parsed body. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: any;
  readonly text: string;
}

export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Already encoded: sent as given. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Sent as is (with the content type of `headers`, if any). */
  readonly rawBody?: string;
}

/**
 * One request, read to its end — except an event stream (`GET /feed`), whose status line and content type are
 * taken and which is then aborted, so that nothing stays open after the test.
 */
export async function send(api: TestApi, request: RawRequest): Promise<Answer> {
  const abort = new AbortController();
  try {
    const response = await fetch(`${api.baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.rawBody,
      signal: abort.signal,
    });
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) {
      abort.abort();
      return { status: response.status, contentType, body: undefined, text: '' };
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, contentType, body, text };
  } finally {
    abort.abort();
  }
}

/** The headers of a request with a bearer token and, when a body is given, a JSON content type. */
export function jsonHeaders(token: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...extra };
}
