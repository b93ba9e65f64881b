import {
  AlignmentType,
  BorderStyle,
  Footer,
  LineRuleType,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type IStylesOptions,
  type ISectionOptions,
} from 'docx';

/**
 * The typography of the office's Word documents, after the national layout of official documents (GB/T 9704-2012,
 * 党政机关公文格式) that offices print reports in: A4, margins 37/35/28/26 mm, body in 仿宋 三号 (16 pt) on exact 28 pt
 * lines (22 lines of 28 characters), first-level headings in 黑体, second-level in 楷体, the title in 小标宋 二号,
 * page numbers 4号 宋体 “— 1 —” at the outer edge. Every paragraph carries a named style (报告正文, 一级标题, …),
 * so a Word or WPS user restyles the whole document by changing a style, not each paragraph; the headings are
 * Word's own Heading 1 and 2, so the navigation pane and a table of contents find them.
 */

export const FONTS = {
  body: '仿宋',
  heading: '黑体',
  subheading: '楷体',
  title: '方正小标宋简体',
  pageNumber: '宋体',
  latin: 'Times New Roman',
} as const;

/** Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 五号 10.5 pt. */
export const SIZE = { title: 44, body: 32, small: 28, table: 21 } as const;

const MONO = { eastAsia: '仿宋', ascii: 'Courier New', hAnsi: 'Courier New', cs: 'Courier New' };
const font = (eastAsia: string) => ({ eastAsia, ascii: FONTS.latin, hAnsi: FONTS.latin, cs: FONTS.latin });
/** Exact line pitch of the body: 28 pt. */
const LINE = 560;
const exact = (line: number) => ({ line, lineRule: LineRuleType.EXACT, before: 0, after: 0 });

/** Style ids, for the paragraphs (their names are what a Word user sees). */
export const STYLE = {
  body: 'ReportBody',
  subtitle: 'ReportSubtitle',
  tableText: 'ReportTableText',
  tableHeading: 'ReportTableHeading',
  note: 'ReportNote',
  signature: 'ReportSignature',
  placeholder: 'ReportPlaceholder',
  code: 'ReportCode',
  fields: 'ReportFields',
} as const;

export const STYLES: IStylesOptions = {
  default: {
    document: { run: { font: font(FONTS.body), size: SIZE.body }, paragraph: { spacing: exact(LINE) } },
    title: {
      name: 'Title',
      run: { font: font(FONTS.title), size: SIZE.title, bold: false, color: '000000' },
      paragraph: { alignment: AlignmentType.CENTER, spacing: { line: 700, lineRule: LineRuleType.EXACT, before: 0, after: 280 } },
    },
    heading1: {
      name: 'Heading 1',
      run: { font: font(FONTS.heading), size: SIZE.body, bold: false, color: '000000' },
      paragraph: { indent: { firstLineChars: 200, firstLine: 640 }, spacing: exact(LINE), keepNext: true, outlineLevel: 0 },
    },
    heading2: {
      name: 'Heading 2',
      run: { font: font(FONTS.subheading), size: SIZE.body, bold: false, italics: false, color: '000000' },
      paragraph: { indent: { firstLineChars: 200, firstLine: 640 }, spacing: exact(LINE), keepNext: true, outlineLevel: 1 },
    },
  },
  paragraphStyles: [
    {
      id: STYLE.body,
      name: '报告正文',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.body), size: SIZE.body },
      paragraph: { indent: { firstLineChars: 200, firstLine: 640 }, alignment: AlignmentType.JUSTIFIED, spacing: exact(LINE) },
    },
    {
      id: STYLE.subtitle,
      name: '报告副标题',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.subheading), size: SIZE.body },
      paragraph: { alignment: AlignmentType.CENTER, spacing: { ...exact(LINE), after: LINE } },
    },
    {
      id: STYLE.tableText,
      name: '表格文字',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.body), size: SIZE.table },
      paragraph: { alignment: AlignmentType.LEFT, spacing: { line: 300, lineRule: LineRuleType.AUTO, before: 40, after: 40 } },
    },
    {
      id: STYLE.tableHeading,
      name: '表格标题行',
      basedOn: STYLE.tableText,
      quickFormat: true,
      run: { font: font(FONTS.heading), size: SIZE.table },
      paragraph: { alignment: AlignmentType.CENTER },
    },
    {
      id: STYLE.note,
      name: '附注',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.body), size: SIZE.small },
      paragraph: { indent: { firstLineChars: 200, firstLine: 560 }, alignment: AlignmentType.JUSTIFIED, spacing: { line: 440, lineRule: LineRuleType.EXACT } },
    },
    {
      id: STYLE.code,
      name: '附注代码',
      basedOn: STYLE.note,
      run: { font: MONO, size: 20 },
      paragraph: { indent: { left: 560, firstLine: 0, firstLineChars: 0 }, alignment: AlignmentType.LEFT, spacing: { line: 280, lineRule: LineRuleType.AUTO } },
    },
    {
      id: STYLE.fields,
      name: '答复信息',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.body), size: SIZE.small },
      paragraph: { indent: { left: 0, hanging: 0 }, alignment: AlignmentType.LEFT, spacing: { line: 440, lineRule: LineRuleType.EXACT } },
    },
    {
      id: STYLE.signature,
      name: '落款',
      basedOn: 'Normal',
      quickFormat: true,
      run: { font: font(FONTS.body), size: SIZE.body },
      paragraph: { alignment: AlignmentType.RIGHT, indent: { right: 1280 }, spacing: exact(LINE) },
    },
  ],
  characterStyles: [
    {
      id: STYLE.placeholder,
      name: '待填写',
      basedOn: 'DefaultParagraphFont',
      quickFormat: true,
      run: { color: 'C00000', highlight: 'yellow' },
    },
  ],
};

/** A4 with the margins of GB/T 9704 (top 37, bottom 35, left 28, right 26 mm), in twips. */
export const PAGE: NonNullable<ISectionOptions['properties']> = {
  page: {
    size: { width: 11906, height: 16838 },
    margin: { top: 2098, bottom: 1984, left: 1587, right: 1474, header: 851, footer: 1247 },
    pageNumbers: { start: 1 },
  },
};

const pageNumber = (alignment: (typeof AlignmentType)[keyof typeof AlignmentType]) =>
  new Footer({
    children: [
      new Paragraph({
        alignment,
        indent: alignment === AlignmentType.RIGHT ? { right: 320 } : { left: 320 },
        children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONTS.pageNumber), size: SIZE.small })],
      }),
    ],
  });

/** Page numbers at the outer edge: odd pages right, even pages left (the document sets evenAndOddHeaderAndFooters). */
export const FOOTERS: NonNullable<ISectionOptions['footers']> = { default: pageNumber(AlignmentType.RIGHT), even: pageNumber(AlignmentType.LEFT) };

export const body = (...children: (string | TextRun)[]): Paragraph =>
  new Paragraph({ style: STYLE.body, children: children.map((c) => (typeof c === 'string' ? new TextRun(c) : c)) });

/** Text the office writes itself, marked: the style 待填写 (red on yellow) and, for programs that ignore a character style's highlight, the highlight on the run too. */
export const placeholder = (text: string): TextRun => new TextRun({ text: `【待填写：${text}】`, style: STYLE.placeholder, highlight: 'yellow' });

// ---------------------------------------------------------------------------------------------------------------
// Tables: three-line tables (三线表), as reports print them

const RULE = { style: BorderStyle.SINGLE, size: 12, color: '000000' } as const;
const THIN = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;

/** The width of the text between the margins, in twips. */
export const TEXT_WIDTH = 11906 - 1587 - 1474;

/** A table of text: the first row is the header, repeated on every page. `weights`: the columns' relative widths. */
export function threeLineTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  weights: readonly number[],
  align: readonly ('left' | 'center' | 'right')[] = [],
  /** Columns of codes and hashes: set in a monospaced face, small, broken anywhere. */
  monospaced: readonly number[] = [],
): Table {
  const sum = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((TEXT_WIDTH * w) / sum));
  const alignment = (i: number) => (align[i] === 'right' ? AlignmentType.RIGHT : align[i] === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT);
  const cell = (text: string, i: number, heading: boolean) =>
    new TableCell({
      width: { size: widths[i], type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      margins: { left: 80, right: 80 },
      ...(heading ? { borders: { bottom: THIN } } : {}),
      children: text.split('\n').map(
        (line) =>
          new Paragraph({
            style: heading ? STYLE.tableHeading : STYLE.tableText,
            alignment: heading ? AlignmentType.CENTER : alignment(i),
            children: [!heading && monospaced.includes(i) ? new TextRun({ text: line, font: MONO, size: 17 }) : new TextRun(line)],
          }),
      ),
    });
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { top: RULE, bottom: RULE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE },
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: header.map((h, i) => cell(h, i, true)) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((t, i) => cell(t, i, false)) })),
    ],
  });
}

/** 2019年12月31日 */
export const chineseDate = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};
