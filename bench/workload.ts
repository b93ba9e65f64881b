import type { Actor, MemberRow, ProposalCommand, ResultCategory, UnitRow } from '@app/proposals';

/** Deterministic pseudo-random numbers, so that every run generates the same data. */
export function seededRandom(seed = 2019): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The handling units of the workload: directory codes, with the names the directory gives them. */
const UNIT_NAMES: Readonly<Record<string, string>> = {
  fgw: '区发展改革委', jw: '区经委', czj: '区财政局', jyj: '区教育局', mzj: '区民政局', sthjj: '区生态环境局',
  jsglw: '区建设管理委', jtw: '区交通委', lhsrj: '区绿化市容局', wsjkw: '区卫生健康委', sww: '区商务委',
  ghzyj: '区规划资源局', nyncw: '区农业农村委', whlyj: '区文化旅游局', scjgj: '区市场监管局', yjj: '区应急局',
};
export const UNITS = Object.keys(UNIT_NAMES);
/** Members m-0 … m-199 file the workload's proposals. */
const MEMBERS = 200;

/** The directory the workload's steps name: to import (ImportDirectory) before the first step. */
export const WORKLOAD_DIRECTORY: { units: UnitRow[]; members: MemberRow[] } = {
  units: UNITS.map((code) => ({ code, fullName: UNIT_NAMES[code], shortName: UNIT_NAMES[code], kind: 'government-department', activeFrom: '2000-01-01' })),
  members: Array.from({ length: MEMBERS }, (_, i) => ({ id: `m-${i}`, name: `委员${i}`, sector: '经济界', terms: ['6'] })),
};

/** Fills a jurisdiction's directory with the workload's units and members through the command path. */
export async function seedWorkloadDirectory(
  directory: { handle(req: { tenant: string; caller: Actor; command: { type: 'ImportDirectory'; data: typeof WORKLOAD_DIRECTORY } }): Promise<unknown> },
  tenant: string,
): Promise<void> {
  await directory.handle({ tenant, caller: { id: 'o-1', role: 'office' }, command: { type: 'ImportDirectory', data: WORKLOAD_DIRECTORY } });
}
export const TITLES = [
  '加大扶持民营企业发展的建议', '关于发展我区碳纤维复合材料产业及培育产业集群的建议', '关于深化垃圾分类工作的建议',
  '关于科学规范设立充电桩的建议', '关于开展渣土运输道路污染治理的建议', '关于加强中小企业危废处置的建议',
  '关于加强中小学校食堂建设和管理的建议', '关于推进养老实项目的建议',
];
const CATEGORIES = ['economy', 'urban-rural', 'environment', 'livelihood'] as const;
const BODY = '建议进一步完善相关政策措施，加强部门协同，明确责任分工，加大资金投入，建立长效机制，切实解决群众关心的实际问题。';

export interface Step {
  readonly actor: Actor;
  readonly command: ProposalCommand;
}

/** The handling of one proposal as the 2019 report describes it: 11 to 15 steps. */
export function proposalScript(proposalId: string, session: string, n: number, random: () => number): Step[] {
  const member: Actor = { id: `m-${n % MEMBERS}`, role: 'member', name: `委员${n % MEMBERS}` };
  const leadUnit = UNITS[Math.floor(random() * UNITS.length)];
  const coUnit = UNITS.filter((u) => u !== leadUnit)[Math.floor(random() * (UNITS.length - 1))];
  const lead: Actor = { id: `u-${leadUnit}`, role: 'unit', unit: leadUnit };
  const co: Actor = { id: `u-${coUnit}`, role: 'unit', unit: coUnit };
  const office: Actor = { id: 'o-1', role: 'office' };
  const committee: Actor = { id: 'c-1', role: 'committee' };
  const roll = random();
  const category: ResultCategory = roll < 0.865 ? 'A' : roll < 0.917 ? 'B' : 'C';
  const publish = random() < 0.774;
  const steps: Step[] = [
    { actor: member, command: { type: 'FileProposal', data: { proposalId, session, title: TITLES[n % TITLES.length], body: BODY.repeat(3), category: CATEGORIES[n % 4] } } },
    { actor: committee, command: { type: 'RegisterProposal', data: {} } },
    { actor: office, command: { type: 'AssignProposal', data: { leadUnit, coUnits: [coUnit] } } },
    { actor: lead, command: { type: 'RecordVisit', data: { stage: 'before', visitorRank: 'principal', form: 'in-person', note: '办前拜访，听取委员意见' } } },
    { actor: co, command: { type: 'RecordVisit', data: { stage: 'during', visitorRank: 'deputy', form: 'on-site' } } },
    { actor: co, command: { type: 'SendCoUnitOpinion', data: { opinion: `${coUnit}同意主办单位意见，配合做好相关工作。` } } },
  ];
  if (random() < 0.12) steps.push({ actor: { id: 'l-1', role: 'leader' }, command: { type: 'ClaimProposal', data: {} } });
  if (random() < 0.6) steps.push({ actor: office, command: { type: 'SuperviseProposal', data: { key: true, note: '重点督办' } } });
  steps.push(
    {
      actor: lead,
      command: {
        type: 'AnswerProposal',
        data: { category, text: BODY.repeat(6), publish, ...(publish ? {} : { withholdReason: '涉及内部工作安排' }) },
      },
    },
    { actor: lead, command: { type: 'RecordVisit', data: { stage: 'after', visitorRank: 'staff', form: 'phone' } } },
    { actor: member, command: { type: 'GiveFeedback', data: { attitude: 'satisfied', agreesWithResult: true, comment: '满意' } } },
  );
  if (publish) steps.push({ actor: office, command: { type: 'PublishAnswer', data: {} } });
  if (category === 'B') steps.push({ actor: lead, command: { type: 'FollowUpProposal', data: { note: '项目已开工', substantiveProgress: true } } });
  return steps;
}
