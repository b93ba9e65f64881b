import {
  ATTITUDES,
  CATEGORIES,
  DECLINE_REASONS,
  eventCodec,
  RESULT_CATEGORIES,
  ROLE_LABELS,
  STATUS_LABELS,
  STEP_LABELS,
  STORED_TYPES,
  UNIT_KINDS,
  VISIT_FORMS,
  VISIT_STAGES,
  VISITOR_RANKS,
  type Actor,
  type DomainEventType,
  type EventMetadata,
} from '@app/proposals';
import { memberNameIn, namesOf, NO_NAMES, unitNameIn, type NamesAtTheTime } from './names.js';
import type { ListedProposal, ProposalDoc } from './proposals/proposal-doc.js';

/**
 * How the read side shows what it stores, in one place: the read models keep codes and UTC instants; a reader gets
 * beside each code its Chinese label (`status: "answered", statusLabel: "已答复"`), beside each instant the same
 * moment in business time and its business date (`at`, `atLocal: "2019-04-15T10:00:00+08:00"`, `atDate:
 * "2019-04-15"`), and beside each unit code or member id the name it had at the time (from the events' metadata,
 * the code itself on steps recorded before the directory). Labels and local times are computed here when read, so
 * a changed label or business offset needs no rebuild.
 */

// ---------------------------------------------------------------------------------------------------------------
// Business time

/** `+08:00` for 480 minutes east of UTC, `-05:30`, `+00:00`. */
export function offsetText(utcOffsetMinutes: number): string {
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(utcOffsetMinutes);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The instant as business (wall-clock) time with its offset: `2019-04-15T02:00:00Z` at +08:00 is
 * `2019-04-15T10:00:00+08:00`. Milliseconds only when there are some (a paper record dated by its day is stored as
 * the day's last millisecond: `…T23:59:59.999+08:00`). A value that is no instant is shown as it is.
 */
export function localTime(instant: string, utcOffsetMinutes: number): string {
  return localParts(instant, utcOffsetMinutes).local;
}

/** The business date of an instant, or the value as it is when it is no instant. */
export const localDate = (instant: string, utcOffsetMinutes: number): string => localParts(instant, utcOffsetMinutes).date;

/** The offset texts of the offsets met, a handful at most (one per jurisdiction's calendar). */
const offsetTexts = new Map<number, string>();

/**
 * `localTime` and `localDate` of one instant, parsed once (a list shows three instants of each of its rows): the
 * wall-clock ISO text and its date part, `businessDate`'s.
 */
function localParts(instant: string, utcOffsetMinutes: number): { readonly local: string; readonly date: string } {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return { local: instant, date: instant };
  const wall = new Date(ms + utcOffsetMinutes * 60_000).toISOString();
  const millis = wall.slice(19, 23);
  let offset = offsetTexts.get(utcOffsetMinutes);
  if (offset === undefined) {
    offset = offsetText(utcOffsetMinutes);
    if (offsetTexts.size < 64) offsetTexts.set(utcOffsetMinutes, offset);
  }
  return { local: `${wall.slice(0, 19)}${millis === '.000' ? '' : millis}${offset}`, date: wall.slice(0, 10) };
}

export type Timed<K extends string> = { readonly [P in K | `${K}Local` | `${K}Date`]: string };
export type MaybeTimed<K extends string> = { readonly [P in K | `${K}Local` | `${K}Date`]: string | null };

/** `{ at, atLocal, atDate }` for `timed('at', …)`: the UTC instant, then the same moment in business time. */
export function timed<K extends string>(key: K, instant: string, utcOffsetMinutes: number): Timed<K> {
  const { local, date } = localParts(instant, utcOffsetMinutes);
  return { [key]: instant, [`${key}Local`]: local, [`${key}Date`]: date } as Timed<K>;
}

export function maybeTimed<K extends string>(key: K, instant: string | null | undefined, utcOffsetMinutes: number): MaybeTimed<K> {
  if (instant === null || instant === undefined) return { [key]: null, [`${key}Local`]: null, [`${key}Date`]: null } as MaybeTimed<K>;
  return timed(key, instant, utcOffsetMinutes);
}

// ---------------------------------------------------------------------------------------------------------------
// Labels

/** The label of a code in a closed list; an unknown code is shown as itself, a missing one as null. */
export function labelOf(table: Readonly<Record<string, string>>, code: string): string;
export function labelOf(table: Readonly<Record<string, string>>, code: string | null | undefined): string | null;
export function labelOf(table: Readonly<Record<string, string>>, code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  return Object.hasOwn(table, code) ? table[code] : code;
}

const STEP_OF_STORED_TYPE = new Map<string, DomainEventType>(
  (Object.keys(STORED_TYPES) as DomainEventType[]).flatMap((step) => eventCodec.storedTypesOf(step).map((stored) => [stored, step] as const)),
);

/** The domain step of a stored event type, older versions included; null for a type this application does not know. */
export const stepOf = (storedType: string): DomainEventType | null => STEP_OF_STORED_TYPE.get(storedType) ?? null;

/** The Chinese label of a stored event type (`proposal.answered.v1` → 答复); an unknown type is shown as itself. */
export const stepLabelOf = (storedType: string): string => {
  const step = stepOf(storedType);
  return step === null ? storedType : STEP_LABELS[step];
};

const entries = (table: Readonly<Record<string, string>>) => Object.entries(table).map(([code, label]) => ({ code, label }));

/** Every code a client meets, with its label (GET /vocabulary). */
export function vocabulary() {
  return {
    statuses: entries(STATUS_LABELS),
    categories: entries(CATEGORIES),
    resultCategories: entries(RESULT_CATEGORIES),
    declineReasons: entries(DECLINE_REASONS),
    attitudes: entries(ATTITUDES),
    visitStages: entries(VISIT_STAGES),
    visitorRanks: entries(VISITOR_RANKS),
    visitForms: entries(VISIT_FORMS),
    unitKinds: entries(UNIT_KINDS),
    roles: entries(ROLE_LABELS),
    /** `code` is the step's domain name; `storedTypes` the stored event types it is read from, current first. */
    steps: (Object.keys(STEP_LABELS) as DomainEventType[]).map((code) => ({ code, label: STEP_LABELS[code], storedTypes: eventCodec.storedTypesOf(code) })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// People

export interface ActorView {
  readonly id: string;
  readonly role: string;
  readonly roleLabel: string;
  /** The name at the time: the directory's, else the one the person signed in with, else the id. */
  readonly name: string;
  readonly unit?: string;
  readonly unitName?: string;
}

export function actorView(actor: Actor, names: NamesAtTheTime | undefined): ActorView {
  return {
    id: actor.id,
    role: actor.role,
    roleLabel: labelOf(ROLE_LABELS, actor.role),
    name: memberNameIn(names, actor.id, actor.name),
    ...(actor.unit !== undefined ? { unit: actor.unit, unitName: unitNameIn(names, actor.unit) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// An event as a person reads it: the proposal's history and the audit trail

type FieldKind = 'unit' | 'units' | 'member' | 'members' | 'category' | 'result' | 'reason' | 'attitude' | 'stage' | 'rank' | 'form' | 'kind';

/** Which fields of each step's data are codes, and of what: their readable form goes beside the data. */
const CODED_FIELDS: Partial<Record<DomainEventType, Readonly<Record<string, FieldKind>>>> = {
  ProposalFiled: { category: 'category', invitedCoProposers: 'members' },
  CoProposerConfirmed: { member: 'member' },
  ProposalDeclined: { reason: 'reason' },
  ProposalAssigned: { leadUnit: 'unit', coUnits: 'units' },
  ReassignmentRequested: { unit: 'unit' },
  ProposalReassigned: { leadUnit: 'unit', coUnits: 'units', previousLeadUnit: 'unit' },
  ProposalVisited: { unit: 'unit', stage: 'stage', visitorRank: 'rank', form: 'form' },
  CoUnitOpinionSent: { unit: 'unit' },
  ProposalAnswered: { unit: 'unit', category: 'result' },
  FeedbackGiven: { member: 'member', attitude: 'attitude' },
  ProposalFollowedUp: { unit: 'unit' },
  SupervisionVisitRecorded: { unit: 'unit' },
  UnitRegistered: { code: 'unit', kind: 'kind' },
  UnitChanged: { code: 'unit', kind: 'kind' },
  UnitDeactivated: { code: 'unit', mergedInto: 'unit' },
  MemberRegistered: { id: 'member' },
  MemberChanged: { id: 'member' },
  MemberDeactivated: { id: 'member' },
  StaffAccountAdded: { unit: 'unit' },
};

const LABEL_TABLES: Partial<Record<FieldKind, Readonly<Record<string, string>>>> = {
  category: CATEGORIES,
  result: RESULT_CATEGORIES,
  reason: DECLINE_REASONS,
  attitude: ATTITUDES,
  stage: VISIT_STAGES,
  rank: VISITOR_RANKS,
  form: VISIT_FORMS,
  kind: UNIT_KINDS,
};

/**
 * The readable form of a step's coded fields, under the same keys as its data: `{ unit: "区发改委", category:
 * "解决或采纳" }` beside `data: { unit: "fgw", category: "A", … }`. The data itself stays as stored: it is what the
 * hash covers.
 */
export function labelsOfData(step: DomainEventType | null, data: unknown, names: NamesAtTheTime | undefined): Record<string, string | string[]> {
  const fields = step === null ? undefined : CODED_FIELDS[step];
  if (!fields || typeof data !== 'object' || data === null) return {};
  const values = data as Record<string, unknown>;
  const result: Record<string, string | string[]> = {};
  for (const [field, kind] of Object.entries(fields)) {
    const value = values[field];
    const one = (code: string): string => {
      if (kind === 'unit' || kind === 'units') return unitNameIn(names, code);
      if (kind === 'member' || kind === 'members') return memberNameIn(names, code);
      return labelOf(LABEL_TABLES[kind] ?? {}, code);
    };
    if (typeof value === 'string') result[field] = one(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) result[field] = value.map(one);
  }
  return result;
}

/** A proposal's number (null until registered) and title, shown on every entry of its history and audit trail. */
export interface ProposalHeading {
  readonly number: string | null;
  readonly title: string | null;
}

/** One stored event as the proposal's history shows it. */
export interface HistoryEntry extends ProposalHeading, Timed<'occurredAt'>, Timed<'recordedAt'> {
  readonly revision: number;
  readonly position: number;
  /** The stored type (`proposal.answered.v1`), its step (`ProposalAnswered`) and the step's label (答复). */
  readonly type: string;
  readonly step: DomainEventType | null;
  readonly stepLabel: string;
  /** As stored: what the hash covers. */
  readonly data: unknown;
  /** The readable form of the data's codes, under the same keys. */
  readonly labels: Record<string, string | string[]>;
  readonly actor: ActorView;
  /** The clerk who typed in a paper step, and `recordedAt` is when. */
  readonly recorder?: ActorView;
  readonly paper: boolean;
  readonly hash: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

export function historyEntry(
  e: { readonly revision: number; readonly position: number; readonly type: string; readonly data: unknown; readonly metadata: unknown },
  heading: ProposalHeading,
  utcOffsetMinutes: number,
): HistoryEntry {
  const m = e.metadata as EventMetadata;
  const names = namesOf(m);
  const step = stepOf(e.type);
  const current = step === null ? undefined : eventCodec.decode(e.type, e.data);
  return {
    revision: e.revision,
    position: e.position,
    number: heading.number,
    title: heading.title,
    type: e.type,
    step,
    stepLabel: stepLabelOf(e.type),
    data: e.data,
    labels: labelsOfData(step, current?.data ?? e.data, names),
    actor: actorView(m.actor, names),
    ...(m.recorder ? { recorder: actorView(m.recorder, names) } : {}),
    paper: m.recorder !== undefined,
    ...timed('occurredAt', m.occurredAt, utcOffsetMinutes),
    ...timed('recordedAt', m.recordedAt, utcOffsetMinutes),
    hash: m.hash,
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The proposals read model

/** One proposal in a list: enough to find it and see where its handling stands. */
export interface ProposalSummary extends Timed<'filedAt'>, Timed<'updatedAt'>, MaybeTimed<'escalatedAt'> {
  readonly id: string;
  readonly number: string | null;
  readonly session: string;
  readonly title: string;
  readonly category: string;
  readonly categoryLabel: string;
  /** Names of the members who joined (the filer first). */
  readonly proposers: readonly string[];
  readonly status: string;
  readonly statusLabel: string;
  readonly leadUnit: string | null;
  readonly leadUnitName: string | null;
  readonly coUnits: readonly string[];
  readonly coUnitNames: readonly string[];
  readonly dueDate: string | null;
  readonly overdue: boolean;
  readonly key: boolean;
  readonly claimed: boolean;
  readonly latestCategory: string | null;
  readonly latestCategoryLabel: string | null;
  readonly published: boolean;
  /** 超期督办: the service flagged it for supervision, overdue past its current due date. */
  readonly escalated: boolean;
}

const namesOfDoc = (doc: Pick<ProposalDoc, 'names'>): NamesAtTheTime => doc.names ?? NO_NAMES;

/**
 * Written out as one literal, keys in a fixed order: a list serializes thousands of these, and objects made of spreads
 * of computed keys (`...timed(…)`) are slower to build and to serialize.
 */
export function proposalSummary(doc: ListedProposal, overdue: boolean, utcOffsetMinutes: number): ProposalSummary {
  const names = namesOfDoc(doc);
  const escalatedAt = escalatedAtOf(doc);
  const escalated = escalatedAt === null ? null : localParts(escalatedAt, utcOffsetMinutes);
  const filed = localParts(doc.filedAt, utcOffsetMinutes);
  const updated = localParts(doc.updatedAt, utcOffsetMinutes);
  return {
    id: doc.proposalId,
    number: doc.number,
    session: doc.session,
    title: doc.title,
    category: doc.category,
    categoryLabel: labelOf(CATEGORIES, doc.category),
    proposers: doc.proposers.map((p) => memberNameIn(names, p.id, p.name)),
    status: doc.status,
    statusLabel: labelOf(STATUS_LABELS, doc.status),
    leadUnit: doc.leadUnit,
    leadUnitName: doc.leadUnit === null ? null : unitNameIn(names, doc.leadUnit),
    coUnits: doc.coUnits,
    coUnitNames: doc.coUnits.map((c) => unitNameIn(names, c)),
    dueDate: doc.dueDate,
    overdue,
    key: doc.key,
    claimed: doc.claimed,
    latestCategory: doc.latestCategory,
    latestCategoryLabel: labelOf(RESULT_CATEGORIES, doc.latestCategory),
    published: doc.published,
    escalated: escalatedAt !== null,
    escalatedAt,
    escalatedAtLocal: escalated && escalated.local,
    escalatedAtDate: escalated && escalated.date,
    filedAt: doc.filedAt,
    filedAtLocal: filed.local,
    filedAtDate: filed.date,
    updatedAt: doc.updatedAt,
    updatedAtLocal: updated.local,
    updatedAtDate: updated.date,
  };
}

/** Escalated for the due date in force: a later due date (re-negotiation, reassignment) starts afresh. */
function escalatedAtOf(doc: Pick<ProposalDoc, 'escalations' | 'dueDate'>): string | null {
  const escalations = doc.escalations ?? [];
  for (let i = escalations.length - 1; i >= 0; i--) if (escalations[i].dueDate === doc.dueDate) return escalations[i].at;
  return null;
}

const ASSIGNMENT_STEPS = { assigned: 'ProposalAssigned', reassigned: 'ProposalReassigned', renegotiated: 'ProposalRenegotiated' } as const;

/**
 * One proposal with every dated fact of its handling, readable: labels beside codes, business time beside
 * instants, names at the time beside unit codes and member ids.
 */
export function proposalView(doc: ProposalDoc, overdue: boolean, utcOffsetMinutes: number) {
  const names = namesOfDoc(doc);
  const at = (instant: string) => timed('at', instant, utcOffsetMinutes);
  const unit = (code: string, atTheTime?: string) => atTheTime ?? unitNameIn(names, code);
  const { tenant: _tenant, proposalId, names: _names, ...stored } = doc;
  return {
    ...stored,
    id: proposalId,
    body: doc.body ?? null,
    categoryLabel: labelOf(CATEGORIES, doc.category),
    statusLabel: labelOf(STATUS_LABELS, doc.status),
    overdue,
    proposers: doc.proposers.map((p) => ({ id: p.id, name: memberNameIn(names, p.id, p.name) })),
    invitedCoProposerNames: doc.invitedCoProposers.map((id) => memberNameIn(names, id)),
    leadUnitName: doc.leadUnit === null ? null : unit(doc.leadUnit),
    coUnitNames: doc.coUnits.map((c) => unit(c)),
    unitNames: doc.units.map((c) => unit(c)),
    ...maybeTimed('filedAt', doc.filedAt, utcOffsetMinutes),
    ...maybeTimed('withdrawnAt', doc.withdrawnAt, utcOffsetMinutes),
    ...maybeTimed('registeredAt', doc.registeredAt, utcOffsetMinutes),
    ...maybeTimed('declinedAt', doc.declinedAt, utcOffsetMinutes),
    decline: doc.decline && { ...doc.decline, reasonLabel: labelOf(DECLINE_REASONS, doc.decline.reason) },
    assignments: doc.assignments.map((a) => ({
      ...a,
      ...at(a.at),
      kindLabel: STEP_LABELS[ASSIGNMENT_STEPS[a.kind]],
      leadUnitName: unit(a.leadUnit, a.leadUnitName),
      coUnitNames: a.coUnits.map((c, i) => unit(c, a.coUnitNames?.[i])),
    })),
    reassignmentRequest: doc.reassignmentRequest && {
      ...doc.reassignmentRequest,
      ...at(doc.reassignmentRequest.at),
      unitName: unit(doc.reassignmentRequest.unit, doc.reassignmentRequest.unitName),
    },
    ...maybeTimed('claimedAt', doc.claimedAt, utcOffsetMinutes),
    keyMarks: doc.keyMarks.map((k) => ({ ...k, ...at(k.at) })),
    visits: doc.visits.map((v) => ({
      ...v,
      ...at(v.at),
      unitName: unit(v.unit, v.unitName),
      stageLabel: labelOf(VISIT_STAGES, v.stage),
      visitorRankLabel: labelOf(VISITOR_RANKS, v.visitorRank),
      formLabel: labelOf(VISIT_FORMS, v.form),
    })),
    coUnitOpinions: doc.coUnitOpinions.map((o) => ({ ...o, ...at(o.at), unitName: unit(o.unit, o.unitName) })),
    answers: doc.answers.map((a) => ({ ...a, ...at(a.at), unitName: unit(a.unit, a.unitName), categoryLabel: labelOf(RESULT_CATEGORIES, a.category) })),
    latestCategoryLabel: labelOf(RESULT_CATEGORIES, doc.latestCategory),
    feedback: doc.feedback.map((f) => ({
      ...f,
      ...at(f.at),
      memberName: f.memberName ?? memberNameIn(names, f.member, doc.proposers.find((p) => p.id === f.member)?.name),
      attitudeLabel: labelOf(ATTITUDES, f.attitude),
    })),
    followUps: doc.followUps.map((f) => ({ ...f, ...at(f.at), ...(f.unit !== undefined ? { unitName: unit(f.unit, f.unitName) } : {}) })),
    publications: doc.publications.map((p) => ({ ...p, ...at(p.at) })),
    paperRecords: (doc.paperRecords ?? []).map((p) => ({
      ...p,
      stepLabel: stepLabelOf(p.type),
      ...at(p.at),
      ...timed('recordedAt', p.recordedAt, utcOffsetMinutes),
      recorder: { ...p.recorder, name: memberNameIn(names, p.recorder.id, p.recorder.name) },
    })),
    ...maybeTimed('publishedAt', doc.publishedAt, utcOffsetMinutes),
    ...timed('updatedAt', doc.updatedAt, utcOffsetMinutes),
  };
}
export type ProposalView = ReturnType<typeof proposalView>;
