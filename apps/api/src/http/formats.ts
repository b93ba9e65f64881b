import {
  applyDecorators,
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  StreamableFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiProduces, ApiQuery } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Principal } from '@app/identity';
import { CLOCK, type Clock } from '@app/runtime';
import { csvStream, xlsxStream, type Headers, type Table, type TableMeta } from '@app/reporting';
import { badRequest } from './problem.js';

/**
 * Content negotiation for the read routes: each answers JSON, and also a file — CSV or an Excel workbook — when the
 * caller asks with `?format=csv|xlsx` (which wins) or the matching `Accept` type. The route runs as for JSON, with
 * the same access checks; its answer is then turned into a table (libs/reporting/src/documents/read-tables.ts, the
 * same tables and rows `npm run report -- --table` writes) and streamed with its Content-Type and a
 * Content-Disposition whose file name carries Chinese (RFC 6266, RFC 5987 `filename*`, with an ASCII `filename` for
 * old clients).
 */

export type Representation = 'json' | 'csv' | 'xlsx';

export const MEDIA_TYPES = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

const REPRESENTATIONS: readonly Representation[] = ['json', 'csv', 'xlsx'];

/** What a media range of an Accept header stands for here; null: nothing this route serves. */
function representationOf(range: string): Representation | null {
  switch (range) {
    case MEDIA_TYPES.csv:
    case 'text/*':
      return 'csv';
    case MEDIA_TYPES.xlsx:
      return 'xlsx';
    case MEDIA_TYPES.json:
    case 'application/*':
    case '*/*':
      return 'json';
    default:
      return null;
  }
}

/**
 * `?format=` when given (400 for anything else than json, csv, xlsx); else the best `Accept` range this route
 * serves, by quality and then by order; else JSON (a client that accepts nothing listed still gets JSON, as before).
 */
export function negotiate(format: unknown, accept: string | undefined): Representation {
  if (format !== undefined) {
    if (typeof format !== 'string' || !(REPRESENTATIONS as readonly string[]).includes(format)) throw badRequest('format', 'must be json, csv or xlsx');
    return format as Representation;
  }
  let best: { representation: Representation; q: number } | undefined;
  for (const part of (accept ?? '').split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const representation = representationOf(range);
    if (!representation) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { representation, q };
  }
  return best?.representation ?? 'json';
}

/** `?headers=zh` (default) or `codes`: Chinese column headers for people, the columns' codes for machines. */
export function headersOption(value: unknown): Headers {
  if (value === undefined || value === 'zh') return 'zh';
  if (value === 'codes') return 'codes';
  throw badRequest('headers', 'must be zh or codes');
}

/** A UTF-16 surrogate without its other half: UTF-8 cannot encode it, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * RFC 5987 `value-chars`: UTF-8 percent-encoded, leaving only `attr-char` as they are. A lone surrogate (a name cut
 * inside an emoji, or sent as one) becomes U+FFFD: it made every file of the session a 500.
 */
const rfc5987 = (value: string): string =>
  encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd')).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment; filename="statistics-6-3.csv"; filename*=UTF-8''%E5%8C%BA…`: the Chinese name for every current
 * client, and an ASCII one (quoted, no quote or backslash in it) for those that do not read `filename*`.
 */
export function contentDisposition(filename: string, asciiFilename: string): string {
  const ascii = asciiFilename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(filename)}`;
}

/** A finished document (a Word file) as the answer of a route. */
export function documentFile(content: Buffer, type: keyof typeof MEDIA_TYPES, filename: string, asciiFilename: string): StreamableFile {
  return new StreamableFile(content, { type: MEDIA_TYPES[type], disposition: contentDisposition(filename, asciiFilename), length: content.length });
}

function tableFile(table: Table, format: 'csv' | 'xlsx', headers: Headers): StreamableFile {
  const stream = format === 'csv' ? csvStream(table, headers) : xlsxStream(table, headers);
  const type = format === 'csv' ? `${MEDIA_TYPES.csv}; charset=utf-8; header=present` : MEDIA_TYPES.xlsx;
  return new StreamableFile(stream, { type, disposition: contentDisposition(`${table.filename}.${format}`, `${table.asciiFilename}.${format}`) });
}

/** What a route's answer is turned into a table with. */
export interface ExportContext {
  readonly principal: Principal;
  /** The query string as the caller gave it (validated by the route's DTO). */
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** Jurisdiction, generated-at and business offset for the table's title row. */
  readonly meta: Omit<TableMeta, 'asOf' | 'sessionName'>;
}

export type ToTable<T> = (answer: T, context: ExportContext) => Table<any>;

const EXPORT = Symbol('export');
const wanted = new WeakMap<object, Representation>();

type Request = FastifyRequest & { principal?: Principal };

@Injectable()
export class FormatInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const toTable = this.reflector.get<ToTable<unknown>>(EXPORT, context.getHandler());
    const request = context.switchToHttp().getRequest<Request>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const query = (request.query ?? {}) as Record<string, unknown>;
    const representation = negotiate(query.format, request.headers.accept);
    const headers = headersOption(query.headers);
    // Not parameters of the route's own query: its DTO, which refuses unknown parameters, never sees them.
    delete query.format;
    delete query.headers;
    wanted.set(request, representation);
    void reply.header('vary', 'Accept');
    if (representation === 'json') return next.handle();
    const principal = request.principal as Principal;
    const exportContext: ExportContext = {
      principal,
      query: query as Record<string, string | undefined>,
      params: (request.params ?? {}) as Record<string, string | undefined>,
      meta: { jurisdiction: principal?.tenant ?? this.config.defaultTenant, generatedAt: this.clock().toISOString(), utcOffsetMinutes: this.config.utcOffsetMinutes },
    };
    return next.handle().pipe(map((answer) => tableFile(toTable(answer, exportContext), representation, headers)));
  }
}

/**
 * The route also answers `?format=csv|xlsx` (and `Accept: text/csv`, the XLSX type) with the table `toTable` makes
 * of its JSON answer. A route that pages its JSON answer asks `@WantsFile()` and answers every row when it is true.
 */
export const Exportable = <T>(toTable: ToTable<T>) =>
  applyDecorators(
    SetMetadata(EXPORT, toTable),
    UseInterceptors(FormatInterceptor),
    ApiQuery({ name: 'format', required: false, enum: REPRESENTATIONS, description: 'json (default), or a file: csv (UTF-8 with BOM) or xlsx; the Accept types text/csv and the XLSX type ask the same' }),
    ApiQuery({ name: 'headers', required: false, enum: ['zh', 'codes'], description: 'a file’s column headers: Chinese (default) or the columns’ codes, for machines' }),
    ApiProduces(MEDIA_TYPES.json, MEDIA_TYPES.csv, MEDIA_TYPES.xlsx),
  );

/** Whether the caller asked for a file (CSV or XLSX) rather than JSON: a paged route then answers every row. */
export const WantsFile = createParamDecorator((_: unknown, context: ExecutionContext): boolean => {
  const representation = wanted.get(context.switchToHttp().getRequest<object>());
  return representation !== undefined && representation !== 'json';
});
