import type { HistoryEvent } from '../api/types';
import { daysBetween } from '../format';

/** A paper entry typed in more than this many days after the step happened is marked on the trail. */
export const LATE_RECORD_DAYS = 30;

export interface StepDetail {
  readonly label?: string;
  readonly text: string;
  /** Long text (an answer, an opinion): shown as a paragraph. */
  readonly long?: boolean;
}

/** How late a paper entry was typed in, in days; null for a step recorded as it happened. */
export function recordedLate(e: HistoryEvent): number | null {
  if (!e.paper) return null;
  return daysBetween(e.occurredAtDate, e.recordedAtDate);
}

/**
 * What a step of the trail says, in the words of the handling: from the event's data as stored and the labels the
 * API put beside its codes (unit names at the time, category and attitude labels). A step this page does not know
 * yet still shows its labelled fields and any note.
 */
export function stepDetails(e: HistoryEvent): StepDetail[] {
  const data = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  const labels = e.labels ?? {};
  const label = (key: string): string | undefined => {
    const l = labels[key];
    if (Array.isArray(l)) return l.length ? l.join('、') : undefined;
    if (typeof l === 'string' && l !== '') return l;
    const v = data[key];
    if (Array.isArray(v)) return v.length ? v.map(String).join('、') : undefined;
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const out: StepDetail[] = [];
  const add = (name: string | undefined, text: string | undefined, long = false) => {
    if (text) out.push({ ...(name ? { label: name } : {}), text, ...(long ? { long } : {}) });
  };
  switch (e.step) {
    case 'ProposalFiled': {
      const proposers = Array.isArray(data.proposers) ? (data.proposers as { name?: string; id: string }[]).map((p) => p.name ?? p.id).join('、') : undefined;
      add('提案人', proposers);
      add('受邀联名', label('invitedCoProposers'));
      add('类别', label('category'));
      return out;
    }
    case 'ProposalAnswered':
      add('办理结果', label('category'));
      add('答复单位', label('unit'));
      add('答复内容', label('text'), true);
      if (data.publish === false) add('不公开', label('withholdReason') ?? '是');
      return out;
    case 'FeedbackGiven':
      add('委员', label('member'));
      add('评价', label('attitude'));
      if (typeof data.agreesWithResult === 'boolean') add(undefined, data.agreesWithResult ? '同意办理结果' : '不同意办理结果');
      add('意见', label('comment'), true);
      return out;
    case 'ProposalVisited':
      add('单位', label('unit'));
      add('走访', [label('stage'), label('visitorRank'), label('form')].filter(Boolean).join(' · '));
      add('记录', label('note'), true);
      return out;
    case 'ProposalSupervised':
      if (typeof data.key === 'boolean') add(undefined, data.key ? '列为重点提案' : '取消重点提案');
      add('说明', label('note'), true);
      return out;
    case 'ProposalClaimed':
      add('领办领导', label('leaderName') ?? label('leader'));
      return out;
    case 'AnswerPublished':
      if (typeof data.answerNumber === 'number') add(undefined, `第 ${data.answerNumber} 份答复向社会公开`);
      return out;
    case 'ProposalFollowedUp':
      add('单位', label('unit'));
      add('落实情况', label('note'), true);
      if (data.substantiveProgress === true) add(undefined, '取得实质性进展');
      return out;
    default:
      break;
  }
  // Assignments, registration, declines, renegotiation and any step added later: their fields by name.
  const FIELDS: readonly [key: string, name: string, long?: boolean][] = [
    ['number', '编号'],
    ['leadUnit', '主办单位'],
    ['coUnits', '会办单位'],
    ['unit', '单位'],
    ['dueDate', '办理期限'],
    ['reason', '原因', true],
    ['mergedInto', '并入'],
    ['opinion', '会办意见', true],
    ['daysOverdue', '逾期天数'],
    ['note', '说明', true],
    ['comment', '意见', true],
  ];
  for (const [key, name, long] of FIELDS) add(name, label(key), long);
  return out;
}
