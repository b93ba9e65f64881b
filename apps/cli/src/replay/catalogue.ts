import type { Category, UnitKind } from '@app/proposals';
import { Random } from './random.js';

/**
 * The people, units and subjects of the demo data. Unit names are the district's handling units as people write
 * them; leaders are named by office only and members get generated names: no real person is named.
 */

export interface Topic {
  /** The subject as it stands in a title: 关于{phrase}的建议. */
  readonly phrase: string;
  readonly lead: string;
  readonly co?: readonly string[];
  /** Exact title, when the seed report names the proposal. */
  readonly title?: string;
}

export const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = [
  ['economy', 22],
  ['urban-rural', 20],
  ['environment', 14],
  ['livelihood', 18],
  ['science-education-culture-health', 16],
  ['governance-law', 10],
];

export const TOPICS: Readonly<Record<Exclude<Category, 'other'>, readonly Topic[]>> = {
  economy: [
    { phrase: '加大扶持民营企业发展', lead: '区经委', co: ['区金融办', '区财政局'], title: '加大扶持民营企业发展的建议' },
    { phrase: '发展我区碳纤维复合材料产业及培育产业集群', lead: '区经委', co: ['区科委', '区发展改革委'] },
    { phrase: '打响“上海制造”品牌、加快承载区建设', lead: '区经委', co: ['区发展改革委'] },
    { phrase: '加快工业园区转型升级', lead: '区经委', co: ['区规划资源局'] },
    { phrase: '进一步优化营商环境', lead: '区发展改革委', co: ['区市场监管局'] },
    { phrase: '促进特色小镇建设', lead: '区发展改革委', co: ['区规划资源局'] },
    { phrase: '加强农业品牌建设', lead: '区农业农村委', co: ['区市场监管局'] },
    { phrase: '实施全域旅游产业融合发展', lead: '区文化旅游局', co: ['区农业农村委'] },
    { phrase: '拓宽中小企业融资渠道', lead: '区金融办', co: ['区财政局'] },
    { phrase: '加快发展现代服务业', lead: '区商务委', co: ['区发展改革委'] },
    { phrase: '提升枫泾古镇商业活力', lead: '区商务委', co: ['区文化旅游局'] },
    { phrase: '推动农村一二三产业融合发展', lead: '区农业农村委' },
    { phrase: '加强招商引资项目全生命周期管理', lead: '区投资促进办', co: ['区经委'] },
    { phrase: '培育发展总部经济', lead: '区商务委' },
    { phrase: '支持企业技术改造和智能化转型', lead: '区经委', co: ['区科委'] },
    { phrase: '盘活存量低效工业用地', lead: '区规划资源局', co: ['区经委'] },
    { phrase: '加强人才公寓建设、留住青年人才', lead: '区人力资源社会保障局', co: ['区房管局'] },
    { phrase: '发展都市现代农业', lead: '区农业农村委' },
    { phrase: '推动金山湾区产业协同发展', lead: '区发展改革委' },
    { phrase: '拓展区域品牌农产品电商销售', lead: '区农业农村委', co: ['区商务委'] },
    { phrase: '减轻小微企业税费负担', lead: '区财政局', co: ['区经委'] },
  ],
  'urban-rural': [
    { phrase: '科学规范设立充电桩', lead: '区房管局', co: ['区建设管理委'] },
    { phrase: '加快推进城市更新', lead: '区规划资源局', co: ['区建设管理委'] },
    { phrase: '优化公交线网、方便群众出行', lead: '区交通委' },
    { phrase: '加快轨道交通建设、融入主城区', lead: '区交通委', co: ['区发展改革委'] },
    { phrase: '推进“美丽家园”老旧小区综合改造', lead: '区房管局', co: ['区建设管理委'] },
    { phrase: '加强农村人居环境整治', lead: '区农业农村委', co: ['区绿化市容局'] },
    { phrase: '缓解中心城区停车难', lead: '区交通委', co: ['区公安分局'] },
    { phrase: '加快推进乡村振兴示范村建设', lead: '区农业农村委', co: ['区规划资源局'] },
    { phrase: '完善农村生活污水处理设施', lead: '区水务局' },
    { phrase: '加强城市道路管线统筹建设', lead: '区建设管理委' },
    { phrase: '推进海绵城市建设', lead: '区水务局', co: ['区建设管理委'] },
    { phrase: '加快山阳滨海地区开发建设', lead: '区规划资源局' },
    { phrase: '推进农民相对集中居住', lead: '区规划资源局', co: ['区农业农村委'] },
    { phrase: '规范共享单车停放管理', lead: '区交通委', co: ['区城管执法局'] },
    { phrase: '推进既有多层住宅加装电梯', lead: '区房管局', co: ['区建设管理委'] },
    { phrase: '加强住宅小区物业管理', lead: '区房管局' },
    { phrase: '完善慢行交通系统', lead: '区交通委' },
    { phrase: '加强违法建筑整治', lead: '区城管执法局', co: ['区规划资源局'] },
    { phrase: '提升金山城市沙滩周边区域功能', lead: '区文化旅游局', co: ['区建设管理委'] },
    { phrase: '改善农村公路通行条件', lead: '区交通委' },
  ],
  environment: [
    { phrase: '加快推进垃圾分类', lead: '区绿化市容局', co: ['区生态环境局'] },
    { phrase: '开展渣土运输道路污染治理', lead: '区绿化市容局', co: ['区交通委', '区城管执法局'] },
    { phrase: '加强中小企业危废处置', lead: '区生态环境局', co: ['区经委'] },
    { phrase: '加强中小河道综合整治', lead: '区水务局' },
    { phrase: '加强化工区周边环境监测', lead: '区生态环境局' },
    { phrase: '治理挥发性有机物污染', lead: '区生态环境局', co: ['区经委'] },
    { phrase: '推进生态廊道建设', lead: '区绿化市容局', co: ['区规划资源局'] },
    { phrase: '加强农业面源污染防治', lead: '区农业农村委', co: ['区生态环境局'] },
    { phrase: '加强建筑工地扬尘管控', lead: '区建设管理委', co: ['区生态环境局'] },
    { phrase: '推进湿垃圾就地资源化处理', lead: '区绿化市容局' },
    { phrase: '加强畜禽养殖污染治理', lead: '区农业农村委' },
    { phrase: '提升黄浦江上游水源地保护水平', lead: '区水务局', co: ['区生态环境局'] },
    { phrase: '加强餐饮油烟污染治理', lead: '区生态环境局', co: ['区市场监管局'] },
    { phrase: '加强夜间施工噪声扰民治理', lead: '区生态环境局', co: ['区建设管理委'] },
    { phrase: '健全河长制长效管理机制', lead: '区水务局' },
    { phrase: '加强建筑垃圾资源化利用', lead: '区绿化市容局', co: ['区建设管理委'] },
  ],
  livelihood: [
    { phrase: '加快推进养老实项目建设', lead: '区民政局', co: ['区卫生健康委'] },
    { phrase: '加强农村薄弱养老机构改造', lead: '区民政局' },
    { phrase: '推进社区长者食堂和助餐点建设', lead: '区民政局' },
    { phrase: '加强中小学校食堂建设和管理', lead: '区教育局', co: ['区市场监管局'] },
    { phrase: '完善就业援助、促进困难群体就业', lead: '区人力资源社会保障局' },
    { phrase: '加强食品安全监管', lead: '区市场监管局' },
    { phrase: '完善医养结合服务体系', lead: '区卫生健康委', co: ['区民政局'] },
    { phrase: '加强残疾人就业帮扶', lead: '区残联', co: ['区人力资源社会保障局'] },
    { phrase: '加大保障性住房供给', lead: '区房管局' },
    { phrase: '完善社区综合为老服务中心功能', lead: '区民政局' },
    { phrase: '做好退役军人服务保障工作', lead: '区退役军人局' },
    { phrase: '推进老年睦邻点建设', lead: '区民政局' },
    { phrase: '完善城乡居民医疗保障', lead: '区医保局' },
    { phrase: '加强农民工技能培训', lead: '区人力资源社会保障局' },
    { phrase: '增加婴幼儿托育服务供给', lead: '区卫生健康委', co: ['区教育局'] },
    { phrase: '完善困难家庭救助机制', lead: '区民政局' },
    { phrase: '提高农村居民养老保障水平', lead: '区人力资源社会保障局' },
  ],
  'science-education-culture-health': [
    { phrase: '推进家庭医生签约服务', lead: '区卫生健康委' },
    { phrase: '加强基层医疗卫生人才队伍建设', lead: '区卫生健康委', co: ['区人力资源社会保障局'] },
    { phrase: '促进优质教育资源均衡发展', lead: '区教育局' },
    { phrase: '加强青少年心理健康教育', lead: '区教育局' },
    { phrase: '加强非物质文化遗产保护传承', lead: '区文化旅游局' },
    { phrase: '推进公共文化服务体系建设', lead: '区文化旅游局' },
    { phrase: '加强金山农民画品牌保护与推广', lead: '区文化旅游局' },
    { phrase: '加强科技创新平台建设', lead: '区科委' },
    { phrase: '推动学校体育场馆向市民开放', lead: '区体育局', co: ['区教育局'] },
    { phrase: '加强中小学教师队伍建设', lead: '区教育局', co: ['区人力资源社会保障局'] },
    { phrase: '提升区域医疗服务能力', lead: '区卫生健康委' },
    { phrase: '推进职业教育与产业融合发展', lead: '区教育局', co: ['区经委'] },
    { phrase: '推进智慧医疗建设', lead: '区卫生健康委' },
    { phrase: '加强全民健身设施建设', lead: '区体育局' },
    { phrase: '提升社区卫生服务中心服务能力', lead: '区卫生健康委' },
    { phrase: '加强校园周边交通安全管理', lead: '区教育局', co: ['区公安分局'] },
    { phrase: '加快发展学前教育', lead: '区教育局' },
  ],
  'governance-law': [
    { phrase: '完善社会治安防控体系', lead: '区公安分局' },
    { phrase: '加强安全生产隐患排查治理', lead: '区应急局' },
    { phrase: '加强基层社区治理', lead: '区民政局' },
    { phrase: '推进公共法律服务体系建设', lead: '区司法局' },
    { phrase: '加强危险化学品运输安全管理', lead: '区应急局', co: ['区交通委'] },
    { phrase: '加强社会组织培育发展', lead: '区民政局' },
    { phrase: '加强电信网络诈骗防范宣传', lead: '区公安分局' },
    { phrase: '加强人民调解工作', lead: '区司法局' },
    { phrase: '提升应急管理和防灾减灾能力', lead: '区应急局' },
    { phrase: '加强群租整治', lead: '区房管局', co: ['区公安分局'] },
    { phrase: '加强法治宣传教育', lead: '区司法局' },
    { phrase: '推进城市网格化综合管理', lead: '区城管执法局' },
  ],
};

/**
 * The proposals named in the seed report, by session, with what the report says was done (2019), or the 2018 figures
 * it cites: they are registered, keyed and published in their session, and their answer A quotes the report.
 */
export interface NamedProposal {
  readonly category: Exclude<Category, 'other'>;
  readonly phrase: string;
  /** A district leader claimed it (区领导领办). */
  readonly claimed: boolean;
  /** What was done, quoted in its answer. */
  readonly answer?: string;
}

export const NAMED_PROPOSALS: Readonly<Record<string, readonly NamedProposal[]>> = {
  '6-2': [
    {
      category: 'livelihood',
      phrase: '加快推进养老实项目建设',
      claimed: false,
      answer: '2018年新增养老床位245张、老年睦邻点70个，完成农村薄弱养老机构改造3家，新建综合为老服务中心1家、助餐点1个。',
    },
  ],
  '6-3': [
    {
      category: 'economy',
      phrase: '加大扶持民营企业发展',
      claimed: false,
      answer:
        '加大“放管服”改革力度，服务体系从“1+11”向“1+11+X”延伸，搭建互访互联平台；在“金10条”基础上制定印发3个具体意见，拓宽企业融资渠道。',
    },
    {
      category: 'economy',
      phrase: '发展我区碳纤维复合材料产业及培育产业集群',
      claimed: true,
      answer:
        '积极采纳。2月25日与市科委签订战略合作框架协议，加快组建“1+2+4”碳纤维复合材料产业创新发展平台，推进产业产城融合规划研究和重大项目落地。',
    },
    {
      category: 'environment',
      phrase: '加快推进垃圾分类',
      claimed: true,
      answer: '所有村居、党政机关、事业单位已实现生活垃圾分类全覆盖，覆盖26.6万户，完成达标村创建29个；组建社会监督团和30支志愿者队伍。',
    },
    {
      category: 'urban-rural',
      phrase: '科学规范设立充电桩',
      claimed: false,
      answer: '开展住宅小区电动车停放及充电安全专项检查；结合“美丽家园”建设，2019年已覆盖173个小区，安装充电设施3257组，约17000个车位可充电。',
    },
    {
      category: 'environment',
      phrase: '开展渣土运输道路污染治理',
      claimed: false,
      answer: '绿容、交警、城管、建管、交通等部门联动执法，落实工地源头管理和扬尘防控，在重点时段、重点路段开展日常监管并加大不定期检查频次。',
    },
    {
      category: 'environment',
      phrase: '加强中小企业危废处置',
      claimed: true,
      answer: '提升危险废物处理处置能力，遏制处置价格上涨；建成区第一家危险废物集中收集贮存平台，已与120余家中小企业签约。',
    },
    {
      category: 'livelihood',
      phrase: '加强中小学校食堂建设和管理',
      claimed: true,
      answer: '加强食材源头管理和追溯，2019年学校“明厨亮灶”100%全覆盖，落实校园长陪餐制度，重点推进张堰、吕巷、廊下地区学校食堂改造。',
    },
    {
      category: 'livelihood',
      phrase: '加快推进养老实项目建设',
      claimed: false,
      answer: '2019年新增养老床位1200张、老年睦邻点100个，完成农村薄弱养老机构改造5家，新建老年人日间服务中心6个、助餐点6个、综合为老服务中心6家。',
    },
    { category: 'economy', phrase: '促进特色小镇建设', claimed: true },
    { category: 'economy', phrase: '加强农业品牌建设', claimed: true },
    { category: 'governance-law', phrase: '完善社会治安防控体系', claimed: true },
    { category: 'economy', phrase: '实施全域旅游产业融合发展', claimed: true },
  ],
};

/** Title forms; the first is by far the most common. */
export const TITLE_FORMS: readonly (readonly [(phrase: string) => string, number])[] = [
  [(p) => `关于${p}的建议`, 8],
  [(p) => `关于进一步${p}的建议`, 2],
  [(p) => `关于${p}的几点建议`, 1],
];

/** Variants of a title for a proposal merged into it (并案): same subject, another member's words. */
export const MERGED_FORMS: readonly ((phrase: string) => string)[] = [
  (p) => `关于切实${p}的建议`,
  (p) => `${p}的对策建议`,
  (p) => `关于${p}的意见和建议`,
];

export const TOWNS = ['朱泾镇', '枫泾镇', '张堰镇', '亭林镇', '吕巷镇', '廊下镇', '金山卫镇', '漕泾镇', '山阳镇', '石化街道', '金山工业区'];

/** Narrow local matters: registered as letters of opinion (转意见建议) rather than proposals. */
export const OPINION_SUBJECTS = ['增设公交站点', '修缮村道路面', '增设路灯', '改造农贸市场', '整治河道岸线', '增设居民健身点', '调整学校放学时段交通组织'];

/** Matters outside the proposals' scope (不属于提案范围). */
export const OUT_OF_SCOPE_TITLES = [
  '关于某企业拖欠职工工资问题的反映',
  '关于个人动迁安置补偿问题的反映',
  '关于调整全国个人所得税起征点的建议',
  '关于某小区业主与开发商纠纷的反映',
  '关于某案件审理情况的反映',
  '关于修改国家统一考试政策的建议',
];

export const WITHHOLD_REASONS = [
  '涉及尚未定论的规划方案，暂不公开',
  '涉及企业商业信息',
  '涉及个人信息',
  '属于内部工作安排的过程性信息',
];

export interface Leader {
  readonly id: string;
  readonly name: string;
  readonly categories: readonly Category[];
}

/** The district's leaders, by office only. */
export const LEADERS: readonly Leader[] = [
  { id: 'leader-mayor', name: '区长', categories: ['economy', 'governance-law'] },
  { id: 'leader-executive', name: '常务副区长', categories: ['economy', 'urban-rural'] },
  { id: 'leader-deputy-industry', name: '副区长（分管工业经济）', categories: ['economy'] },
  { id: 'leader-deputy-construction', name: '副区长（分管城乡建设）', categories: ['urban-rural', 'environment'] },
  { id: 'leader-deputy-social', name: '副区长（分管社会事业）', categories: ['livelihood', 'science-education-culture-health'] },
  { id: 'leader-deputy-agriculture', name: '副区长（分管农业农村）', categories: ['economy', 'environment', 'urban-rural'] },
  { id: 'leader-deputy-police', name: '副区长、公安分局局长', categories: ['governance-law'] },
];

/**
 * The district's handling units as the directory holds them (名录): a stable code (pinyin initials; towns by their
 * pinyin), the full and short name and the kind. The catalogue above names each unit by its short name since the
 * 2019 reorganisation (机构改革), which is how planning tells them apart; commands name them by code.
 */
export interface DemoUnit {
  readonly code: string;
  readonly fullName: string;
  readonly kind: UnitKind;
  /** Its names before the 2019 reorganisation, when it had others: the directory renames it then. */
  readonly before2019?: { readonly fullName: string; readonly shortName: string };
}

/** The 2019 reorganisation took effect on this business day in the demo (示例: the date is illustrative). */
export const REORGANISATION_2019 = '2019-02-15';

const department = (code: string, fullName: string, before2019?: DemoUnit['before2019']): DemoUnit => ({
  code,
  fullName,
  kind: 'government-department',
  ...(before2019 ? { before2019 } : {}),
});

export const UNITS: Readonly<Record<string, DemoUnit>> = {
  区发展改革委: department('fgw', '区发展和改革委员会'),
  区经委: department('jw', '区经济委员会'),
  区财政局: department('czj', '区财政局'),
  区金融办: department('jrb', '区金融服务办公室'),
  区科委: department('kw', '区科学技术委员会'),
  区商务委: department('sww', '区商务委员会'),
  区投资促进办: department('tzcjb', '区投资促进办公室'),
  区规划资源局: department('ghzyj', '区规划和自然资源局', { fullName: '区规划和土地管理局', shortName: '区规土局' }),
  区农业农村委: department('nyncw', '区农业农村委员会', { fullName: '区农业委员会', shortName: '区农委' }),
  区文化旅游局: department('whlyj', '区文化和旅游局', { fullName: '区文化广播影视管理局', shortName: '区文广局' }),
  区人力资源社会保障局: department('rsj', '区人力资源和社会保障局'),
  区房管局: department('fgj', '区住房保障和房屋管理局'),
  区建设管理委: department('jsglw', '区建设和管理委员会'),
  区交通委: department('jtw', '区交通委员会'),
  区绿化市容局: department('lhsrj', '区绿化和市容管理局'),
  区水务局: department('swj', '区水务局'),
  区城管执法局: department('cgzfj', '区城市管理行政执法局'),
  区生态环境局: department('sthjj', '区生态环境局', { fullName: '区环境保护局', shortName: '区环保局' }),
  区市场监管局: department('scjgj', '区市场监督管理局'),
  区民政局: department('mzj', '区民政局'),
  区卫生健康委: department('wsjkw', '区卫生健康委员会', { fullName: '区卫生和计划生育委员会', shortName: '区卫生计生委' }),
  区教育局: department('jyj', '区教育局'),
  区医保局: department('ybj', '区医疗保障局'),
  区退役军人局: department('tyjrj', '区退役军人事务局'),
  区应急局: department('yjj', '区应急管理局', { fullName: '区安全生产监督管理局', shortName: '区安监局' }),
  区公安分局: department('gafj', '上海市公安局金山分局'),
  区司法局: department('sfj', '区司法局'),
  区体育局: department('tyj', '区体育局'),
  区残联: { code: 'cl', fullName: '区残疾人联合会', kind: 'people-organisation' },
  朱泾镇: { code: 'zhujing', fullName: '朱泾镇人民政府', kind: 'township' },
  枫泾镇: { code: 'fengjing', fullName: '枫泾镇人民政府', kind: 'township' },
  张堰镇: { code: 'zhangyan', fullName: '张堰镇人民政府', kind: 'township' },
  亭林镇: { code: 'tinglin', fullName: '亭林镇人民政府', kind: 'township' },
  吕巷镇: { code: 'lvxiang', fullName: '吕巷镇人民政府', kind: 'township' },
  廊下镇: { code: 'langxia', fullName: '廊下镇人民政府', kind: 'township' },
  金山卫镇: { code: 'jinshanwei', fullName: '金山卫镇人民政府', kind: 'township' },
  漕泾镇: { code: 'caojing', fullName: '漕泾镇人民政府', kind: 'township' },
  山阳镇: { code: 'shanyang', fullName: '山阳镇人民政府', kind: 'township' },
  石化街道: { code: 'shihua', fullName: '石化街道办事处', kind: 'township' },
  金山工业区: { code: 'jsgyq', fullName: '金山工业区管理委员会', kind: 'other' },
};

const demoUnit = (unit: string): DemoUnit => {
  const found = UNITS[unit];
  if (!found) throw new RangeError(`unit ${unit} is not in the demo directory (catalogue.ts, UNITS)`);
  return found;
};

/** The unit's code, as commands name it. */
export const unitCode = (unit: string): string => demoUnit(unit).code;

/** The unit's short name in a year: before the 2019 reorganisation, some had others. */
export const unitNameIn = (unit: string, year: number): string => (year < 2019 ? demoUnit(unit).before2019?.shortName : undefined) ?? unit;

/** The staff account (its token's sub) that records the unit's steps. */
export const unitActorId = (unit: string): string => `staff-${unitCode(unit)}`;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹';
const GIVEN = '建国明华丽敏静伟芳军洋勇艳杰娟涛超霞平刚桂英秀兰玉梅海燕志强文斌晓东红卫国庆立新春雷晨欣怡佳慧永辉宏亮振宇嘉琪子涵';

export interface Member {
  readonly id: string;
  readonly name: string;
}

/** The members of the 6th district committee (one term: 2017–2021), with generated names. */
export function committeeMembers(count = 260): Member[] {
  const rng = new Random('jinshan-cppcc-6/members');
  const seen = new Set<string>();
  const members: Member[] = [];
  while (members.length < count) {
    const given = rng.chance(0.35) ? rng.pick([...GIVEN]) : rng.pick([...GIVEN]) + rng.pick([...GIVEN]);
    const name = rng.pick([...SURNAMES]) + given;
    if (seen.has(name) || given.length === 2 && given[0] === given[1]) continue;
    seen.add(name);
    members.push({ id: `member-6-${String(members.length + 1).padStart(3, '0')}`, name });
  }
  return members;
}

/**
 * The sectors (界别) of the district committee, by weight, each with the group (小组) its members sit in at the
 * plenary session.
 */
const SECTORS: readonly (readonly [sector: string, weight: number, group: string])[] = [
  ['中共', 30, '第一组'],
  ['民革', 6, '第二组'],
  ['民盟', 8, '第二组'],
  ['民建', 9, '第二组'],
  ['民进', 8, '第二组'],
  ['农工党', 6, '第二组'],
  ['致公党', 3, '第二组'],
  ['九三学社', 6, '第二组'],
  ['无党派人士', 8, '第三组'],
  ['共青团', 5, '第四组'],
  ['工会', 6, '第四组'],
  ['妇联', 6, '第四组'],
  ['工商联', 12, '第五组'],
  ['经济界', 30, '第五组'],
  ['科技界', 12, '第六组'],
  ['农业界', 12, '第六组'],
  ['教育界', 16, '第七组'],
  ['文化艺术界', 8, '第七组'],
  ['体育界', 3, '第七组'],
  ['医药卫生界', 16, '第八组'],
  ['社会福利和社会保障界', 8, '第九组'],
  ['少数民族和宗教界', 4, '第九组'],
  ['特邀人士', 10, '第九组'],
];

export interface MemberEntry extends Member {
  readonly sector: string;
  readonly group: string;
  /** Committee terms served: the 6th, and for some the 5th before it. */
  readonly terms: readonly string[];
}

/**
 * The members as the directory holds them: each one's sector, group and terms drawn from a seed of their own, so
 * that the members themselves (committeeMembers) and everything drawn after them stay as they were.
 */
export function committeeDirectory(members: readonly Member[] = committeeMembers()): MemberEntry[] {
  const rng = new Random('jinshan-cppcc-6/sectors');
  return members.map((m) => {
    const [sector, , group] = rng.weighted(SECTORS.map((s) => [s, s[1]] as const));
    return { ...m, sector, group, terms: rng.chance(0.35) ? ['5', '6'] : ['6'] };
  });
}
