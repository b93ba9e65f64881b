import type { SessionStatistics, Share } from './statistics.js';
import type { YearOverYear } from './year-over-year.js';

export type ReportFormat = 'table' | 'json' | 'csv';

interface Row {
  readonly key: string;
  readonly label: string;
  readonly value: (s: SessionStatistics) => number | null;
  /** The row's figure is a percentage. */
  readonly percent?: boolean;
  readonly count?: (s: SessionStatistics) => number;
}

const share = (pick: (s: SessionStatistics) => Share) => ({
  value: (s: SessionStatistics) => pick(s).percent,
  count: (s: SessionStatistics) => pick(s).count,
  percent: true,
});

/** The rows of the handling report, in the order of the district's report, with the labels people read. */
export const REPORT_ROWS: readonly Row[] = [
  { key: 'filed', label: '提案总数 filed', value: (s) => s.filed },
  { key: 'registered', label: '立案 registered', value: (s) => s.registered },
  { key: 'declined', label: '不予立案 declined', value: (s) => s.declined },
  { key: 'withdrawn', label: '撤案 withdrawn', value: (s) => s.withdrawn },
  { key: 'answeredOnTime', label: '按时办复 answered on time', ...share((s) => s.answeredOnTime) },
  { key: 'categoryA', label: 'A类 解决或采纳', ...share((s) => s.categories.A) },
  { key: 'categoryB', label: 'B类 列入计划拟解决', ...share((s) => s.categories.B) },
  { key: 'categoryC', label: 'C类 留作参考', ...share((s) => s.categories.C) },
  { key: 'solveRate', label: '解决率 solve rate', value: (s) => s.solveRate, percent: true },
  { key: 'satisfaction', label: '满意率 satisfaction', value: (s) => s.satisfaction, percent: true },
  { key: 'firstTimeSatisfaction', label: '初次满意率 first-time satisfaction', value: (s) => s.firstTimeSatisfaction, percent: true },
  { key: 'agreement', label: '同意率 agreement', value: (s) => s.agreement, percent: true },
  { key: 'leaderClaimed', label: '区领导领办 leader-claimed', value: (s) => s.leaderClaimed },
  { key: 'principalVisitRate', label: '主要/分管领导走访率 principal visit rate', value: (s) => s.principalVisitRate, percent: true },
  { key: 'published', label: '公开答复 published', ...share((s) => s.published) },
  { key: 'keyUnitsVisited', label: '督办走访重点单位 key units visited', value: (s) => s.keyUnitsVisited },
  { key: 'keyProposals', label: '重点提案 key proposals', value: (s) => s.keyProposals },
  { key: 'substantiveProgress', label: '实质性进展 substantive progress', value: (s) => s.substantiveProgress },
];

const CHANGE_KEYS: Readonly<Record<string, string>> = {
  answeredOnTime: 'answeredOnTime',
  categoryA: 'categoryA',
  categoryB: 'categoryB',
  categoryC: 'categoryC',
  solveRate: 'solveRate',
  satisfaction: 'satisfaction',
  firstTimeSatisfaction: 'firstTimeSatisfaction',
  agreement: 'agreement',
  principalVisitRate: 'principalVisitRate',
  published: 'published',
  registered: 'registered',
  leaderClaimed: 'leaderClaimed',
  keyProposals: 'keyProposals',
};

const cell = (row: Row, s: SessionStatistics): string => {
  const value = row.value(s);
  if (value === null) return '—';
  if (!row.percent) return String(value);
  return row.count ? `${row.count(s)} (${value.toFixed(1)}%)` : `${value.toFixed(1)}%`;
};

const signed = (n: number | null, unit: string): string => (n === null ? '—' : `${n > 0 ? '+' : ''}${Number.isInteger(n) && !unit ? n : n.toFixed(1)}${unit}`);

/** Display width: CJK characters take two columns in a terminal. */
const width = (text: string): number => [...text].reduce((w, ch) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
const pad = (text: string, to: number): string => text + ' '.repeat(Math.max(0, to - width(text)));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const title = (s: SessionStatistics, illustrative: ReadonlySet<string>) =>
  `${s.session} ${s.name}${illustrative.has(s.session) ? ' (示例 illustrative)' : ''}`;

/** One session's figures, or several side by side with their changes, as a table, JSON or CSV. */
export function formatReport(report: YearOverYear, format: ReportFormat, illustrative: ReadonlySet<string> = new Set()): string {
  const { sessions, changes } = report;
  if (format === 'json') return JSON.stringify(sessions.length === 1 ? sessions[0] : report, null, 2);
  if (format === 'csv') {
    const header = ['figure', ...sessions.flatMap((s) => [`${s.session} count`, `${s.session} percent`]), ...changes.map((c) => `${c.from}→${c.to} change`)];
    const rows = REPORT_ROWS.map((row) => [
      row.key,
      ...sessions.flatMap((s) => {
        const value = row.value(s);
        return row.percent ? [row.count ? String(row.count(s)) : '', value === null ? '' : value.toFixed(1)] : [value === null ? '' : String(value), ''];
      }),
      ...changes.map((c) => {
        const change = (c as unknown as Record<string, number | null>)[CHANGE_KEYS[row.key] ?? ''];
        return change === undefined || change === null ? '' : String(change);
      }),
    ]);
    return [header, ...rows].map((r) => r.join(',')).join('\n');
  }
  const asOf = sessions[0]?.asOf ? `  (as of ${sessions[0].asOf})` : '';
  const header = ['', ...sessions.map((s) => title(s, illustrative)), ...changes.map((c) => `${c.from} → ${c.to}`)];
  const rows = REPORT_ROWS.map((row) => [
    row.label,
    ...sessions.map((s) => cell(row, s)),
    ...changes.map((c) => {
      const change = (c as unknown as Record<string, number | null>)[CHANGE_KEYS[row.key] ?? ''];
      return change === undefined ? '' : signed(change, row.percent ? ' pt' : '');
    }),
  ]);
  return `${table(header, rows)}${asOf ? `\n${asOf.trim()}` : ''}\ndefinitions: ${sessions[0]?.definitions ?? ''}`;
}
