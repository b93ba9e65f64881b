import type { Actor, Role } from '../actor.js';
import { canReadProposal } from '../access.js';
import { requireMember, requireUnit } from '../directory/references.js';
import type { DirectoryState } from '../directory/state.js';
import { addDays, businessDate, daysBetween, isCalendarDate } from '../business-time.js';
import { assertNever, Forbidden, IllegalTransition, NotFound, ValidationFailed } from '../errors.js';
import type { Recording } from '../recording.js';
import { nextProposalNumber, type SessionState } from '../session/state.js';
import { RESULT_CATEGORIES } from '../vocabulary.js';
import type { ProposalCommand, ProposalCommandOf, ProposalCommandType } from './commands.js';
import type { ProposalEvent, Proposer } from './events.js';
import type { ProposalStatus } from './lifecycle.js';
import { latestAnswer, type ProposalState } from './state.js';

/** Everything a decision may depend on besides the proposal itself; loaded by the caller, never fetched here. */
export interface ProposalContext extends Recording {
  readonly utcOffsetMinutes: number;
  /** The proposal's session (for filing: the session named in the command), null when it does not exist. */
  readonly session: SessionState | null;
  /** For a decline as merged: the proposal it is merged into, null when it does not exist. */
  readonly mergeTarget?: ProposalState | null;
  /** The jurisdiction's directory: every unit and member a command names must be in it, and active. */
  readonly directory: DirectoryState;
}

type Handling = Exclude<ProposalStatus, 'filed' | 'declined'>;
const HANDLING: readonly Handling[] = ['registered', 'assigned', 'answered', 'reopened'];
const STATUS_WORDS: Record<ProposalStatus, string> = {
  filed: 'filed and not yet reviewed',
  withdrawn: 'withdrawn by its proposer',
  registered: 'registered and not yet assigned',
  declined: 'declined',
  assigned: 'assigned and being handled',
  answered: 'answered',
  reopened: 'reopened for re-negotiation',
};

/**
 * What deciding a command needs loaded beside the proposal's own stream, said for every command (a new command
 * that is not listed here does not compile). The command path loads what it is told, decides, and appends.
 */
export interface ProposalNeeds {
  /**
   * The session the decision reads (its existence, opening time, numbers or answer limit): the one the filing
   * names, the proposal's own, or none.
   */
  readonly session: { readonly named: string } | 'own' | 'none';
  /** A decline as merged reads the proposal it is merged into. */
  readonly mergeTarget?: string;
  /** Registration reserves its number on the session stream: both streams are locked, the proposal's first. */
  readonly reservesNumber: boolean;
}

export function proposalNeeds(cmd: ProposalCommand): ProposalNeeds {
  const none: ProposalNeeds = { session: 'none', reservesNumber: false };
  switch (cmd.type) {
    case 'FileProposal':
      return { session: { named: cmd.data.session }, reservesNumber: false };
    case 'RegisterProposal':
      return { session: 'own', reservesNumber: true };
    case 'AssignProposal':
    case 'ReassignProposal':
    case 'RenegotiateProposal':
      // A due date defaults to the session's answer limit.
      return { session: 'own', reservesNumber: false };
    case 'DeclineProposal':
      return cmd.data.reason === 'merged' && cmd.data.mergedInto ? { ...none, mergeTarget: cmd.data.mergedInto } : none;
    case 'ConfirmCoProposal':
    case 'WithdrawProposal':
    case 'RequestReassignment':
    case 'ClaimProposal':
    case 'RecordVisit':
    case 'SendCoUnitOpinion':
    case 'AnswerProposal':
    case 'GiveFeedback':
    case 'FollowUpProposal':
    case 'SuperviseProposal':
    case 'PublishAnswer':
    case 'EscalateProposal':
      return none;
    default:
      return assertNever(cmd, 'proposal command');
  }
}

/** Who may ask for each step, and how a refusal names the step. */
export const PROPOSAL_STEPS: Readonly<Record<ProposalCommandType, { readonly roles: readonly Role[]; readonly step: string }>> = {
  FileProposal: { roles: ['member', 'committee'], step: 'filing a proposal' },
  ConfirmCoProposal: { roles: ['member'], step: 'joining a proposal' },
  WithdrawProposal: { roles: ['member'], step: 'withdrawing a proposal' },
  RegisterProposal: { roles: ['committee'], step: 'registering a proposal' },
  DeclineProposal: { roles: ['committee'], step: 'declining a proposal' },
  AssignProposal: { roles: ['office'], step: 'assigning a proposal' },
  RequestReassignment: { roles: ['unit'], step: 'asking for reassignment' },
  ReassignProposal: { roles: ['office'], step: 'reassigning a proposal' },
  ClaimProposal: { roles: ['leader'], step: 'claiming a proposal' },
  RecordVisit: { roles: ['unit'], step: 'visiting the member' },
  SendCoUnitOpinion: { roles: ['unit'], step: 'sending a co-unit opinion' },
  AnswerProposal: { roles: ['unit'], step: 'answering a proposal' },
  GiveFeedback: { roles: ['member'], step: 'giving feedback' },
  RenegotiateProposal: { roles: ['office', 'committee'], step: 'reopening handling' },
  FollowUpProposal: { roles: ['unit', 'office'], step: 'following up' },
  SuperviseProposal: { roles: ['office', 'committee'], step: 'supervising a proposal' },
  PublishAnswer: { roles: ['office'], step: 'publishing an answer' },
  EscalateProposal: { roles: ['system'], step: 'escalating an overdue proposal' },
};

/**
 * Whether the actor may ask for this step on this proposal at all: their role, and that the proposal is one they
 * take part in. Decided before any rule that reads the proposal's state, so that a refusal tells someone outside
 * the proposal nothing about it (its status, its units, its answers). Also checked before a retried command is
 * answered from what it did the first time.
 */
export function authorizeProposalCommand(type: ProposalCommandType, state: ProposalState | null, actor: Actor): void {
  const { roles, step } = PROPOSAL_STEPS[type];
  if (!roles.includes(actor.role)) throw new Forbidden(`${step} is for ${roles.join(' or ')}, not ${actor.role}`);
  if (actor.role === 'unit' && !actor.unit) throw new Forbidden('a unit user must belong to a unit');
  if (state !== null && !canReadProposal(actor, state)) throw new Forbidden(`proposal ${state.id} is not one you take part in`);
}

function requireStatus(state: ProposalState, allowed: readonly ProposalStatus[], step: string): void {
  if (!allowed.includes(state.status))
    throw new IllegalTransition(`cannot ${step}: proposal ${state.id} is ${STATUS_WORDS[state.status]}`);
}

function dueDateOf(requested: string | undefined, ctx: ProposalContext, field = 'dueDate'): string {
  const today = businessDate(ctx.occurredAt, ctx.utcOffsetMinutes);
  if (requested === undefined) {
    if (!ctx.session) throw new NotFound('the proposal session does not exist', 'session');
    return addDays(today, ctx.session.answerLimitDays);
  }
  if (!isCalendarDate(requested)) throw new ValidationFailed('must be a date YYYY-MM-DD', field);
  if (requested < today) throw new ValidationFailed(`must not be before ${today}, the day of this step`, field);
  return requested;
}

/** The units of an assignment: each known to the directory and active on the day, none twice. */
function unitsOf(ctx: ProposalContext, leadUnit: string, coUnits: readonly string[] = []): string[] {
  if (new Set(coUnits).size !== coUnits.length) throw new ValidationFailed('must not name a unit twice', 'coUnits');
  if (coUnits.includes(leadUnit)) throw new ValidationFailed('must not include the lead unit', 'coUnits');
  const today = businessDate(ctx.occurredAt, ctx.utcOffsetMinutes);
  requireUnit(ctx.directory, leadUnit, today, 'leadUnit');
  for (const unit of coUnits) requireUnit(ctx.directory, unit, today, 'coUnits');
  return [...coUnits];
}

/** The unit of a `unit` actor (authorizeProposalCommand has made sure there is one). */
const unitOf = (actor: Actor): string => actor.unit as string;

function fileProposal(cmd: ProposalCommandOf<'FileProposal'>, ctx: ProposalContext): ProposalEvent[] {
  const { actor } = ctx;
  if (!ctx.session) throw new NotFound(`no session ${cmd.data.session}`, 'session');
  if (ctx.occurredAt < ctx.session.openedAt)
    throw new IllegalTransition(`occurredAt ${ctx.occurredAt} is before session ${ctx.session.id} opened (${ctx.session.openedAt})`, 'occurredAt');
  // A member filing leads the proposal (领衔) under the name of their own sign-in; everyone they name is asked to
  // join and joins by confirming. The committee files in its own name and asks the members it names.
  const proposers: Proposer[] = actor.role === 'member' ? [{ id: actor.id, ...opt('name', actor.name) }] : [];
  const invitedCoProposers = [...new Set(cmd.data.coProposers ?? [])].filter((id) => !proposers.some((p) => p.id === id));
  const today = businessDate(ctx.occurredAt, ctx.utcOffsetMinutes);
  for (const id of invitedCoProposers) requireMember(ctx.directory, id, today, 'coProposers');
  const { proposalId, session, title, body, category } = cmd.data;
  return [{ type: 'ProposalFiled', data: { proposalId, session, title, body, category, proposers, invitedCoProposers } }];
}

function decideExisting(cmd: ProposalCommand, s: ProposalState, ctx: ProposalContext): ProposalEvent[] {
  const { actor } = ctx;
  switch (cmd.type) {
    case 'FileProposal':
      throw new IllegalTransition(`proposal ${s.id} is already filed`);

    case 'ConfirmCoProposal': {
      if (s.proposers.some((p) => p.id === actor.id)) throw new IllegalTransition(`member ${actor.id} has already joined proposal ${s.id}`);
      if (!s.invitedCoProposers.includes(actor.id)) throw new Forbidden(`member ${actor.id} was not asked to join proposal ${s.id}`);
      requireStatus(s, ['filed'], 'join as co-proposer');
      return [{ type: 'CoProposerConfirmed', data: { member: actor.id, ...opt('name', actor.name) } }];
    }

    case 'WithdrawProposal': {
      if (s.leadProposer !== actor.id) throw new Forbidden(`only the member who leads proposal ${s.id} withdraws it`);
      requireStatus(s, ['filed'], 'withdraw');
      return [{ type: 'ProposalWithdrawn', data: { reason: cmd.data.reason } }];
    }

    case 'RegisterProposal': {
      requireStatus(s, ['filed'], 'register');
      if (!ctx.session) throw new NotFound(`no session ${s.session}`, 'session');
      // A number the session already holds for this proposal (its registration was interrupted or lost a race after
      // the reservation landed) is the proposal's: the registration finishes with it rather than reserving another.
      const held = ctx.session.register.numberOf(s.id);
      if (held !== undefined && cmd.data.number !== undefined && cmd.data.number !== held)
        throw new IllegalTransition(`proposal ${s.id} already holds number ${held} of this session; register it with that number or none`, 'number');
      const number = held ?? cmd.data.number ?? nextProposalNumber(ctx.session);
      const holder = ctx.session.register.holderOf(number);
      if (holder !== undefined && holder !== s.id)
        throw new IllegalTransition(`number ${number} is already given to proposal ${holder}`, 'number');
      return [{ type: 'ProposalRegistered', data: { number } }];
    }

    case 'DeclineProposal': {
      requireStatus(s, ['filed'], 'decline');
      const { reason, mergedInto, note } = cmd.data;
      if (reason === 'merged') {
        if (!mergedInto) throw new ValidationFailed('is required when the reason is merged', 'mergedInto');
        if (mergedInto === s.id) throw new ValidationFailed('must be another proposal', 'mergedInto');
        const target = ctx.mergeTarget;
        if (!target) throw new ValidationFailed(`no proposal ${mergedInto}`, 'mergedInto');
        if (target.session !== s.session)
          throw new ValidationFailed(`proposal ${mergedInto} belongs to session ${target.session}`, 'mergedInto');
        if (target.status === 'declined')
          throw new ValidationFailed(`proposal ${mergedInto} was itself declined`, 'mergedInto');
      } else if (mergedInto !== undefined) {
        throw new ValidationFailed('is only for the reason merged', 'mergedInto');
      }
      return [{ type: 'ProposalDeclined', data: { reason, ...(mergedInto ? { mergedInto } : {}), ...opt('note', note) } }];
    }

    case 'AssignProposal': {
      if (s.status === 'assigned')
        throw new IllegalTransition(`proposal ${s.id} is already assigned to ${s.leadUnit}; reassign it instead`);
      requireStatus(s, ['registered'], 'assign');
      const coUnits = unitsOf(ctx, cmd.data.leadUnit, cmd.data.coUnits);
      const dueDate = dueDateOf(cmd.data.dueDate, ctx);
      return [{ type: 'ProposalAssigned', data: { leadUnit: cmd.data.leadUnit, coUnits, dueDate } }];
    }

    case 'RequestReassignment': {
      requireStatus(s, ['assigned'], 'ask for reassignment');
      if (unitOf(actor) !== s.leadUnit) throw new Forbidden(`only the lead unit ${s.leadUnit} may ask for reassignment`);
      if (s.pendingReassignment) throw new IllegalTransition('a reassignment request is already waiting for the office');
      return [{ type: 'ReassignmentRequested', data: { unit: unitOf(actor), reason: cmd.data.reason } }];
    }

    case 'ReassignProposal': {
      requireStatus(s, ['assigned'], 'reassign');
      const { leadUnit } = cmd.data;
      const coUnits = unitsOf(ctx, leadUnit, cmd.data.coUnits);
      if (leadUnit === s.leadUnit && sameSet(coUnits, s.coUnits))
        throw new ValidationFailed('names the units already handling the proposal', 'leadUnit');
      const dueDate = dueDateOf(cmd.data.dueDate, ctx);
      return [{ type: 'ProposalReassigned', data: { leadUnit, coUnits, dueDate, previousLeadUnit: s.leadUnit ?? '' } }];
    }

    case 'ClaimProposal': {
      requireStatus(s, ['registered', 'assigned', 'reopened'], 'claim');
      if (s.claimedBy) throw new IllegalTransition(`proposal ${s.id} is already claimed by ${s.claimedBy}`);
      return [{ type: 'ProposalClaimed', data: { leader: actor.id, ...opt('leaderName', actor.name) } }];
    }

    case 'RecordVisit': {
      const { stage, visitorRank, form, note } = cmd.data;
      if (stage === 'after') {
        if (s.answers.length === 0) throw new IllegalTransition('a visit after handling needs an answer first', 'stage');
      } else {
        requireStatus(s, ['assigned', 'reopened'], `record a visit ${stage} handling`);
      }
      const unit = unitOf(actor);
      if (unit !== s.leadUnit && !s.coUnits.includes(unit))
        throw new Forbidden(`unit ${unit} does not handle proposal ${s.id}`);
      return [{ type: 'ProposalVisited', data: { unit, stage, visitorRank, form, ...opt('note', note) } }];
    }

    case 'SendCoUnitOpinion': {
      requireStatus(s, ['assigned', 'reopened'], 'send a co-unit opinion');
      const unit = unitOf(actor);
      if (!s.coUnits.includes(unit)) throw new Forbidden(`unit ${unit} is not a co-unit of proposal ${s.id}`);
      if (s.coUnitOpinionsFrom.includes(unit))
        throw new IllegalTransition(`unit ${unit} already sent its opinion to the lead unit`);
      return [{ type: 'CoUnitOpinionSent', data: { unit, opinion: cmd.data.opinion } }];
    }

    case 'AnswerProposal': {
      if (s.status === 'answered')
        throw new IllegalTransition(`proposal ${s.id} is already answered; handling must be reopened first`);
      requireStatus(s, ['assigned', 'reopened'], 'answer');
      const unit = unitOf(actor);
      if (unit !== s.leadUnit) throw new Forbidden(`only the lead unit ${s.leadUnit} answers proposal ${s.id}`);
      const missing = s.coUnits.filter((u) => !s.coUnitOpinionsFrom.includes(u));
      if (missing.length > 0) throw new IllegalTransition(`waiting for the opinion of co-unit ${missing.join(', ')}`);
      const { category, text, publish, withholdReason } = cmd.data;
      if (!(category in RESULT_CATEGORIES)) throw new ValidationFailed('must be A, B or C', 'category');
      if (!publish && !withholdReason?.trim())
        throw new ValidationFailed('is required when the answer is not published', 'withholdReason');
      if (publish && withholdReason !== undefined)
        throw new ValidationFailed('is only for an answer that is not published', 'withholdReason');
      return [{ type: 'ProposalAnswered', data: { unit, category, text, publish, ...opt('withholdReason', withholdReason) } }];
    }

    case 'GiveFeedback': {
      if (!s.proposers.some((p) => p.id === actor.id))
        throw new Forbidden(`member ${actor.id} has not joined proposal ${s.id}: confirm first`);
      if (s.answers.length === 0) throw new IllegalTransition(`proposal ${s.id} has no answer to give feedback on`);
      if (!s.feedbackOpen)
        throw new IllegalTransition(`handling of proposal ${s.id} was re-negotiated; feedback waits for the new answer`);
      if (s.feedbackFrom.includes(actor.id))
        throw new IllegalTransition(`member ${actor.id} already gave feedback on this answer`);
      const { attitude, agreesWithResult, comment } = cmd.data;
      return [{ type: 'FeedbackGiven', data: { member: actor.id, attitude, agreesWithResult, ...opt('comment', comment) } }];
    }

    case 'RenegotiateProposal': {
      if (s.answers.length === 0) throw new IllegalTransition(`proposal ${s.id} has no answer to re-negotiate`);
      return [{ type: 'ProposalRenegotiated', data: { reason: cmd.data.reason, dueDate: dueDateOf(cmd.data.dueDate, ctx) } }];
    }

    case 'FollowUpProposal': {
      const latest = latestAnswer(s);
      if (!latest) throw new IllegalTransition(`proposal ${s.id} has no answer to follow up`);
      if (latest.category !== 'B')
        throw new IllegalTransition(`only planned (B) answers are followed up; the latest answer is ${latest.category}`);
      let unit: string | undefined;
      if (actor.role === 'unit') {
        unit = unitOf(actor);
        if (unit !== s.leadUnit && !s.coUnits.includes(unit))
          throw new Forbidden(`unit ${unit} does not handle proposal ${s.id}`);
      }
      const { note, substantiveProgress = false } = cmd.data;
      return [{ type: 'ProposalFollowedUp', data: { ...opt('unit', unit), note, substantiveProgress } }];
    }

    case 'SuperviseProposal': {
      requireStatus(s, HANDLING, 'supervise');
      return [{ type: 'ProposalSupervised', data: { key: cmd.data.key, ...opt('note', cmd.data.note) } }];
    }

    case 'PublishAnswer': {
      const latest = latestAnswer(s);
      if (!latest) throw new IllegalTransition(`proposal ${s.id} has no answer to publish`);
      if (!latest.publish) throw new IllegalTransition(`the answer was withheld from publication: ${latest.withholdReason}`);
      if (s.publishedAnswer === s.answers.length) throw new IllegalTransition('the latest answer is already published');
      return [{ type: 'AnswerPublished', data: { answerNumber: s.answers.length } }];
    }

    case 'EscalateProposal':
      return escalate(cmd, s, ctx);

    default:
      return assertNever(cmd, 'proposal command');
  }
}

/**
 * 超期督办 (docs/domain.md, "Reminders and escalation"): an open proposal overdue by `afterDays` or more is flagged
 * for supervision, once per due date; asked again for the same due date, nothing happens.
 */
function escalate(cmd: ProposalCommandOf<'EscalateProposal'>, s: ProposalState, ctx: ProposalContext): ProposalEvent[] {
  requireStatus(s, ['assigned', 'reopened'], 'escalate');
  const { dueDate, afterDays } = cmd.data;
  if (s.dueDate !== dueDate) throw new IllegalTransition(`proposal ${s.id} is now due on ${s.dueDate ?? 'no date'}, not ${dueDate}`, 'dueDate');
  if (s.escalatedFor === dueDate) return [];
  const daysOverdue = daysBetween(dueDate, businessDate(ctx.occurredAt, ctx.utcOffsetMinutes));
  if (daysOverdue < afterDays) throw new IllegalTransition(`proposal ${s.id} is ${Math.max(0, daysOverdue)} days overdue, not yet ${afterDays}`);
  return [{ type: 'ProposalEscalated', data: { dueDate, daysOverdue } }];
}

/**
 * The rules of one proposal: given its state and a command, the events that happen — or a typed refusal.
 * Pure: the clock, the ids and the other streams it depends on come in through `ctx`.
 */
export function decideProposal(cmd: ProposalCommand, state: ProposalState | null, ctx: ProposalContext): ProposalEvent[] {
  authorizeProposalCommand(cmd.type, state, ctx.actor);
  if (state === null) {
    if (cmd.type !== 'FileProposal') throw new NotFound('no such proposal');
    return fileProposal(cmd, ctx);
  }
  if (ctx.occurredAt < state.lastOccurredAt)
    throw new IllegalTransition(
      `occurredAt ${ctx.occurredAt} is before the proposal's previous step (${state.lastOccurredAt})`,
      'occurredAt',
    );
  return decideExisting(cmd, state, ctx);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Leaves optional fields out of event data instead of storing `undefined`. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
