import { Controller, Get, Inject, Param, Query, type StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { READ_STORE, type ReadStore } from '@app/read-store';
import { listAnchors, anchorStream, type RecordedAnchor } from '@app/command-handling';
import { docId, PROPOSALS, SESSIONS, type ProposalDoc, type SessionDoc } from '@app/projections';
import { businessDate, NotFound, SESSION_ID } from '@app/proposals';
import {
  annualReportData,
  annualReportDocx,
  annualReportFilename,
  answersCompilationDocx,
  answersCompilationFilename,
  compiledAnswers,
  type AnchorReference,
} from '@app/reporting';
import { CLOCK, type Clock } from '@app/runtime';
import type { Principal } from '@app/identity';
import { CurrentPrincipal, Public } from '../http/auth.js';
import { IfGiven } from '../http/command-body.js';
import { documentFile, MEDIA_TYPES } from '../http/formats.js';
import { SessionIdPipe } from '../http/params.js';
import { ReadQuery, StatisticsQuery } from './query-dto.js';

export class CompilationQuery extends ReadQuery {
  @IsString() @Matches(SESSION_ID, { message: 'session must look like 6-3' }) session!: string;
  @IfGiven() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'tenant must be lower-case letters, digits and dashes' }) tenant?: string;
}

const DOCX = { [MEDIA_TYPES.docx]: { schema: { type: 'string', format: 'binary' } } };
/** Anchors looked through for the one at or before the report's position: they are daily, the newest is nearly always it. */
const ANCHOR_PAGES = 5;

/**
 * The office's Word documents (libs/reporting/src/documents, the same `npm run report` writes): the annual handling
 * report of a session, computed by the reporting job from the event log, for anyone signed in (as its figures are);
 * and the compilation of the session's published answers, public as the answers are.
 */
@Controller()
export class DocumentsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The report at the log's head; its appendix cites the newest anchor at or before that position. The API records
   * no anchor on a read: `npm run report` does, and computes at the anchor's own position.
   */
  @Get('sessions/:id/report.docx')
  @ApiProduces(MEDIA_TYPES.docx)
  @ApiOkResponse({ description: 'the annual handling report of the session (Word); Content-Disposition names it in Chinese (filename*)', content: DOCX })
  async report(@CurrentPrincipal() p: Principal, @Param('id', SessionIdPipe) id: string, @Query() q: StatisticsQuery): Promise<StreamableFile> {
    const position = await this.store.headPosition();
    const data = await annualReportData(this.store, p.tenant, id, {
      asOf: q.asOf,
      atPosition: position,
      utcOffsetMinutes: this.config.utcOffsetMinutes,
      ...(await this.anchorAt(p.tenant, position)),
      generatedBy: `GET /sessions/${id}/report.docx`,
      now: this.clock,
    });
    const { filename, asciiFilename } = annualReportFilename(data.current);
    return documentFile(await annualReportDocx(data), 'docx', filename, asciiFilename);
  }

  /** Every published answer of the session, by number; what the public already reads at GET /public/answers. */
  @Public()
  @Get('public/answers.docx')
  @ApiProduces(MEDIA_TYPES.docx)
  @ApiOkResponse({ description: 'the compilation of the session’s published answers (答复汇编, Word)', content: DOCX })
  async answers(@Query() q: CompilationQuery): Promise<StreamableFile> {
    const tenant = q.tenant ?? this.config.defaultTenant;
    const session = await this.readStore.get<SessionDoc>(SESSIONS, docId(tenant, q.session));
    if (!session) throw new NotFound(`no session ${q.session}`);
    const { items } = await this.readStore.find<ProposalDoc>(PROPOSALS, { filter: { tenant, session: q.session, published: true } });
    const now = this.clock();
    const meta = { session: q.session, sessionName: session.name, generatedAt: now.toISOString(), generatedDate: businessDate(now, this.config.utcOffsetMinutes) };
    const { filename, asciiFilename } = answersCompilationFilename(meta);
    return documentFile(await answersCompilationDocx(compiledAnswers(items, q.session, this.config.utcOffsetMinutes), meta), 'docx', filename, asciiFilename);
  }

  private async anchorAt(tenant: string, position: number): Promise<{ anchor: AnchorReference | null; anchorNote: string }> {
    let found: RecordedAnchor | undefined;
    for (let page = 1; page <= ANCHOR_PAGES && !found; page++) {
      const { items } = await listAnchors(this.store, tenant, page, 20);
      if (items.length === 0) break;
      found = items.find((a) => a.statement.position <= position);
    }
    if (!found) return { anchor: null, anchorNote: `本辖区尚未签发日志锚点（未设置 TRAIL_SIGNING_KEY，或尚未签发）；数字按日志位置 ${position} 计算，未经锚点签名。` };
    const { statement, signature, recorded } = found;
    const behind = position - statement.position;
    return {
      anchor: { statement, signature, recorded: { stream: anchorStream(tenant), revision: recorded.revision, by: recorded.by, at: recorded.at } },
      anchorNote:
        behind === 0
          ? `锚点位置即计算位置 ${position}：锚点所签即计算所用的日志。`
          : `计算位置 ${position} 晚于最近的锚点（位置 ${statement.position}）：该锚点核验位置 ${statement.position} 及以前的日志，此后的日志由下一个锚点核验（每日签发，或运行 npm run anchor）。`,
    };
  }
}
