import { Logger, type ArgumentsHost, type LoggerService } from '@nestjs/common';
import { Forbidden } from '@app/proposals';
import { ProblemFilter } from './problem.filter.js';
import { HttpProblem } from './problem.js';

/** What the filter logs and answers, for failures nobody foresaw and for refusals the API makes on purpose. */
describe('ProblemFilter', () => {
  const logged: { level: string; message: string; stack?: unknown }[] = [];
  const capture: LoggerService = {
    log: (message: string) => logged.push({ level: 'log', message }),
    warn: (message: string) => logged.push({ level: 'warn', message }),
    error: (message: string, stack?: unknown) => logged.push({ level: 'error', message, stack }),
  };
  beforeAll(() => Logger.overrideLogger(capture));
  afterAll(() => Logger.overrideLogger(false));
  beforeEach(() => (logged.length = 0));

  function handle(error: unknown) {
    const request: Record<string, unknown> = { method: 'GET', url: '/proposals?q=身份证号110101&minPosition=7', id: 'r-1' };
    const sent: { status?: number; headers?: Record<string, string>; body?: Record<string, unknown> } = {};
    const reply = {
      status: (s: number) => ((sent.status = s), reply),
      headers: (h: Record<string, string>) => ((sent.headers = h), reply),
      send: (b: Record<string, unknown>) => ((sent.body = b), reply),
    };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
    new ProblemFilter().catch(error, host);
    return { sent, request };
  }

  it('logs an unforeseen failure with its stack and its path, never the query', () => {
    const { sent } = handle(new TypeError('boom'));
    expect(sent).toMatchObject({ status: 500, body: { status: 500, detail: 'the server failed to handle the request', errors: [] } });
    expect(logged).toEqual([{ level: 'error', message: expect.stringContaining('GET /proposals (request r-1): TypeError: boom'), stack: expect.stringContaining('TypeError: boom') }]);
    expect(JSON.stringify(logged)).not.toContain('110101');
  });

  it('answers a 503 the API makes on purpose as a refusal: no error logged, the reason on the request line, Retry-After kept', () => {
    const { sent, request } = handle(new HttpProblem(503, 'the read models have not reached position 7 within 5000 ms; retry', undefined, { 'retry-after': '1' }));
    expect(sent).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { status: 503, errors: [] } });
    expect(logged).toEqual([]);
    expect(request.refusal).toMatchObject({ reason: 'unavailable', error: 'HttpProblem' });
  });

  it('gives every refusal an errors list, empty when no field is at fault', () => {
    expect(handle(new Forbidden('only the committee registers proposals')).sent).toMatchObject({ status: 403, body: { errors: [] } });
    expect(handle(new HttpProblem(400, 'page must be a whole number', [{ field: 'page', reason: 'must be a whole number' }])).sent.body?.errors).toEqual([
      { field: 'page', reason: 'must be a whole number' },
    ]);
  });
});
