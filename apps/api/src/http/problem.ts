/** RFC 9457 problem details, the body of every error response. */
export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Each field at fault and why; empty when the refusal is not about a field (a role, a state, a missing proposal). */
  readonly errors: readonly FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const SLUGS: Record<number, string> = {
  400: 'invalid-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'illegal-transition',
  412: 'revision-mismatch',
  422: 'unprocessable',
  500: 'internal-error',
  503: 'unavailable',
};

/**
 * A refusal lists at most this many field problems. A 1 MB body of 50,000 unknown fields (or 5,000 import rows of 25
 * each) used to be answered with every one of them, in `errors` and again in `detail`: 5 to 19 MB for one request.
 */
export const MAX_FIELD_PROBLEMS = 50;
/** The longest `detail`, in characters: the joined reasons of the problems listed are far below it. */
export const MAX_DETAIL = 4_000;

export function problem(status: number, detail: string, errors?: readonly FieldProblem[]): Problem {
  const listed = errors && errors.length > MAX_FIELD_PROBLEMS ? errors.slice(0, MAX_FIELD_PROBLEMS) : errors;
  return {
    type: `urn:cppcc-proposals:problem:${SLUGS[status] ?? `http-${status}`}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: bounded(detail, errors?.length ?? 0),
    errors: listed ?? [],
  };
}

/** The detail, cut after the last whole reason that fits, saying how many problems there were in all. */
function bounded(detail: string, problems: number): string {
  if (detail.length <= MAX_DETAIL && problems <= MAX_FIELD_PROBLEMS) return detail;
  const total = problems > MAX_FIELD_PROBLEMS ? `; ${problems} problems in all, the first ${MAX_FIELD_PROBLEMS} in errors` : '; …';
  if (detail.length <= MAX_DETAIL) return `${detail}${total}`;
  const cut = detail.slice(0, MAX_DETAIL);
  const end = cut.lastIndexOf('; ');
  return `${end > 0 ? cut.slice(0, end) : cut}${total}`;
}

/** An error the HTTP layer raises itself (bad header, bad body, bad token), already in problem form. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors?: readonly FieldProblem[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (field: string, reason: string): HttpProblem =>
  new HttpProblem(400, `${field} ${reason}`, [{ field, reason }]);
