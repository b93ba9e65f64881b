import { DEFAULT_CLERK_ROLES, ON_BEHALF_ROLES, type Actor, type OnBehalfRole } from './actor.js';
import { businessDate, endOfBusinessDay, isCalendarDate } from './business-time.js';
import { Forbidden, ValidationFailed } from './errors.js';

/**
 * Who did a step, who recorded it, and when (docs/domain.md, "Paper records").
 * `actor` is the one the rules apply to; `recorder` is the clerk who typed a paper record in, if any.
 */
export interface Recording {
  readonly actor: Actor;
  readonly recorder?: Actor;
  /** Business time: when the step happened (ISO 8601, UTC). */
  readonly occurredAt: string;
  /** When the step was recorded (ISO 8601, UTC). */
  readonly recordedAt: string;
}

export interface RecordingRequest {
  readonly caller: Actor;
  readonly onBehalfOf?: Actor;
  /** ISO 8601 instant with offset, or a calendar date (YYYY-MM-DD) meaning that business day. */
  readonly occurredAt?: string;
  readonly now: Date;
  readonly utcOffsetMinutes: number;
  /** The roles this deployment lets a clerk record for; DEFAULT_CLERK_ROLES when not given. */
  readonly clerkMayRecordFor?: readonly OnBehalfRole[];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Only clerks record on behalf of someone else, and only they give a past `occurredAt`.
 * A bare date stands for the end of that business day (or now, if that day is today), so that a paper record
 * of a day sorts after the steps typed in on that same day.
 */
export function resolveRecording(req: RecordingRequest): Recording {
  const { caller, onBehalfOf, now } = req;
  const recordedAt = now.toISOString();
  if (caller.role !== 'clerk') {
    if (onBehalfOf) throw new Forbidden('only a clerk records a step on behalf of someone else', 'onBehalfOf');
    if (req.occurredAt !== undefined)
      throw new Forbidden('only a clerk records when a step happened; your steps take the server clock', 'occurredAt');
    return { actor: caller, occurredAt: recordedAt, recordedAt };
  }
  if (!onBehalfOf)
    throw new Forbidden('a clerk records steps on behalf of the person who took them: give onBehalfOf', 'onBehalfOf');
  if (!(ON_BEHALF_ROLES as readonly string[]).includes(onBehalfOf.role))
    throw new Forbidden(`a clerk cannot record on behalf of the role ${onBehalfOf.role}`, 'onBehalfOf.role');
  const allowed = req.clerkMayRecordFor ?? DEFAULT_CLERK_ROLES;
  if (!(allowed as readonly string[]).includes(onBehalfOf.role))
    throw new Forbidden(
      `this deployment lets clerks record steps of ${allowed.join(', ')} only, not of ${onBehalfOf.role} (CLERK_MAY_RECORD_FOR)`,
      'onBehalfOf.role',
    );
  if (onBehalfOf.role === 'unit' && !onBehalfOf.unit)
    throw new ValidationFailed('a unit actor needs its unit', 'onBehalfOf.unit');
  let occurredMs = now.getTime();
  if (req.occurredAt !== undefined) {
    if (isCalendarDate(req.occurredAt)) {
      if (req.occurredAt > businessDate(now, req.utcOffsetMinutes))
        throw new ValidationFailed('must not be in the future', 'occurredAt');
      occurredMs = Math.min(endOfBusinessDay(req.occurredAt, req.utcOffsetMinutes) - 1, now.getTime());
    } else if (INSTANT.test(req.occurredAt) && isCalendarDate(req.occurredAt.slice(0, 10)) && !Number.isNaN(Date.parse(req.occurredAt))) {
      occurredMs = Date.parse(req.occurredAt);
    } else {
      throw new ValidationFailed('must be an ISO 8601 instant with offset or a date YYYY-MM-DD', 'occurredAt');
    }
    if (occurredMs > now.getTime()) throw new ValidationFailed('must not be in the future', 'occurredAt');
  }
  return { actor: onBehalfOf, recorder: caller, occurredAt: new Date(occurredMs).toISOString(), recordedAt };
}
