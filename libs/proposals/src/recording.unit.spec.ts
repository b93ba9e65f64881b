import type { Actor } from './actor.js';
import { businessDate } from './business-time.js';
import { Forbidden, ValidationFailed } from './errors.js';
import { resolveRecording, type RecordingRequest } from './recording.js';
import { BEIJING, refusalOf } from './testing/given.js';

/** The server clock, pinned: 12:00 in Beijing on 2019-06-10. */
const NOW = new Date('2019-06-10T04:00:00.000Z');

const wang: Actor = { id: 'm-wang', role: 'member', name: '王委员' };
const leadUnit: Actor = { id: 'u-chen', role: 'unit', unit: 'construction-commission' };
const clerk: Actor = { id: 'k-he', role: 'clerk' };

const resolve = (req: Omit<RecordingRequest, 'now' | 'utcOffsetMinutes'>) =>
  resolveRecording({ ...req, now: NOW, utcOffsetMinutes: BEIJING });

describe('resolveRecording: a step taken by the person who did it', () => {
  it('happens on the server clock and is recorded at the same instant', () => {
    expect(resolve({ caller: wang })).toEqual({
      actor: wang,
      occurredAt: '2019-06-10T04:00:00.000Z',
      recordedAt: '2019-06-10T04:00:00.000Z',
    });
  });

  it('is forbidden to give when it happened', () => {
    expect(refusalOf(() => resolve({ caller: wang, occurredAt: '2019-06-03' }))).toEqual({
      error: Forbidden,
      message: 'only a clerk records when a step happened; your steps take the server clock',
      field: 'occurredAt',
    });
  });

  it('is forbidden to be on behalf of someone else', () => {
    expect(refusalOf(() => resolve({ caller: leadUnit, onBehalfOf: wang }))).toEqual({
      error: Forbidden,
      message: 'only a clerk records a step on behalf of someone else',
      field: 'onBehalfOf',
    });
  });
});

describe('resolveRecording: a paper record a clerk types in', () => {
  it('keeps who did the step and who recorded it, happening now when no date is given', () => {
    expect(resolve({ caller: clerk, onBehalfOf: wang })).toEqual({
      actor: wang,
      recorder: clerk,
      occurredAt: '2019-06-10T04:00:00.000Z',
      recordedAt: '2019-06-10T04:00:00.000Z',
    });
  });

  it('takes the instant written on the paper, converted to UTC', () => {
    expect(resolve({ caller: clerk, onBehalfOf: leadUnit, occurredAt: '2019-06-03T15:30+08:00' })).toEqual({
      actor: leadUnit,
      recorder: clerk,
      occurredAt: '2019-06-03T07:30:00.000Z',
      recordedAt: '2019-06-10T04:00:00.000Z',
    });
  });

  it('reads a bare past date as the end of that business day', () => {
    const { occurredAt } = resolve({ caller: clerk, onBehalfOf: wang, occurredAt: '2019-06-03' });
    expect(occurredAt).toBe('2019-06-03T15:59:59.999Z');
    expect(businessDate(occurredAt, BEIJING)).toBe('2019-06-03');
  });

  it('reads today’s date as now, so the step does not lie in the future', () => {
    expect(resolve({ caller: clerk, onBehalfOf: wang, occurredAt: '2019-06-10' }).occurredAt).toBe(
      '2019-06-10T04:00:00.000Z',
    );
  });

  it.each(['office', 'committee', 'leader'] as const)('is forbidden for the %s by default: their decisions are theirs to enter', (role) => {
    expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: { id: 'x-1', role } }))).toEqual({
      error: Forbidden,
      message: `this deployment lets clerks record steps of member, unit only, not of ${role} (CLERK_MAY_RECORD_FOR)`,
      field: 'onBehalfOf.role',
    });
  });

  it('records for the office where the deployment allows it', () => {
    const office: Actor = { id: 'o-sun', role: 'office' };
    expect(resolve({ caller: clerk, onBehalfOf: office, clerkMayRecordFor: ['member', 'unit', 'office'] }).actor).toEqual(office);
  });

  it('is forbidden without the person the clerk records for', () => {
    expect(refusalOf(() => resolve({ caller: clerk, occurredAt: '2019-06-03' }))).toEqual({
      error: Forbidden,
      message: 'a clerk records steps on behalf of the person who took them: give onBehalfOf',
      field: 'onBehalfOf',
    });
  });

  it.each(['auditor', 'clerk', 'service'] as const)('is forbidden on behalf of the role %s', (role) => {
    expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: { id: 'x-1', role } }))).toEqual({
      error: Forbidden,
      message: `a clerk cannot record on behalf of the role ${role}`,
      field: 'onBehalfOf.role',
    });
  });

  it('needs the unit of a unit actor', () => {
    expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: { id: 'u-chen', role: 'unit' } }))).toEqual({
      error: ValidationFailed,
      message: 'a unit actor needs its unit',
      field: 'onBehalfOf.unit',
    });
  });

  it('refuses an instant in the future, even by a millisecond', () => {
    expect(
      refusalOf(() => resolve({ caller: clerk, onBehalfOf: wang, occurredAt: '2019-06-10T12:00:00.001+08:00' })),
    ).toEqual({ error: ValidationFailed, message: 'must not be in the future', field: 'occurredAt' });
  });

  it('refuses an instant on a day the calendar does not have', () => {
    expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: wang, occurredAt: '2019-02-30T10:00+08:00' }))).toEqual({
      error: ValidationFailed,
      message: 'must be an ISO 8601 instant with offset or a date YYYY-MM-DD',
      field: 'occurredAt',
    });
  });

  it('refuses a bare date after today', () => {
    expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: wang, occurredAt: '2019-06-11' }))).toEqual({
      error: ValidationFailed,
      message: 'must not be in the future',
      field: 'occurredAt',
    });
  });

  it.each(['2019-06-03 15:30', '2019-06-03T15:30:00', '2019/06/03', '2019-6-3', '2019-02-30', '2019-06-03T25:00Z', 'yesterday'])(
    'refuses the malformed occurredAt %j',
    (occurredAt) => {
      expect(refusalOf(() => resolve({ caller: clerk, onBehalfOf: wang, occurredAt }))).toEqual({
        error: ValidationFailed,
        message: 'must be an ISO 8601 instant with offset or a date YYYY-MM-DD',
        field: 'occurredAt',
      });
    },
  );
});
