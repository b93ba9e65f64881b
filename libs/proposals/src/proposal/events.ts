import type {
  Attitude,
  Category,
  DeclineReason,
  ResultCategory,
  VisitForm,
  VisitorRank,
  VisitStage,
} from '../vocabulary.js';

/** A member who has joined a proposal; the name is the member's own, from their sign-in, never the filer's words. */
export interface Proposer {
  readonly id: string;
  readonly name?: string;
}

/** Every fact of one proposal's handling, in the order docs/domain.md tells its lifecycle. One stream per proposal. */
export type ProposalEvent =
  | {
      type: 'ProposalFiled';
      data: {
        proposalId: string;
        session: string;
        title: string;
        body: string;
        category: Category;
        /** Who has joined: the member who filed (领衔), with the name of their sign-in. */
        proposers: Proposer[];
        /** Members named as co-proposers (联名) who have not confirmed yet: they join by confirming. */
        invitedCoProposers: string[];
      };
    }
  | { type: 'CoProposerConfirmed'; data: { member: string; name?: string } }
  /** 撤案: the lead proposer takes the proposal back before the committee reviews it. */
  | { type: 'ProposalWithdrawn'; data: { reason: string } }
  | { type: 'ProposalRegistered'; data: { number: string } }
  | { type: 'ProposalDeclined'; data: { reason: DeclineReason; mergedInto?: string; note?: string } }
  | { type: 'ProposalAssigned'; data: { leadUnit: string; coUnits: string[]; dueDate: string } }
  | { type: 'ReassignmentRequested'; data: { unit: string; reason: string } }
  | {
      type: 'ProposalReassigned';
      data: { leadUnit: string; coUnits: string[]; dueDate: string; previousLeadUnit: string };
    }
  | { type: 'ProposalClaimed'; data: { leader: string; leaderName?: string } }
  | {
      type: 'ProposalVisited';
      data: { unit: string; stage: VisitStage; visitorRank: VisitorRank; form: VisitForm; note?: string };
    }
  | { type: 'CoUnitOpinionSent'; data: { unit: string; opinion: string } }
  | {
      type: 'ProposalAnswered';
      data: { unit: string; category: ResultCategory; text: string; publish: boolean; withholdReason?: string };
    }
  | {
      type: 'FeedbackGiven';
      data: { member: string; attitude: Attitude; agreesWithResult: boolean; comment?: string };
    }
  | { type: 'ProposalRenegotiated'; data: { reason: string; dueDate: string } }
  | { type: 'ProposalFollowedUp'; data: { unit?: string; note: string; substantiveProgress: boolean } }
  | { type: 'ProposalSupervised'; data: { key: boolean; note?: string } }
  /** `answerNumber` is 1 for the first answer, 2 for the answer after the first re-negotiation, … */
  | { type: 'AnswerPublished'; data: { answerNumber: number } }
  /** 超期督办: the service flags a proposal overdue for `daysOverdue` days past `dueDate` for supervision. */
  | { type: 'ProposalEscalated'; data: { dueDate: string; daysOverdue: number } };

export type ProposalEventType = ProposalEvent['type'];
export type ProposalEventOf<T extends ProposalEventType> = Extract<ProposalEvent, { type: T }>;

/** Dissatisfaction, with the handling or with the result, reopens handling (docs/domain.md, feedback). */
export const feedbackReopens = (data: ProposalEventOf<'FeedbackGiven'>['data']): boolean =>
  data.attitude === 'dissatisfied' || !data.agreesWithResult;
