import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '@app/config';

export type LogLevelSetting = AppConfig['logLevel'] | 'silent';
export type { Logger } from 'pino';

const PINO_LEVELS: Record<LogLevelSetting, string> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', silent: 'silent' };

/**
 * Blanked out wherever they appear in a logged object: credentials, and answer texts (a withheld answer must not
 * reach the log). Nothing logs them on purpose — request lines carry neither headers nor bodies — this is the net
 * for a mistake to come.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authSecret',
  '*.authSecret',
  'password',
  '*.password',
  'text',
  '*.text',
  '*.data.text',
  'body',
  '*.body',
];

export interface LoggerSettings {
  readonly level: LogLevelSetting;
  readonly format: AppConfig['logFormat'];
  /** Where lines go: standard output unless given (specs capture them). */
  readonly destination?: DestinationStream;
}

/**
 * The process's one logger (pino): in production one JSON object a line, `level` as a word and `time` as ISO 8601;
 * in development readable lines. Written synchronously, so that the last lines before an exit are not lost.
 */
export function createLogger(settings: LoggerSettings): Logger {
  // Silent (the specs): no stream to set up at all.
  if (settings.level === 'silent' && settings.destination === undefined) return pino({ level: 'silent' }, { write: () => undefined });
  const options: LoggerOptions = {
    level: PINO_LEVELS[settings.level],
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (settings.format === 'pretty')
    return pino(
      options,
      pretty({
        sync: true,
        colorize: settings.destination === undefined && process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        // A request's method, path, status and duration are in its message already.
        ignore: 'pid,hostname,context,method,path,status,durationMs',
        messageFormat: '{if context}[{context}] {end}{msg}',
        singleLine: true,
        ...(settings.destination ? { destination: settings.destination as NodeJS.WritableStream } : {}),
      }),
    );
  return pino(
    { ...options, timestamp: isoTime, formatters: { level: (label) => ({ level: label }) } },
    settings.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * pino's isoTime, formatted once per millisecond: under load many lines share one (the request lines of 10,000
 * requests a second), and a Date and its ISO string were an eighth of writing a line.
 */
let lastMs = NaN;
let lastTime = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** Nest's start-up chatter (every module, route and "successfully started"): debug, not the operator's concern. */
const CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's Logger calls, onto the pino logger: `context` as a field, an error's stack as `stack`. */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = split(params);
    this.write(context !== undefined && CHATTER.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, rest } = split(params);
    const stack = rest.find((p): p is string => typeof p === 'string');
    const fields = { ...(context !== undefined ? { context } : {}), ...(stack !== undefined ? { stack } : {}) };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

/** Nest passes the context last, after an error's stack. */
function split(params: unknown[]): { context?: string; rest: unknown[] } {
  const last = params.at(-1);
  return typeof last === 'string' ? { context: last, rest: params.slice(0, -1) } : { rest: params.filter((p) => p !== undefined) };
}
