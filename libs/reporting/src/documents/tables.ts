import { CATEGORIES, STATUS_LABELS } from '@app/proposals';
import { percent } from '../percent.js';
import type { SessionStatistics } from '../statistics.js';
import type { AuditDoc, AuditEntry, ProposalSummary, UnitFigures } from '@app/projections';
import { changeOf, FIGURES, type Figure } from './figures.js';
import { asOfDate, safeFilename, type Column, type Table, type TableMeta } from './table.js';

/**
 * The tables of the read routes, as spreadsheets and CSV files: the statistics, year over year, the units' records,
 * proposal lists (the list, overdue, due soon) and the audit trail. The same columns for XLSX and CSV; the rows are
 * what the JSON answer of the route holds (the whole list, not one page, for the list and the audit trail).
 */

const within = (meta: TableMeta, what: string): string => `${meta.sessionName ?? ''}${what}`;
const asOfSuffix = (meta: TableMeta): string => `（截至${asOfDate(meta)}）`;
const ascii = (...parts: (string | null | undefined)[]): string => parts.filter(Boolean).join('-').replace(/[^A-Za-z0-9._-]/g, '_');

// ---------------------------------------------------------------------------------------------------------------
// The statistics of one session, and several side by side

const FIGURE_COLUMNS: Column<Figure>[] = [
  { code: 'figure', header: '指标代码', kind: 'text', width: 20, value: (f) => f.key },
  { code: 'label', header: '指标', kind: 'text', width: 24, value: (f) => f.label },
];

export function statisticsTable(s: SessionStatistics, meta: Omit<TableMeta, 'asOf' | 'sessionName'>): Table<Figure> {
  const full: TableMeta = { ...meta, asOf: s.asOf, sessionName: s.name };
  return {
    title: '提案办理统计',
    sheetName: `统计 ${s.session}`,
    filename: safeFilename(`${within(full, '提案办理统计')}${asOfSuffix(full)}`),
    asciiFilename: ascii('statistics', s.session, asOfDate(full)),
    meta: full,
    asOfColumn: true,
    columns: [
      ...FIGURE_COLUMNS,
      { code: 'count', header: '数量', kind: 'integer', width: 8, value: (f) => f.count(s) },
      { code: 'percent', header: '百分比(%)', kind: 'percent', width: 10, value: (f) => f.percent(s) },
      { code: 'definition', header: '口径', kind: 'text', width: 70, value: (f) => f.definition },
    ],
    rows: FIGURES,
  };
}

export function yearOverYearTable(sessions: readonly SessionStatistics[], meta: Omit<TableMeta, 'asOf' | 'sessionName'>): Table<Figure> {
  const full: TableMeta = { ...meta, asOf: sessions[0]?.asOf ?? null };
  const ids = sessions.map((s) => s.session);
  const pairs = sessions.slice(1).map((to, i) => [sessions[i], to] as const);
  return {
    title: `提案办理情况历年对比（${ids.join('、')}）`,
    sheetName: '历年对比',
    filename: safeFilename(`提案办理情况历年对比（${ids.join('、')}）${asOfSuffix(full)}`),
    asciiFilename: ascii('year-over-year', ids.join('_'), asOfDate(full)),
    meta: full,
    asOfColumn: true,
    columns: [
      ...FIGURE_COLUMNS,
      ...sessions.flatMap((s): Column<Figure>[] => [
        { code: `count_${s.session}`, header: `${s.name} 数量`, kind: 'integer', width: 12, value: (f) => f.count(s) },
        { code: `percent_${s.session}`, header: `${s.name} 百分比(%)`, kind: 'percent', width: 12, value: (f) => f.percent(s) },
      ]),
      ...pairs.flatMap(([from, to]): Column<Figure>[] => [
        { code: `countChange_${from.session}_${to.session}`, header: `数量变化（${from.session}→${to.session}）`, kind: 'change', width: 12, value: (f) => changeOf(f, from, to).count },
        { code: `pointsChange_${from.session}_${to.session}`, header: `百分点变化（${from.session}→${to.session}）`, kind: 'points', width: 12, value: (f) => changeOf(f, from, to).points },
      ]),
    ],
    rows: FIGURES,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The units' records

export type UnitRecord = UnitFigures & { readonly currentName?: string | null };

export function unitsTable(units: readonly UnitRecord[], session: { id: string; name?: string }, meta: Omit<TableMeta, 'asOf' | 'sessionName'>): Table<UnitRecord> {
  const full: TableMeta = { ...meta, asOf: null, sessionName: session.name };
  const what = session.name ? '承办单位办理情况' : `承办单位办理情况（${session.id}）`;
  const satisfied = (u: UnitRecord) => percent(u.asLead.satisfaction.satisfied, u.asLead.satisfaction.withFeedback);
  return {
    title: what,
    sheetName: `承办单位 ${session.id}`,
    filename: safeFilename(`${within(full, what)}${asOfSuffix(full)}`),
    asciiFilename: ascii('units', session.id, asOfDate(full)),
    meta: full,
    asOfColumn: true,
    columns: [
      { code: 'unit', header: '单位代码', kind: 'text', width: 12, value: (u) => u.unit },
      { code: 'unitName', header: '承办单位（办理时名称）', kind: 'text', width: 22, value: (u) => u.unitName },
      { code: 'currentName', header: '现名称', kind: 'text', width: 18, value: (u) => u.currentName ?? null },
      { code: 'leadAssigned', header: '主办件数', kind: 'integer', value: (u) => u.asLead.assigned },
      { code: 'leadAnswered', header: '已答复', kind: 'integer', value: (u) => u.asLead.answered },
      { code: 'leadOnTime', header: '按期答复', kind: 'integer', value: (u) => u.asLead.onTime },
      { code: 'leadOverdue', header: '逾期未办结', kind: 'integer', value: (u) => u.asLead.overdue },
      { code: 'categoryA', header: 'A类', kind: 'integer', value: (u) => u.asLead.categories.A },
      { code: 'categoryB', header: 'B类', kind: 'integer', value: (u) => u.asLead.categories.B },
      { code: 'categoryC', header: 'C类', kind: 'integer', value: (u) => u.asLead.categories.C },
      { code: 'withFeedback', header: '有反馈', kind: 'integer', value: (u) => u.asLead.satisfaction.withFeedback },
      { code: 'satisfied', header: '满意或基本满意', kind: 'integer', value: (u) => u.asLead.satisfaction.satisfied },
      { code: 'satisfaction', header: '满意率(%)', kind: 'percent', value: satisfied },
      { code: 'coAssigned', header: '会办件数', kind: 'integer', value: (u) => u.asCoUnit.assigned },
      { code: 'coOpinionsSent', header: '已送会办意见', kind: 'integer', value: (u) => u.asCoUnit.opinionsSent },
      { code: 'visitsPrincipal', header: '走访：主要领导', kind: 'integer', value: (u) => u.visitsByRank.principal },
      { code: 'visitsDeputy', header: '走访：分管领导', kind: 'integer', value: (u) => u.visitsByRank.deputy },
      { code: 'visitsStaff', header: '走访：工作人员', kind: 'integer', value: (u) => u.visitsByRank.staff },
    ],
    rows: units,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Proposal lists: the list with the caller's filters, overdue, due soon

export const PROPOSAL_COLUMNS: readonly Column<ProposalSummary>[] = [
  { code: 'number', header: '编号', kind: 'text', width: 12, value: (p) => p.number },
  { code: 'title', header: '标题', kind: 'text', width: 44, value: (p) => p.title },
  { code: 'session', header: '届次', kind: 'text', width: 6, value: (p) => p.session },
  { code: 'category', header: '类别', kind: 'text', width: 12, value: (p) => p.categoryLabel },
  { code: 'proposers', header: '提案人', kind: 'text', width: 16, value: (p) => p.proposers.join('、') },
  { code: 'status', header: '状态', kind: 'text', width: 8, value: (p) => p.statusLabel },
  { code: 'leadUnit', header: '主办单位', kind: 'text', width: 16, value: (p) => p.leadUnitName },
  { code: 'coUnits', header: '会办单位', kind: 'text', width: 20, value: (p) => p.coUnitNames.join('、') },
  { code: 'dueDate', header: '办理期限', kind: 'date', width: 11, value: (p) => p.dueDate },
  { code: 'overdue', header: '逾期', kind: 'boolean', width: 6, value: (p) => p.overdue },
  { code: 'key', header: '重点提案', kind: 'boolean', width: 8, value: (p) => p.key },
  { code: 'claimed', header: '区领导领办', kind: 'boolean', width: 10, value: (p) => p.claimed },
  { code: 'latestCategory', header: '答复类别', kind: 'text', width: 8, value: (p) => p.latestCategory },
  { code: 'published', header: '已公开', kind: 'boolean', width: 6, value: (p) => p.published },
  { code: 'filedAt', header: '提交时间', kind: 'instant', width: 18, value: (p) => p.filedAt },
  { code: 'updatedAt', header: '最近办理时间', kind: 'instant', width: 18, value: (p) => p.updatedAt },
  { code: 'id', header: '提案ID', kind: 'text', width: 14, value: (p) => p.id },
];

export type ProposalListKind = 'list' | 'overdue' | 'due-soon';

/** The filters of a proposal list (its query string) in words, for the title of its file: 届次 6-3 · 状态 已答复. */
export function listFilters(query: Readonly<Record<string, string | undefined>>): string[] {
  const yesNo = (value: string | undefined, yes: string, no: string) => (value === 'true' ? [yes] : value === 'false' ? [no] : []);
  const label = (table: Readonly<Record<string, string>>, code: string) => (Object.hasOwn(table, code) ? table[code] : code);
  return [
    ...(query.session ? [`届次 ${query.session}`] : []),
    ...(query.status ? [`状态 ${label(STATUS_LABELS, query.status)}`] : []),
    ...(query.leadUnit ? [`主办单位 ${query.leadUnit}`] : []),
    ...(query.category ? [`类别 ${label(CATEGORIES, query.category)}`] : []),
    ...yesNo(query.overdue, '逾期', '未逾期'),
    ...yesNo(query.key, '重点提案', '非重点提案'),
    ...yesNo(query.claimed, '区领导领办', '非领办'),
    ...(query.q ? [`标题含“${query.q}”`] : []),
  ];
}

const LIST_TITLES: Record<ProposalListKind, string> = { list: '提案清单', overdue: '逾期未办结提案', 'due-soon': '即将到期提案' };

/**
 * A list of proposals. `filters`: the caller's filters in words (状态：办理中), in the title; `detail` adds to the
 * title (14天内到期).
 */
export function proposalsTable(
  kind: ProposalListKind,
  rows: Iterable<ProposalSummary> | AsyncIterable<ProposalSummary>,
  meta: Omit<TableMeta, 'asOf'>,
  detail: readonly string[] = [],
): Table<ProposalSummary> {
  const full: TableMeta = { ...meta, asOf: null };
  const title = `${LIST_TITLES[kind]}${detail.length > 0 ? `（${detail.join('，')}）` : ''}`;
  return {
    title,
    sheetName: LIST_TITLES[kind],
    filename: safeFilename(`${within(full, title)}${asOfSuffix(full)}`),
    asciiFilename: ascii(kind === 'list' ? 'proposals' : kind, asOfDate(full)),
    meta: full,
    asOfColumn: true,
    columns: PROPOSAL_COLUMNS,
    rows,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The audit trail

/** The stored fields of an entry (AuditEntry's Omit over an indexed document leaves them typed unknown). */
const stored = (e: AuditEntry) => e as AuditEntry & Pick<AuditDoc, 'position' | 'lagDays' | 'type' | 'subject' | 'stream' | 'revision' | 'hash'>;

export const AUDIT_COLUMNS: readonly Column<AuditEntry>[] = [
  { code: 'position', header: '日志位置', kind: 'integer', width: 10, value: (e) => stored(e).position },
  { code: 'occurredAt', header: '发生时间', kind: 'instant', width: 19, value: (e) => e.occurredAt },
  { code: 'recordedAt', header: '录入时间', kind: 'instant', width: 19, value: (e) => e.recordedAt },
  { code: 'lagDays', header: '补录滞后天数', kind: 'integer', width: 8, value: (e) => stored(e).lagDays },
  { code: 'step', header: '步骤', kind: 'text', width: 10, value: (e) => e.stepLabel },
  { code: 'type', header: '事件类型', kind: 'text', width: 28, value: (e) => stored(e).type },
  { code: 'number', header: '提案编号', kind: 'text', width: 12, value: (e) => e.number },
  { code: 'title', header: '提案标题', kind: 'text', width: 36, value: (e) => e.title },
  { code: 'subject', header: '对象', kind: 'text', width: 14, value: (e) => stored(e).subject },
  { code: 'actorName', header: '操作人', kind: 'text', width: 14, value: (e) => e.actorName },
  { code: 'actorRole', header: '角色', kind: 'text', width: 12, value: (e) => e.actorRoleLabel },
  { code: 'actorUnit', header: '所在单位', kind: 'text', width: 14, value: (e) => e.actorUnitName },
  { code: 'recorderName', header: '录入员', kind: 'text', width: 10, value: (e) => e.recorderName },
  { code: 'stream', header: '事件流', kind: 'text', width: 28, value: (e) => stored(e).stream },
  { code: 'revision', header: '流内序号', kind: 'integer', width: 8, value: (e) => stored(e).revision },
  { code: 'hash', header: '哈希', kind: 'text', width: 66, value: (e) => stored(e).hash },
];

export function auditTable(rows: Iterable<AuditEntry> | AsyncIterable<AuditEntry>, meta: Omit<TableMeta, 'asOf' | 'sessionName'>, detail: readonly string[] = []): Table<AuditEntry> {
  const full: TableMeta = { ...meta, asOf: null };
  return {
    title: `审计记录${detail.length > 0 ? `（${detail.join('，')}）` : ''}`,
    sheetName: '审计记录',
    filename: safeFilename(`审计记录（导出于${asOfDate(full)}）`),
    asciiFilename: ascii('audit', asOfDate(full)),
    meta: full,
    asOfColumn: false,
    columns: AUDIT_COLUMNS,
    rows,
  };
}
