/**
 * Closed vocabularies of the domain, with the Chinese labels shown to people (docs/domain.md, "Glossary").
 * Each list is the single source for validation, types and labels.
 */
export const CATEGORIES = {
  economy: '经济发展',
  'urban-rural': '城乡建设',
  environment: '环境整治',
  livelihood: '民生保障',
  'science-education-culture-health': '科教文卫',
  'governance-law': '政治法律与社会治理',
  other: '其他',
} as const;
export type Category = keyof typeof CATEGORIES;

export const DECLINE_REASONS = {
  merged: '并案',
  opinion: '转意见建议',
  'out-of-scope': '不属于提案范围',
} as const;
export type DeclineReason = keyof typeof DECLINE_REASONS;

export const VISIT_STAGES = { before: '办前拜访', during: '办中走访', after: '办后回访' } as const;
export type VisitStage = keyof typeof VISIT_STAGES;

export const VISITOR_RANKS = { principal: '主要领导', deputy: '分管领导', staff: '工作人员' } as const;
export type VisitorRank = keyof typeof VISITOR_RANKS;

export const VISIT_FORMS = { 'in-person': '当面', 'on-site': '现场', phone: '电话' } as const;
export type VisitForm = keyof typeof VISIT_FORMS;

export const RESULT_CATEGORIES = { A: '解决或采纳', B: '列入计划拟解决', C: '留作参考' } as const;
export type ResultCategory = keyof typeof RESULT_CATEGORIES;

export const ATTITUDES = { satisfied: '满意', 'basically-satisfied': '基本满意', dissatisfied: '不满意' } as const;
export type Attitude = keyof typeof ATTITUDES;

/** Kinds of handling unit (承办单位类型). */
export const UNIT_KINDS = {
  'government-department': '政府部门',
  township: '街道镇',
  'people-organisation': '人民团体',
  'public-institution': '事业单位',
  enterprise: '企业',
  other: '其他',
} as const;
export type UnitKind = keyof typeof UNIT_KINDS;

export const keysOf = <T extends object>(o: T): (keyof T & string)[] => Object.keys(o) as (keyof T & string)[];
