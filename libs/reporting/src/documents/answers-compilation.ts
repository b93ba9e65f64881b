import { Document, HeadingLevel, Packer, PageBreak, Paragraph, TextRun, type FileChild } from 'docx';
import { labelOf, NO_NAMES, publicAnswer, unitNameIn, type ProposalDoc } from '@app/projections';
import { CATEGORIES } from '@app/proposals';
import { safeFilename } from './table.js';
import { xmlSafe } from './xml-text.js';
import { body, chineseDate, FONTS, FOOTERS, PAGE, STYLE, STYLES, threeLineTable } from './typography.js';

/**
 * The answer compilation (答复汇编): every published answer of a session in one Word document, ordered by proposal
 * number — the volume offices print every year. Each answer is what the public already sees (`publicAnswer`, the
 * proposal's latest *published* answer): an answer given with `publish: false` — withheld — never enters it, nor
 * does anything about a proposal whose answers were all withheld.
 */
export interface CompiledAnswer {
  readonly id: string;
  readonly number: string | null;
  readonly title: string;
  readonly categoryLabel: string;
  /** Names only, of the members who joined. */
  readonly proposers: readonly string[];
  /** The lead unit's name when it answered. */
  readonly leadUnit: string;
  readonly coUnits: readonly string[];
  readonly result: string;
  readonly resultLabel: string;
  readonly answer: string;
  readonly answeredAtDate: string;
  readonly publishedAtDate: string;
  /** A newer answer, not published, replaced it on this date. */
  readonly supersededAtDate: string | null;
}

const byNumber = (a: CompiledAnswer, b: CompiledAnswer): number =>
  (a.number ?? '\uffff').localeCompare(b.number ?? '\uffff', 'en', { numeric: true }) || a.id.localeCompare(b.id);

/** The session's published answers, ordered by number, from its proposals' documents (read models or the log). */
export function compiledAnswers(docs: Iterable<ProposalDoc>, session: string, utcOffsetMinutes: number): CompiledAnswer[] {
  const answers: CompiledAnswer[] = [];
  for (const doc of docs) {
    if (doc.session !== session) continue;
    const published = publicAnswer(doc, utcOffsetMinutes);
    if (!published) continue;
    answers.push({
      id: published.id,
      number: published.number,
      title: published.title,
      categoryLabel: labelOf(CATEGORIES, doc.category),
      proposers: published.proposers,
      leadUnit: published.unitName,
      coUnits: doc.coUnits.map((c) => unitNameIn(doc.names ?? NO_NAMES, c)),
      result: published.result,
      resultLabel: published.resultLabel,
      answer: published.answer,
      answeredAtDate: published.answeredAtDate,
      publishedAtDate: published.publishedAtDate,
      supersededAtDate: published.supersededAtDate,
    });
  }
  return answers.sort(byNumber);
}

export interface CompilationMeta {
  readonly session: string;
  readonly sessionName: string;
  readonly generatedAt: string;
  readonly generatedDate: string;
}

export function answersCompilationFilename(meta: CompilationMeta): { filename: string; asciiFilename: string } {
  return { filename: safeFilename(`${meta.sessionName}提案答复汇编.docx`), asciiFilename: `answers-${meta.session}.docx` };
}

const field = (label: string, value: string): Paragraph =>
  new Paragraph({ style: STYLE.fields, children: [new TextRun({ text: `${label}：`, font: { eastAsia: FONTS.heading } }), new TextRun(value)] });

function entry(a: CompiledAnswer, first: boolean): FileChild[] {
  return [
    ...(first ? [] : [new Paragraph({ children: [new PageBreak()] })]),
    new Paragraph({ heading: HeadingLevel.HEADING_1, indent: { firstLine: 0, firstLineChars: 0 }, text: `${a.number ?? '（未编号）'}　${a.title}` }),
    field('提案人', a.proposers.length > 0 ? a.proposers.join('、') : '—'),
    field('主办单位', a.leadUnit),
    ...(a.coUnits.length > 0 ? [field('会办单位', a.coUnits.join('、'))] : []),
    field('提案类别', a.categoryLabel),
    field('答复类别', `${a.result}类（${a.resultLabel}）`),
    field('答复日期', chineseDate(a.answeredAtDate)),
    field('公开日期', chineseDate(a.publishedAtDate)),
    ...(a.supersededAtDate ? [field('说明', `${chineseDate(a.supersededAtDate)}后该提案另有新的答复，尚未公开；此处为最近一次公开的答复。`)] : []),
    new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 280 }, text: '答复全文' }),
    ...a.answer
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map((line) => body(line)),
  ];
}

export function answersCompilationDocument(compiled: readonly CompiledAnswer[], compiledMeta: CompilationMeta): Document {
  // Titles, answers and names come from stored events, which may hold characters a Word document cannot (xml-text.ts).
  const [answers, meta] = [xmlSafe(compiled), xmlSafe(compiledMeta)];
  const title = `${meta.sessionName}提案答复汇编`;
  const index = threeLineTable(
    ['序号', '编号', '标题', '主办单位', '类别'],
    answers.map((a, i) => [String(i + 1), a.number ?? '—', a.title, a.leadUnit, a.result]),
    [7, 13, 47, 25, 8],
    ['center', 'left', 'left', 'left', 'center'],
  );
  return new Document({
    title,
    subject: title,
    creator: 'cppcc-proposals',
    description: `published answers of session ${meta.session}, generated ${meta.generatedAt}`,
    styles: STYLES,
    evenAndOddHeaderAndFooters: true,
    sections: [
      {
        properties: PAGE,
        footers: FOOTERS,
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, text: title }),
          new Paragraph({ style: STYLE.subtitle, text: `（共${answers.length}件，按提案编号排列；${chineseDate(meta.generatedDate)}编印）` }),
          ...(answers.length > 0
            ? [new Paragraph({ heading: HeadingLevel.HEADING_2, indent: { firstLine: 0, firstLineChars: 0 }, text: '目录' }), index, new Paragraph({ children: [new PageBreak()] })]
            : [body('本届会议尚无公开的提案答复。')]),
          ...answers.flatMap((a, i) => entry(a, i === 0)),
        ],
      },
    ],
  });
}

export const answersCompilationDocx = (answers: readonly CompiledAnswer[], meta: CompilationMeta): Promise<Buffer> =>
  Packer.toBuffer(answersCompilationDocument(answers, meta));
