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
  readonly errors?: readonly FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
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

export function problem(status: number, detail: string, errors?: readonly FieldProblem[]): Problem {
  return {
    type: `urn:cppcc-proposals:problem:${SLUGS[status] ?? `http-${status}`}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
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
