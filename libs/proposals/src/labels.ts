import type { Role } from './actor.js';
import type { DomainEventType } from './codec.js';
import type { ProposalStatus } from './proposal/lifecycle.js';

/**
 * The Chinese labels people read for the steps, statuses and roles (docs/domain.md, lifecycle and roles). Each is a
 * Record over the whole type: a new event type, status or role is a compile error here until it has its label.
 * Labels are added when a read model is read, never stored: changing one needs no rebuild.
 */
export const STEP_LABELS: Readonly<Record<DomainEventType, string>> = {
  ProposalFiled: '提交',
  CoProposerConfirmed: '联名确认',
  ProposalWithdrawn: '撤案',
  ProposalRegistered: '立案',
  ProposalDeclined: '不予立案',
  ProposalAssigned: '交办',
  ReassignmentRequested: '申请调整',
  ProposalReassigned: '调整交办',
  ProposalClaimed: '领办',
  ProposalVisited: '走访',
  CoUnitOpinionSent: '会办意见',
  ProposalAnswered: '答复',
  FeedbackGiven: '委员反馈',
  ProposalRenegotiated: '再协商',
  ProposalFollowedUp: '跟踪落实',
  ProposalSupervised: '督办',
  AnswerPublished: '公开答复',
  ProposalEscalated: '超期督办',
  SessionOpened: '开幕',
  ProposalNumberReserved: '编号',
  SupervisionVisitRecorded: '督办走访',
  UnitRegistered: '登记承办单位',
  UnitChanged: '变更承办单位',
  UnitDeactivated: '停用承办单位',
  MemberRegistered: '登记委员',
  MemberChanged: '变更委员信息',
  MemberDeactivated: '停用委员',
  StaffAccountAdded: '添加单位账号',
  StaffAccountRemoved: '移除单位账号',
  ReminderIssued: '提醒',
};

export const STATUS_LABELS: Readonly<Record<ProposalStatus, string>> = {
  filed: '已提交',
  withdrawn: '已撤案',
  registered: '已立案',
  declined: '不予立案',
  assigned: '办理中',
  answered: '已答复',
  reopened: '再办理',
};

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  member: '政协委员',
  committee: '区政协提案委',
  office: '区政府办公室',
  unit: '承办单位',
  leader: '区领导',
  auditor: '督查审计',
  clerk: '录入员',
  service: '系统服务',
  system: '系统',
};
