import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DEFAULT_CLERK_ROLES, ON_BEHALF_ROLES, parseUtcOffset, type OnBehalfRole } from '@app/proposals';
import { reminderSettings, webhookSettings, type ReminderSettings, type WebhookSettings } from './automation.js';

/** Everything the processes read from the environment, read once at start-up. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The jurisdiction a token without a `tenant` claim acts in. */
  readonly defaultTenant: string;
  /** Undefined means: generate one and keep it beside the data (never in production). */
  readonly authSecret?: string;
  readonly utcOffsetMinutes: number;
  readonly defaultAnswerLimitDays: number;
  /** Whose paper steps a clerk may record (CLERK_MAY_RECORD_FOR). */
  readonly clerkMayRecordFor: readonly OnBehalfRole[];
  readonly eventStore: 'sqlite' | 'eventstoredb';
  readonly eventStoreUrl?: string;
  readonly readStore: 'sqlite' | 'mongodb';
  readonly mongodbUrl?: string;
  readonly sqliteSynchronous: 'full' | 'normal';
  /** Whether the embedded event store writes groups of appends on a thread of its own (SQLITE_WRITER_THREAD). */
  readonly sqliteWriterThread: boolean;
  /** Whether the API process runs the projections itself (the embedded default) or leaves them to apps/projector. */
  readonly inProcessProjections: boolean;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** `json`: one JSON object a line (production's default); `pretty`: readable lines (development's). */
  readonly logFormat: 'json' | 'pretty';
  /** Where GET /metrics (Prometheus) listens, apart from the API's port so that it is not public; 0: not served. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** On SIGTERM: how long draining requests, ending feeds and stopping projections may take before the process exits. */
  readonly shutdownGraceMs: number;
  /** How long a query with ?minPosition= waits for the read models before answering 503. */
  readonly readYourWritesTimeoutMs: number;
  /** GET /ready answers 503 when a projection lags the event log by more than this many seconds. */
  readonly readyMaxLagSeconds: number;
  /** How often the event feed sends a heartbeat comment when idle. */
  readonly feedHeartbeatSeconds: number;
  /** The longest lifetime a token may have (exp − iat, and exp − now): longer ones are refused with a 401. */
  readonly tokenMaxHours: number;
  /** HTTP: how long a client has to send a whole request (headers and body); then 408 and the connection closes. */
  readonly httpRequestTimeoutMs: number;
  /** HTTP: how long a kept-alive connection may wait, idle, for its next request. */
  readonly httpKeepAliveTimeoutMs: number;
  /** HTTP: a connection with no traffic either way for this long is closed (the feed's heartbeats are traffic). */
  readonly httpIdleTimeoutMs: number;
  /** The Ed25519 key that signs the trail's anchors (docs/trail.md); kept apart from DATA_DIR. None: no anchors. */
  readonly trailSigningKey?: KeyObject;
  /** The public key `npm run verify -- --anchor` trusts; by default the signing key's own. */
  readonly trailVerifyKey?: KeyObject;
  /** REMINDER_SCHEDULE, REMINDER_DAYS_BEFORE_DUE, FEEDBACK_REMINDER_DAYS, ESCALATE_AFTER_DAYS (automation.ts). */
  readonly reminders: ReminderSettings;
  /** WEBHOOK_* (automation.ts). */
  readonly webhooks: WebhookSettings;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

export const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Env = Readonly<Record<string, string | undefined>>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name] ?? fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function listOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: readonly T[]): readonly T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(',').map((s) => s.trim());
  const wrong = items.find((item) => !(allowed as readonly string[]).includes(item));
  if (wrong !== undefined) throw new ConfigError(name, `must be a comma-separated list of ${allowed.join(', ')} (got "${wrong}")`);
  return [...new Set(items)] as T[];
}

function url(env: Env, name: string, schemes: readonly string[], requiredBecause?: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (requiredBecause) throw new ConfigError(name, `is required ${requiredBecause}`);
    return undefined;
  }
  const scheme = raw.split('://')[0];
  if (!schemes.includes(scheme)) throw new ConfigError(name, `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  return raw;
}

/**
 * An Ed25519 key as PEM (literal `\n` accepted, for one-line env files) or as base64 DER (PKCS #8 for a private
 * key, SPKI for a public one). Throws a ConfigError naming `variable` for anything else.
 */
export function parseEd25519Key(variable: string, raw: string, kind: 'private' | 'public'): KeyObject {
  const text = raw.trim().replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    const pem = text.startsWith('-----BEGIN');
    const der = Buffer.from(text, 'base64');
    key = kind === 'private'
      ? createPrivateKey(pem ? text : { key: der, format: 'der', type: 'pkcs8' })
      : createPublicKey(pem ? text : { key: der, format: 'der', type: 'spki' });
  } catch {
    throw new ConfigError(variable, `must be an Ed25519 ${kind} key, PEM or base64 ${kind === 'private' ? 'PKCS #8' : 'SPKI'} DER (it could not be read as a key)`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError(variable, `must be an Ed25519 key (got ${key.asymmetricKeyType ?? 'an unknown'} key)`);
  return key;
}

/**
 * HTTP_IDLE_TIMEOUT_MS: an open feed is quiet between heartbeats and a ?minPosition= query while it waits, so the
 * idle timeout must outlast both; by default 30 s, or twice the heartbeat interval if that is longer.
 */
function idleTimeout(env: Env): number {
  const heartbeatMs = integer(env, 'FEED_HEARTBEAT_SECONDS', 15, 1, 3600) * 1000;
  const waitMs = integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1, 60_000);
  const value = integer(env, 'HTTP_IDLE_TIMEOUT_MS', Math.max(30_000, 2 * heartbeatMs), 1_000, 7_200_000);
  if (value <= heartbeatMs || value <= waitMs)
    throw new ConfigError('HTTP_IDLE_TIMEOUT_MS', `must be longer than FEED_HEARTBEAT_SECONDS (${heartbeatMs} ms) and READ_YOUR_WRITES_TIMEOUT_MS (${waitMs} ms), which wait in silence (got "${value}")`);
  return value;
}

/** METRICS_PORT: 9464 by default, 0 for none; never the API's own port. */
function metricsPort(env: Env): number {
  const value = integer(env, 'METRICS_PORT', 9464, 0, 65535);
  if (value !== 0 && value === integer(env, 'PORT', 3000, 0, 65535))
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${value}): the metrics are served apart from the API, or not at all with 0`);
  return value;
}

const fail = (variable: string, reason: string): never => {
  throw new ConfigError(variable, reason);
};

/** Validates the whole environment up front and fails with the name of the first variable that is wrong. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const dataDir = resolve(env.DATA_DIR || './data');
  const authSecret = env.AUTH_SECRET || undefined;
  if (authSecret !== undefined && authSecret.length < 32)
    throw new ConfigError('AUTH_SECRET', 'must be at least 32 characters');
  if (nodeEnv === 'production' && authSecret === undefined)
    throw new ConfigError('AUTH_SECRET', 'is required when NODE_ENV=production (tokens must not be signed with a generated secret)');
  const defaultTenant = env.TENANT || 'jinshan';
  if (!TENANT.test(defaultTenant)) throw new ConfigError('TENANT', 'must be lower-case letters, digits and dashes');
  const utcOffsetMinutes = parseUtcOffset(env.BUSINESS_UTC_OFFSET || '+08:00');
  if (utcOffsetMinutes === undefined) throw new ConfigError('BUSINESS_UTC_OFFSET', 'must look like +08:00');
  const eventStore = oneOf(env, 'EVENT_STORE', ['sqlite', 'eventstoredb'] as const, 'sqlite');
  const readStore = oneOf(env, 'READ_STORE', ['sqlite', 'mongodb'] as const, 'sqlite');
  const trailSigningKey = env.TRAIL_SIGNING_KEY ? parseEd25519Key('TRAIL_SIGNING_KEY', env.TRAIL_SIGNING_KEY, 'private') : undefined;
  const trailVerifyKey = env.TRAIL_VERIFY_KEY ? parseEd25519Key('TRAIL_VERIFY_KEY', env.TRAIL_VERIFY_KEY, 'public') : undefined;
  return {
    nodeEnv,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir,
    defaultTenant,
    authSecret,
    utcOffsetMinutes,
    defaultAnswerLimitDays: integer(env, 'ANSWER_LIMIT_DAYS', 90, 1, 366),
    clerkMayRecordFor: listOf(env, 'CLERK_MAY_RECORD_FOR', ON_BEHALF_ROLES, DEFAULT_CLERK_ROLES),
    eventStore,
    eventStoreUrl: url(env, 'EVENTSTORE_URL', ['esdb', 'esdb+discover'],
      eventStore === 'eventstoredb' ? 'when EVENT_STORE=eventstoredb' : undefined),
    readStore,
    mongodbUrl: url(env, 'MONGODB_URL', ['mongodb', 'mongodb+srv'], readStore === 'mongodb' ? 'when READ_STORE=mongodb' : undefined),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', ['full', 'normal'] as const, 'full'),
    sqliteWriterThread: bool(env, 'SQLITE_WRITER_THREAD', true),
    inProcessProjections: bool(env, 'IN_PROCESS_PROJECTIONS', true),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, nodeEnv === 'production' ? 'json' : 'pretty'),
    metricsPort: metricsPort(env),
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 8_000, 100, 600_000),
    feedHeartbeatSeconds: integer(env, 'FEED_HEARTBEAT_SECONDS', 15, 1, 3600),
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1, 60_000),
    readyMaxLagSeconds: integer(env, 'READY_MAX_LAG_SECONDS', 30, 0, 86_400),
    tokenMaxHours: integer(env, 'TOKEN_MAX_HOURS', 12, 1, 720),
    httpRequestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
    httpKeepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 1_000, 600_000),
    httpIdleTimeoutMs: idleTimeout(env),
    trailSigningKey,
    trailVerifyKey: trailVerifyKey ?? (trailSigningKey && createPublicKey(trailSigningKey)),
    reminders: reminderSettings(env, fail),
    webhooks: webhookSettings(env, nodeEnv === 'production', fail),
  };
}

export const eventStoreFile = (config: AppConfig): string => join(config.dataDir, 'events.sqlite');
export const readStoreFile = (config: AppConfig): string => join(config.dataDir, 'read-models.sqlite');
export const APP_CONFIG = Symbol('AppConfig');

/** For process entry points: the validated configuration, or a one-line message naming the variable and exit 2. */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
