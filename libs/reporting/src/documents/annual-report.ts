import { Document, HeadingLevel, Packer, PageBreak, Paragraph, TextRun, type FileChild } from 'docx';
import { businessDate } from '@app/proposals';
import { offsetText } from '@app/projections';
import type { SessionStatistics } from '../statistics.js';
import { changeOf, figure, FIGURES, ROUNDING, type Figure } from './figures.js';
import type { AnnualReportData, SessionDetails } from './report-data.js';
import { safeFilename } from './table.js';
import { xmlSafe } from './xml-text.js';
import { body, chineseDate, FOOTERS, PAGE, placeholder, STYLE, STYLES, threeLineTable } from './typography.js';

/**
 * The annual handling report (关于区政协六届三次会议提案办理情况的报告) as a Word document, in the structure such
 * reports have: 基本情况, 主要做法, 办理成效 — every figure with its change against the previous session — and
 * 存在问题和下一步工作, which the office writes itself and is left as marked placeholders (style 待填写). An appendix
 * defines each figure and says at which log position and anchor it was computed, and how to recompute it.
 */

/** 86.5% (one decimal as computed; 100% and 0% without it, as reports print them). */
export const pct = (value: number | null): string => (value === null ? '—' : `${Number.isInteger(value) ? value : value.toFixed(1)}%`);

const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
const signedPoints = (n: number): string => (n > 0 ? `+${n.toFixed(1)}` : n < 0 ? `−${(-n).toFixed(1)}` : '0.0');

/** 比上届增加8件 / 减少3件 / 与上届持平; nothing when there is no previous session. */
function countChange(from: number | null | undefined, to: number | null, unit: string): string {
  if (from === null || from === undefined || to === null) return '';
  const d = to - from;
  return d > 0 ? `，比上届增加${d}${unit}` : d < 0 ? `，比上届减少${-d}${unit}` : '，与上届持平';
}

/** 比上届提高2.1个百分点 / 下降… / 与上届持平. */
function pointsChange(f: Figure, previous: SessionStatistics | null, current: SessionStatistics): string {
  if (!previous) return '';
  const { points } = changeOf(f, previous, current);
  if (points === null) return '';
  return points > 0 ? `，比上届提高${points.toFixed(1)}个百分点` : points < 0 ? `，比上届下降${(-points).toFixed(1)}个百分点` : '，与上届持平';
}

function basics(d: AnnualReportData): FileChild[] {
  const { current: s, previous: p, currentDetails: cd } = d;
  const declined = cd.declinedBy;
  const declineParts = [
    declined.merged ? `并案处理${declined.merged}件` : '',
    declined.opinion ? `转为意见建议${declined.opinion}件` : '',
    declined['out-of-scope'] ? `不属于提案范围${declined['out-of-scope']}件` : '',
  ].filter(Boolean);
  const onTime = figure('answeredOnTime');
  const allOnTime = s.registered > 0 && s.answeredOnTime.count === s.registered;
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, text: '一、基本情况' }),
    body(
      `${s.name}期间，委员共提交提案${s.filed}件${countChange(p?.filed, s.filed, '件')}。经区政协提案委审查，立案${s.registered}件${countChange(p?.registered, s.registered, '件')}；` +
        `不予立案${s.declined}件${declineParts.length > 0 ? `（其中${declineParts.join('、')}）` : ''}${countChange(p?.declined, s.declined, '件')}` +
        `${s.withdrawn > 0 ? `；提案人撤案${s.withdrawn}件` : ''}${s.awaitingReview > 0 ? `；尚有${s.awaitingReview}件待审查` : ''}。`,
    ),
    body(
      `立案提案${cd.assigned === s.registered ? `已全部交办（${cd.assigned}件）` : `已交办${cd.assigned}件`}，` +
        `${allOnTime ? '全部按期办理并答复，' : ''}按期办复${s.answeredOnTime.count}件，按期办复率${pct(s.answeredOnTime.percent)}${pointsChange(onTime, p, s)}。`,
    ),
  ];
}

function practice(d: AnnualReportData): FileChild[] {
  const { current: s, previous: p, currentDetails: cd, previousDetails: pd } = d;
  const v = cd.visits;
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, text: '二、主要做法' }),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（一）坚持区领导领办。' }),
    body(`区领导领办提案${s.leaderClaimed}件${countChange(p?.leaderClaimed, s.leaderClaimed, '件')}，带头研究解决重点难点问题。`),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（二）落实“三访”制度。' }),
    body(
      `承办单位开展办前拜访${v.before}次${countChange(pd?.visits.before, v.before, '次')}、办中走访${v.during}次${countChange(pd?.visits.during, v.during, '次')}、` +
        `办后回访${v.after}次${countChange(pd?.visits.after, v.after, '次')}；主办单位主要领导或分管领导走访率${pct(s.principalVisitRate)}${pointsChange(figure('principalVisitRate'), p, s)}。`,
    ),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（三）加强督查督办。' }),
    body(
      `对${s.keyUnitsVisited}家重点承办单位开展督办走访${countChange(p?.keyUnitsVisited, s.keyUnitsVisited, '家')}；` +
        `确定重点提案${s.keyProposals}件${countChange(p?.keyProposals, s.keyProposals, '件')}，逐件跟踪办理进度。`,
    ),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（四）推进答复公开。' }),
    body(
      `主动公开提案答复${s.published.count}件，占立案提案的${pct(s.published.percent)}${pointsChange(figure('published'), p, s)}。`,
    ),
  ];
}

function results(d: AnnualReportData): FileChild[] {
  const { current: s, previous: p } = d;
  const { A, B, C } = s.categories;
  const feedback =
    s.satisfaction === null
      ? '截至统计日，委员尚未反馈办理意见。'
      : `委员对办理工作的满意率${pct(s.satisfaction)}${pointsChange(figure('satisfaction'), p, s)}，其中初次满意率${pct(s.firstTimeSatisfaction)}${pointsChange(figure('firstTimeSatisfaction'), p, s)}；` +
        `对办理结果的同意率${pct(s.agreement)}${pointsChange(figure('agreement'), p, s)}。`;
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, text: '三、办理成效' }),
    body(
      `在立案的${s.registered}件提案中，所提问题已经解决或采纳的（A类）${A.count}件，占${pct(A.percent)}${pointsChange(figure('categoryA'), p, s)}；` +
        `列入计划拟解决的（B类）${B.count}件，占${pct(B.percent)}${pointsChange(figure('categoryB'), p, s)}；` +
        `留作参考的（C类）${C.count}件，占${pct(C.percent)}${pointsChange(figure('categoryC'), p, s)}。` +
        `提案解决率${pct(s.solveRate)}${pointsChange(figure('solveRate'), p, s)}。`,
    ),
    body(feedback),
    body(
      `对往年列入计划拟解决（B类）的提案持续跟踪落实，本年度有${s.substantiveProgress}件取得实质性新进展${countChange(p?.substantiveProgress, s.substantiveProgress, '件')}。`,
    ),
    body(p ? '主要指标与上届比较如下表：' : '主要指标如下表（无上届数据可比较）：'),
    figuresTable(d),
    new Paragraph({ style: STYLE.body, children: [] }),
  ];
}

const FIGURE_TABLE_KEYS = [
  'filed',
  'registered',
  'declined',
  'answeredOnTime',
  'categoryA',
  'categoryB',
  'categoryC',
  'solveRate',
  'satisfaction',
  'firstTimeSatisfaction',
  'agreement',
  'leaderClaimed',
  'principalVisitRate',
  'published',
  'keyUnitsVisited',
  'keyProposals',
  'substantiveProgress',
];

/** 134件（86.5%）, 100%, 19件. */
function valueText(f: Figure, s: SessionStatistics): string {
  const c = f.count(s);
  if (f.kind === 'rate' || c === null) return pct(f.percent(s));
  return f.kind === 'share' ? `${c}${f.unit}（${pct(f.percent(s))}）` : `${c}${f.unit}`;
}

function figuresTable(d: AnnualReportData) {
  const { current: s, previous: p } = d;
  const rows = FIGURE_TABLE_KEYS.map((key) => {
    const f = figure(key);
    const change = p ? changeOf(f, p, s) : null;
    const countChangeText = change === null || change.count === null || f.kind === 'rate' ? '—' : `${signed(change.count)}${f.unit}`;
    const pointsText = change === null || change.points === null ? '—' : `${signedPoints(change.points)}个百分点`;
    return [f.label, valueText(f, s), p ? valueText(f, p) : '—', countChangeText, pointsText];
  });
  return threeLineTable(['指标', `本届\n${s.session}`, `上届\n${p?.session ?? '—'}`, '件数变化', '百分点变化'], rows, [22, 23, 23, 12, 20], ['left', 'right', 'right', 'right', 'right']);
}

function nextSteps(): FileChild[] {
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, text: '四、存在问题和下一步工作' }),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（一）存在的问题。' }),
    body(placeholder('办理工作中存在的问题，如个别答复针对性不强、跟踪落实不够及时等，由办公室根据实际情况撰写')),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（二）下一步工作。' }),
    // Kept with the signature below it: a signature never stands alone on a page.
    new Paragraph({ style: STYLE.body, keepNext: true, keepLines: true, children: [placeholder('下一步工作打算，如完善办理机制、加强督查督办、推动B类提案落实等')] }),
    new Paragraph({ style: STYLE.signature, keepNext: true, spacing: { before: 560 }, children: [placeholder('报告单位')] }),
    new Paragraph({ style: STYLE.signature, children: [placeholder('成文日期')] }),
  ];
}

const note = (text: string): Paragraph => new Paragraph({ style: STYLE.note, children: [new TextRun(text)] });
const code = (text: string): Paragraph => new Paragraph({ style: STYLE.code, children: [new TextRun(text)] });

function appendix(d: AnnualReportData): FileChild[] {
  const { current: s, previous: p, provenance: pv, tenant } = d;
  const a = pv.anchor;
  const asOfText = s.asOf ? `${chineseDate(s.asOf)}（${s.asOf}）日终` : '生成时已记录的全部事实（未指定截至日期）';
  const rows = FIGURES.map((f) => [f.label, valueText(f, s), p ? valueText(f, p) : '—', f.definition]);
  const recompute = `npm run -s report -- --session ${p ? `${p.session},` : ''}${s.session}${s.asOf ? ` --as-of ${s.asOf}` : ''} --at-position ${pv.position} --tenant ${tenant} --format json`;
  return [
    new Paragraph({ children: [new PageBreak()] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, indent: { firstLine: 0, firstLineChars: 0 }, text: '附件' }),
    new Paragraph({ heading: HeadingLevel.TITLE, text: '指标定义与计算依据' }),
    threeLineTable(['指标', `本届 ${s.session}`, `上届 ${p?.session ?? '—'}`, '定义'], rows, [20, 15, 15, 50], ['left', 'right', 'right', 'left']),
    new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 280 }, text: '（一）计算口径' }),
    note(`口径版本：${pv.definitions}（docs/domain.md “The statistics, figure by figure”）。${ROUNDING}`),
    note(
      `统计截至：${asOfText}；业务时区 UTC${offsetText(pv.utcOffsetMinutes)}，所有日期按事实发生时间（occurredAt）计，不按录入时间。` +
        `立案、答复等均指截至该日已发生的事实；同一提案的“首次”“最近一次”均指截至该日的首次和最近一次。`,
    ),
    note(p ? `上届：${p.name}（${p.session}，${p.year}年），按同一截至日期计算。` : '上届：无（本辖区此前没有更早年度的会议）。'),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（二）数据来源与日志位置' }),
    note(
      `全部数字由报告作业直接从事件日志计算（不经读模型）：辖区 ${tenant}，日志位置 ${pv.position}（含）及以前的全部事件，此后的事件不计入。` +
        `生成时间：${pv.generatedAt}；生成方式：${pv.generatedBy}。`,
    ),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（三）日志锚点' }),
    ...(a
      ? [
          note(`${pv.anchorNote}锚点是对本辖区办理日志的签名声明（${a.statement.format}，Ed25519 签名），内容如下：`),
          threeLineTable(
            ['项目', '内容'],
            [
              ['辖区（tenant）', a.statement.tenant],
              ['日志位置（position）', String(a.statement.position)],
              ['事件数（events）', String(a.statement.events)],
              ['事件流数（streams）', String(a.statement.streams)],
              ['默克尔根（root）', a.statement.root],
              ['签发时间（time）', a.statement.time],
              ['签名公钥指纹（key）', a.statement.key],
              ['签名（signature）', a.signature],
              ...(a.recorded ? [['记录位置（recorded）', `${a.recorded.stream} revision ${a.recorded.revision}, by ${a.recorded.by}, at ${a.recorded.at}`]] : []),
            ],
            [28, 72],
            ['left', 'left'],
            [1],
          ),
        ]
      : [note(pv.anchorNote)]),
    new Paragraph({ heading: HeadingLevel.HEADING_2, text: '（四）复核方法' }),
    note('在同一日志上重新计算全部数字（结果应与本报告一致）：'),
    code(recompute),
    note('核验日志自锚点以来未被改动（锚点文件取自 GET /trail/anchors，公钥由签名单位提供）：'),
    code('npm run -s verify -- --anchor anchor.json --key trail-key.pub.pem'),
  ];
}

export function annualReportTitle(s: SessionStatistics): string {
  return `关于${s.name}提案办理情况的报告`;
}

export function annualReportFilename(s: SessionStatistics): { filename: string; asciiFilename: string } {
  return {
    filename: safeFilename(`${s.name}提案办理情况报告${s.asOf ? `（截至${s.asOf}）` : ''}.docx`),
    asciiFilename: `report-${s.session}${s.asOf ? `-${s.asOf}` : ''}.docx`,
  };
}

export function annualReportDocument(data: AnnualReportData): Document {
  // Names and titles come from stored events, which may hold characters a Word document cannot (xml-text.ts).
  const d = xmlSafe(data);
  const s = d.current;
  const subtitle = s.asOf ? `（数据截至${chineseDate(s.asOf)}）` : `（数据截至${chineseDate(businessDate(d.provenance.generatedAt, d.provenance.utcOffsetMinutes))}生成时）`;
  return new Document({
    title: annualReportTitle(s),
    subject: `${s.name}提案办理情况`,
    creator: 'cppcc-proposals',
    description: `${d.provenance.definitions}; log position ${d.provenance.position}`,
    styles: STYLES,
    evenAndOddHeaderAndFooters: true,
    sections: [
      {
        properties: PAGE,
        footers: FOOTERS,
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, text: annualReportTitle(s) }),
          new Paragraph({ style: STYLE.subtitle, text: subtitle }),
          body(`现将${s.name}提案办理情况报告如下。`),
          ...basics(d),
          ...practice(d),
          ...results(d),
          ...nextSteps(),
          ...appendix(d),
        ],
      },
    ],
  });
}

export const annualReportDocx = (d: AnnualReportData): Promise<Buffer> => Packer.toBuffer(annualReportDocument(d));

export type { SessionDetails };
