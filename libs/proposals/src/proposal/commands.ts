import type {
  Attitude,
  Category,
  DeclineReason,
  ResultCategory,
  VisitForm,
  VisitorRank,
  VisitStage,
} from '../vocabulary.js';

/** What people ask of a proposal. Field names match the HTTP bodies of the same step. */
export type ProposalCommand =
  | {
      type: 'FileProposal';
      data: {
        proposalId: string;
        session: string;
        title: string;
        body: string;
        category: Category;
        /** Members asked to join (联名), by id only: each joins by confirming, under their own name. */
        coProposers?: string[];
      };
    }
  | { type: 'ConfirmCoProposal'; data: Record<string, never> }
  | { type: 'WithdrawProposal'; data: { reason: string } }
  | { type: 'RegisterProposal'; data: { number?: string } }
  | { type: 'DeclineProposal'; data: { reason: DeclineReason; mergedInto?: string; note?: string } }
  | { type: 'AssignProposal'; data: { leadUnit: string; coUnits?: string[]; dueDate?: string } }
  | { type: 'RequestReassignment'; data: { reason: string } }
  | { type: 'ReassignProposal'; data: { leadUnit: string; coUnits?: string[]; dueDate?: string } }
  | { type: 'ClaimProposal'; data: Record<string, never> }
  | { type: 'RecordVisit'; data: { stage: VisitStage; visitorRank: VisitorRank; form: VisitForm; note?: string } }
  | { type: 'SendCoUnitOpinion'; data: { opinion: string } }
  | {
      type: 'AnswerProposal';
      data: { category: ResultCategory; text: string; publish: boolean; withholdReason?: string };
    }
  | { type: 'GiveFeedback'; data: { attitude: Attitude; agreesWithResult: boolean; comment?: string } }
  | { type: 'RenegotiateProposal'; data: { reason: string; dueDate?: string } }
  | { type: 'FollowUpProposal'; data: { note: string; substantiveProgress?: boolean } }
  | { type: 'SuperviseProposal'; data: { key: boolean; note?: string } }
  | { type: 'PublishAnswer'; data: Record<string, never> }
  /** The service's own step: the due date it found overdue and the days after which it escalates. */
  | { type: 'EscalateProposal'; data: { dueDate: string; afterDays: number } };

export type ProposalCommandType = ProposalCommand['type'];
export type ProposalCommandOf<T extends ProposalCommandType> = Extract<ProposalCommand, { type: T }>;
