import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from '@app/proposals';

type Env = Readonly<Record<string, string | undefined>>;
/** Throws the configuration error naming the variable (config.ts's ConfigError). */
type Fail = (variable: string, reason: string) => never;

export interface ReminderSettings {
  readonly policy: ReminderPolicy;
  /** REMINDER_SCHEDULE: times of day (minutes after midnight, business time) the scheduler runs; none for `off`. */
  readonly times: readonly number[];
}

export interface WebhookSettings {
  /** Deliveries of one event tried this many times before it is dead-lettered. */
  readonly maxAttempts: number;
  /** The first retry's delay; each next one doubles, with jitter, up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How long a receiver has to answer one delivery. */
  readonly timeoutMs: number;
  /** Whether targets on loopback, private and link-local addresses are allowed (not in production by default). */
  readonly allowPrivateTargets: boolean;
  /** Successful deliveries kept per subscription in its delivery log; older ones are forgotten (failures stay). */
  readonly deliveryLogSize: number;
}

function whole(env: Env, name: string, fallback: number, min: number, max: number, fail: Fail): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

/** `09:00` or `09:00,15:30` (business time), or `off`. */
function schedule(env: Env, fail: Fail): number[] {
  const raw = (env.REMINDER_SCHEDULE ?? '').trim() || '09:00';
  if (raw === 'off') return [];
  const times = raw.split(',').map((t) => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(t.trim());
    if (!m) return fail('REMINDER_SCHEDULE', `must be times of day HH:MM separated by commas, or off (got "${t.trim()}")`);
    return Number(m[1]) * 60 + Number(m[2]);
  });
  return [...new Set(times)].sort((a, b) => a - b);
}

function daysBeforeDue(env: Env, fail: Fail): number[] {
  const raw = (env.REMINDER_DAYS_BEFORE_DUE ?? '').trim();
  if (raw === '') return [...DEFAULT_REMINDER_POLICY.daysBeforeDue];
  const days = raw.split(',').map((d) => {
    const value = Number(d.trim());
    if (!Number.isInteger(value) || value < 1 || value > 366) return fail('REMINDER_DAYS_BEFORE_DUE', `must be whole numbers of days from 1 to 366 separated by commas (got "${d.trim()}")`);
    return value;
  });
  return [...new Set(days)].sort((a, b) => b - a);
}

export function reminderSettings(env: Env, fail: Fail): ReminderSettings {
  return {
    times: schedule(env, fail),
    policy: {
      daysBeforeDue: daysBeforeDue(env, fail),
      feedbackAfterDays: whole(env, 'FEEDBACK_REMINDER_DAYS', DEFAULT_REMINDER_POLICY.feedbackAfterDays, 1, 366, fail),
      escalateAfterDays: whole(env, 'ESCALATE_AFTER_DAYS', DEFAULT_REMINDER_POLICY.escalateAfterDays, 1, 366, fail),
    },
  };
}

export function webhookSettings(env: Env, production: boolean, fail: Fail): WebhookSettings {
  const allow = env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  if (allow !== undefined && allow !== '' && !['true', 'false'].includes(allow)) fail('WEBHOOK_ALLOW_PRIVATE_TARGETS', `must be true or false (got "${allow}")`);
  const retryBaseMs = whole(env, 'WEBHOOK_RETRY_BASE_MS', 1_000, 1, 3_600_000, fail);
  const retryMaxMs = whole(env, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 1, 86_400_000, fail);
  if (retryMaxMs < retryBaseMs) fail('WEBHOOK_RETRY_MAX_MS', `must not be below WEBHOOK_RETRY_BASE_MS (${retryBaseMs})`);
  return {
    maxAttempts: whole(env, 'WEBHOOK_MAX_ATTEMPTS', 15, 1, 100, fail),
    retryBaseMs,
    retryMaxMs,
    timeoutMs: whole(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000, fail),
    allowPrivateTargets: allow === undefined || allow === '' ? !production : allow === 'true',
    deliveryLogSize: whole(env, 'WEBHOOK_DELIVERY_LOG_SIZE', 10_000, 100, 10_000_000, fail),
  };
}
