import type { Doc } from '@app/read-store';
import type {
  Attitude,
  Category,
  DeclineReason,
  ProposalStatus,
  Proposer,
  ResultCategory,
  VisitForm,
  VisitorRank,
  VisitStage,
} from '@app/proposals';

/** Every dated fact of one proposal's handling that supervision and statistics read. `at` is business time. */
export interface ProposalDoc extends Doc {
  readonly tenant: string;
  readonly proposalId: string;
  readonly session: string;
  readonly number: string | null;
  readonly title: string;
  readonly category: Category;
  /** Members who joined (the filer, and co-proposers who confirmed), with the names of their own sign-in. */
  readonly proposers: readonly Proposer[];
  /** Members asked to join who have not confirmed yet. */
  readonly invitedCoProposers: readonly string[];
  /** Every member who may read the proposal: joined and invited. */
  readonly proposerIds: readonly string[];
  readonly status: ProposalStatus;
  /** Being handled: assigned or reopened, waiting for an answer. */
  readonly open: boolean;
  readonly filedAt: string;
  readonly registeredAt: string | null;
  readonly declinedAt: string | null;
  readonly decline: { readonly reason: DeclineReason; readonly mergedInto?: string; readonly note?: string } | null;
  readonly leadUnit: string | null;
  readonly coUnits: readonly string[];
  /** Every unit that was ever lead or co-unit. */
  readonly units: readonly string[];
  readonly dueDate: string | null;
  /** How the lead unit and the due date in force changed: assignment, reassignment, re-negotiation. */
  readonly assignments: readonly {
    readonly at: string;
    readonly kind: 'assigned' | 'reassigned' | 'renegotiated';
    readonly leadUnit: string;
    readonly coUnits: readonly string[];
    readonly dueDate: string;
  }[];
  readonly reassignmentRequest: { readonly at: string; readonly unit: string; readonly reason: string } | null;
  readonly claimed: boolean;
  readonly claimedBy: { readonly id: string; readonly name?: string } | null;
  readonly claimedAt: string | null;
  readonly key: boolean;
  readonly keyMarks: readonly { readonly at: string; readonly key: boolean }[];
  readonly visits: readonly {
    readonly at: string;
    readonly unit: string;
    readonly stage: VisitStage;
    readonly visitorRank: VisitorRank;
    readonly form: VisitForm;
  }[];
  readonly coUnitOpinions: readonly { readonly at: string; readonly unit: string }[];
  readonly answers: readonly {
    readonly at: string;
    readonly unit: string;
    readonly category: ResultCategory;
    readonly text: string;
    readonly publish: boolean;
    readonly withholdReason?: string;
    /** The due date in force when the answer was given. */
    readonly dueDate: string;
  }[];
  readonly latestCategory: ResultCategory | null;
  readonly feedback: readonly {
    readonly at: string;
    readonly member: string;
    readonly attitude: Attitude;
    readonly agreesWithResult: boolean;
  }[];
  readonly followUps: readonly { readonly at: string; readonly unit?: string; readonly note: string; readonly substantiveProgress: boolean }[];
  /** Business years with a follow-up marked substantive progress. */
  readonly substantiveYears: readonly number[];
  readonly publications: readonly { readonly at: string; readonly answerNumber: number }[];
  readonly published: boolean;
  readonly publishedAt: string | null;
  /** Business time of the latest step. */
  readonly updatedAt: string;
  readonly revision: number;
  readonly position: number;
}
