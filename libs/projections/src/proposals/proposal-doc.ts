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
import type { NamesAtTheTime } from '../names.js';

/** A step a clerk typed in from paper (代录). */
export interface PaperRecord {
  readonly revision: number;
  /** The stored event type. */
  readonly type: string;
  readonly at: string;
  readonly recordedAt: string;
  readonly recorder: { readonly id: string; readonly name?: string };
}

/**
 * Every dated fact of one proposal's handling that supervision and statistics read. `at` is business time, a UTC
 * instant; codes and instants only — labels and local times are added when it is read (presentation.ts) — except
 * the names units and members had at the time, which come from the events' metadata (`…Name`, `names`).
 */
export interface ProposalDoc extends Doc {
  readonly tenant: string;
  readonly proposalId: string;
  readonly session: string;
  readonly number: string | null;
  readonly title: string;
  readonly body: string;
  readonly category: Category;
  /** Members who joined (the filer, and co-proposers who confirmed), with the names of their own sign-in. */
  readonly proposers: readonly Proposer[];
  /** Members asked to join who have not confirmed yet. */
  readonly invitedCoProposers: readonly string[];
  /** Every member who may read the proposal: joined and invited. */
  readonly proposerIds: readonly string[];
  /** The names of every unit and member the proposal's steps referred to, as its latest step naming each had them. */
  readonly names: NamesAtTheTime;
  readonly status: ProposalStatus;
  /** Being handled: assigned or reopened, waiting for an answer. */
  readonly open: boolean;
  readonly filedAt: string;
  readonly registeredAt: string | null;
  readonly declinedAt: string | null;
  /** 撤案: when the lead proposer withdrew the proposal, and why. */
  readonly withdrawnAt: string | null;
  readonly withdrawal: { readonly reason: string } | null;
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
    /** Names at the time of the step; absent on steps recorded before the directory. */
    readonly leadUnitName?: string;
    readonly coUnitNames?: readonly string[];
  }[];
  readonly reassignmentRequest: { readonly at: string; readonly unit: string; readonly reason: string; readonly unitName?: string } | null;
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
    readonly unitName?: string;
  }[];
  readonly coUnitOpinions: readonly { readonly at: string; readonly unit: string; readonly unitName?: string }[];
  readonly answers: readonly {
    readonly at: string;
    readonly unit: string;
    readonly category: ResultCategory;
    readonly text: string;
    readonly publish: boolean;
    readonly withholdReason?: string;
    /** The due date in force when the answer was given. */
    readonly dueDate: string;
    readonly unitName?: string;
  }[];
  readonly latestCategory: ResultCategory | null;
  readonly feedback: readonly {
    readonly at: string;
    readonly member: string;
    readonly attitude: Attitude;
    readonly agreesWithResult: boolean;
    readonly memberName?: string;
  }[];
  readonly followUps: readonly {
    readonly at: string;
    readonly unit?: string;
    readonly note: string;
    readonly substantiveProgress: boolean;
    readonly unitName?: string;
  }[];
  /** Business years with a follow-up marked substantive progress. */
  readonly substantiveYears: readonly number[];
  readonly publications: readonly { readonly at: string; readonly answerNumber: number }[];
  /** The steps a clerk typed in from paper (代录): which step, when it happened, when it was recorded and by whom. */
  readonly paperRecords: readonly PaperRecord[];
  readonly published: boolean;
  readonly publishedAt: string | null;
  /** 超期督办: each time the service flagged the proposal overdue for supervision (absent on documents from before). */
  readonly escalations?: readonly { readonly at: string; readonly dueDate: string; readonly daysOverdue: number }[];
  /** Business time of the latest step. */
  readonly updatedAt: string;
  readonly revision: number;
  readonly position: number;
}

/**
 * What a list shows of each proposal (presentation.ts's proposalSummary, and isOverdue): the read store keeps these
 * beside the query fields (CollectionDef.summary), so that a page of a list reads no whole document — the body, the
 * answers' texts and every dated fact stay where they are.
 */
export const LISTED = [
  'proposalId', 'number', 'session', 'title', 'category', 'proposers', 'status', 'open', 'leadUnit', 'coUnits', 'dueDate',
  'key', 'claimed', 'latestCategory', 'published', 'escalations', 'filedAt', 'updatedAt', 'names',
] as const satisfies readonly (keyof ProposalDoc)[];

/** A proposal as a list reads it. */
export type ListedProposal = Pick<ProposalDoc, 'id' | (typeof LISTED)[number]>;
