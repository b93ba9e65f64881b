import { points } from '../percent.js';
import type { SessionStatistics, Share } from '../statistics.js';

/**
 * Every figure of the handling report as the office's documents show it: its Chinese name, its count and its
 * percentage, the unit it is counted in, and its definition in words (docs/domain.md, "The statistics, figure by
 * figure", cppcc-handling-report@2) — what the report's appendix, the spreadsheets and the CSV files print. One list,
 * so that the Word report, the XLSX and the CSV name and define each figure the same way.
 */
export interface Figure {
  /** The field of the statistics (`solveRate`, `categoryA`): the machine header of the CSV. */
  readonly key: string;
  readonly label: string;
  /** What a count is counted in: 件 (proposals), 家 (units). */
  readonly unit: '件' | '家' | '';
  /** A count (立案 155件), a share of the registered proposals (A类 134件, 86.5%), or a rate (满意率 100%). */
  readonly kind: 'count' | 'share' | 'rate';
  readonly count: (s: SessionStatistics) => number | null;
  readonly percent: (s: SessionStatistics) => number | null;
  readonly definition: string;
}

const share = (pick: (s: SessionStatistics) => Share) => ({ kind: 'share' as const, count: (s: SessionStatistics) => pick(s).count, percent: (s: SessionStatistics) => pick(s).percent });
const countOnly = (pick: (s: SessionStatistics) => number) => ({ kind: 'count' as const, count: pick, percent: () => null });
const percentOnly = (pick: (s: SessionStatistics) => number | null) => ({ kind: 'rate' as const, count: () => null, percent: pick });

const OF_REGISTERED = '分母为立案提案数';
const OF_FEEDBACK = '分母为有委员反馈的立案提案数；无反馈时不计算';

export const FIGURES: readonly Figure[] = [
  { key: 'filed', label: '提交提案', unit: '件', ...countOnly((s) => s.filed), definition: '本届会议提交的提案（截至日期前提交）' },
  { key: 'registered', label: '立案', unit: '件', ...countOnly((s) => s.registered), definition: '本届会议提交且经审查立案的提案' },
  { key: 'declined', label: '不予立案', unit: '件', ...countOnly((s) => s.declined), definition: '本届会议提交、经审查不予立案的提案（并案、转意见建议、不属于提案范围）' },
  { key: 'withdrawn', label: '撤案', unit: '件', ...countOnly((s) => s.withdrawn), definition: '领衔提案人在审查前撤回的提案；计入提交，不计入立案' },
  { key: 'awaitingReview', label: '待审查', unit: '件', ...countOnly((s) => s.awaitingReview), definition: '提交 − 立案 − 不予立案 − 撤案' },
  {
    key: 'answeredOnTime',
    label: '按期办复',
    unit: '件',
    ...share((s) => s.answeredOnTime),
    definition: `首次答复的业务日期不晚于当时有效办理期限的立案提案；${OF_REGISTERED}`,
  },
  { key: 'categoryA', label: 'A类（解决或采纳）', unit: '件', ...share((s) => s.categories.A), definition: `最近一次答复为A类的立案提案；${OF_REGISTERED}` },
  { key: 'categoryB', label: 'B类（列入计划拟解决）', unit: '件', ...share((s) => s.categories.B), definition: `最近一次答复为B类的立案提案；${OF_REGISTERED}` },
  { key: 'categoryC', label: 'C类（留作参考）', unit: '件', ...share((s) => s.categories.C), definition: `最近一次答复为C类的立案提案；${OF_REGISTERED}` },
  { key: 'solveRate', label: '解决率', unit: '件', kind: 'rate', count: (s) => s.categories.A.count, percent: (s) => s.solveRate, definition: `同A类占比：最近一次答复为A类的立案提案；${OF_REGISTERED}` },
  { key: 'satisfaction', label: '满意率', unit: '', ...percentOnly((s) => s.satisfaction), definition: `最近一次委员反馈为“满意”或“基本满意”的立案提案；${OF_FEEDBACK}` },
  { key: 'firstTimeSatisfaction', label: '初次满意率', unit: '', ...percentOnly((s) => s.firstTimeSatisfaction), definition: `首次委员反馈为“满意”或“基本满意”的立案提案；${OF_FEEDBACK}` },
  { key: 'agreement', label: '同意率', unit: '', ...percentOnly((s) => s.agreement), definition: `最近一次委员反馈同意办理结果的立案提案；${OF_FEEDBACK}` },
  { key: 'leaderClaimed', label: '区领导领办', unit: '件', ...countOnly((s) => s.leaderClaimed), definition: '已立案且由区领导领办的提案' },
  {
    key: 'principalVisitRate',
    label: '主要或分管领导走访率',
    unit: '',
    ...percentOnly((s) => s.principalVisitRate),
    definition: '各立案提案最近一次交办的主办单位（每家计一次）中，由主要领导或分管领导走访过其所主办提案的提案人的单位所占比例',
  },
  { key: 'published', label: '主动公开答复', unit: '件', ...share((s) => s.published), definition: `答复至少公开过一次的立案提案；${OF_REGISTERED}` },
  { key: 'keyUnitsVisited', label: '督办走访重点承办单位', unit: '家', ...countOnly((s) => s.keyUnitsVisited), definition: '本届会议记录了督办走访的不同承办单位（截至日期前）' },
  { key: 'keyProposals', label: '重点提案', unit: '件', ...countOnly((s) => s.keyProposals), definition: '最近一次重点标记为“是”的立案提案' },
  {
    key: 'substantiveProgress',
    label: '跟踪落实取得实质性新进展',
    unit: '件',
    ...countOnly((s) => s.substantiveProgress),
    definition: '本辖区任一届次的提案中，在本届会议所在年度内（且不晚于截至日期）有标记为实质性新进展的跟踪落实记录的提案',
  },
];

export const figure = (key: string): Figure => {
  const found = FIGURES.find((f) => f.key === key);
  if (!found) throw new Error(`no figure ${key}`);
  return found;
};

/** A figure's change from one session to the next: of its count, and of its percentage in percentage points. */
export interface FigureChange {
  readonly count: number | null;
  readonly points: number | null;
}

export function changeOf(f: Figure, from: SessionStatistics, to: SessionStatistics): FigureChange {
  const a = f.count(from);
  const b = f.count(to);
  return { count: a === null || b === null ? null : b - a, points: points(f.percent(from), f.percent(to)) };
}

/** How the figures are rounded, in the words of the appendix. */
export const ROUNDING =
  '百分比保留一位小数，四舍五入，按两个整数精确计算（不经二进制浮点）；各项占比分别计算，不强行凑足100%；分母为零时不计算百分比。' +
  '与上届比较：百分比之差以百分点计（两个已取整数值之差），件数之差以件计。';
