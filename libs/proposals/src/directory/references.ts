import type { Actor } from '../actor.js';
import { businessDate } from '../business-time.js';
import type { DomainEvent } from '../codec.js';
import { assertNever, Forbidden, ValidationFailed } from '../errors.js';
import type { EventNames } from '../metadata.js';
import type { Recording } from '../recording.js';
import { activeOn, type DirectoryState, type MemberEntry, type UnitEntry } from './state.js';

interface References {
  readonly units: readonly string[];
  readonly members: readonly string[];
}

const none: References = { units: [], members: [] };

/**
 * The units and members an event names, said for every event type (a new one does not compile until it says): the
 * directory resolves them, and the trail keeps their names as they were when the event was recorded.
 */
export function referencesOf(event: DomainEvent): References {
  switch (event.type) {
    case 'ProposalFiled':
      return { units: [], members: [...event.data.proposers.map((p) => p.id), ...event.data.invitedCoProposers] };
    case 'CoProposerConfirmed':
      return { units: [], members: [event.data.member] };
    case 'FeedbackGiven':
      return { units: [], members: [event.data.member] };
    case 'ProposalAssigned':
      return { units: [event.data.leadUnit, ...event.data.coUnits], members: [] };
    case 'ProposalReassigned':
      return { units: [event.data.leadUnit, ...event.data.coUnits, event.data.previousLeadUnit], members: [] };
    case 'ReassignmentRequested':
    case 'ProposalVisited':
    case 'CoUnitOpinionSent':
    case 'ProposalAnswered':
    case 'SupervisionVisitRecorded':
      return { units: [event.data.unit], members: [] };
    case 'ProposalFollowedUp':
      return { units: event.data.unit ? [event.data.unit] : [], members: [] };
    case 'ReminderIssued':
      return {
        units: event.data.recipients.flatMap((r) => (r.role === 'unit' ? [r.id] : [])),
        members: event.data.recipients.flatMap((r) => (r.role === 'member' ? [r.id] : [])),
      };
    case 'UnitRegistered':
    case 'UnitChanged':
      return { units: [event.data.code], members: [] };
    case 'UnitDeactivated':
      return { units: [event.data.code, ...(event.data.mergedInto ? [event.data.mergedInto] : [])], members: [] };
    case 'MemberRegistered':
    case 'MemberChanged':
    case 'MemberDeactivated':
      return { units: [], members: [event.data.id] };
    case 'StaffAccountAdded':
      return { units: [event.data.unit], members: [] };
    case 'ProposalWithdrawn':
    case 'ProposalRegistered':
    case 'ProposalDeclined':
    case 'ProposalClaimed':
    case 'ProposalRenegotiated':
    case 'ProposalSupervised':
    case 'AnswerPublished':
    case 'ProposalEscalated':
    case 'SessionOpened':
    case 'ProposalNumberReserved':
    case 'StaffAccountRemoved':
      return none;
    default:
      return assertNever(event, 'event');
  }
}

/**
 * The names the trail keeps beside the codes of one event and of who took and recorded its step: each unit's short
 * name and each member's name as the directory has them now — for the directory's own steps, as the step leaves
 * them (a rename is shown under its new name). Only what this event names: an import of many rows does not repeat
 * every name on every event.
 */
export function namesAt(directory: DirectoryState, event: DomainEvent, people: readonly (Actor | undefined)[]): EventNames {
  const units: Record<string, string> = {};
  const members: Record<string, string> = {};
  const unit = (code: string) => {
    const name = directory.units.get(code)?.shortName;
    if (name !== undefined) units[code] = name;
  };
  const member = (id: string) => {
    const name = directory.members.get(id)?.name;
    if (name !== undefined) members[id] = name;
  };
  const refs = referencesOf(event);
  refs.units.forEach(unit);
  refs.members.forEach(member);
  for (const person of people) {
    if (person?.unit) unit(person.unit);
    if (person?.role === 'member') member(person.id);
  }
  // A step of the directory itself names its entry as the step leaves it.
  if ((event.type === 'UnitRegistered' || event.type === 'UnitChanged') && event.data.shortName) units[event.data.code] = event.data.shortName;
  if ((event.type === 'MemberRegistered' || event.type === 'MemberChanged') && event.data.name) members[event.data.id] = event.data.name;
  return { units, members };
}

function problem(entry: { readonly activeFrom?: string; readonly activeUntil?: string } | undefined, what: string, date: string): string | undefined {
  if (!entry) return `no ${what} in the directory`;
  if (entry.activeUntil !== undefined && date >= entry.activeUntil) return `${what} is inactive since ${entry.activeUntil}`;
  if (!activeOn(entry, date)) return `${what} is active only from ${entry.activeFrom}`;
  return undefined;
}

/** A unit a command names: known to the directory and active on the step's business date, or a 400 naming the field. */
export function requireUnit(directory: DirectoryState, code: string, date: string, field: string): UnitEntry {
  const entry = directory.units.get(code);
  const wrong = problem(entry, `unit ${code}`, date);
  if (wrong) throw new ValidationFailed(wrong, field);
  return entry as UnitEntry;
}

/** A member a command names: known and active, or a 400 naming the field. */
export function requireMember(directory: DirectoryState, id: string, date: string, field: string): MemberEntry {
  const entry = directory.members.get(id);
  const wrong = problem(entry, `member ${id}`, date);
  if (wrong) throw new ValidationFailed(wrong, field);
  return entry as MemberEntry;
}

/**
 * Who takes the step must be in the directory: a unit user's unit (and, when the account is registered, the unit
 * it belongs to), a member. Signed in under an unknown unit or as an unknown member is a 403; a clerk's paper record
 * naming one is a 400 on the onBehalfOf field. The office's, the committee's and leaders' users are not in the
 * directory: their tokens are the authority.
 */
export function checkActor(directory: DirectoryState, recording: Recording, utcOffsetMinutes: number): void {
  const { actor, recorder } = recording;
  const date = businessDate(recording.occurredAt, utcOffsetMinutes);
  const refuse = (reason: string, field: string): never => {
    if (recorder) throw new ValidationFailed(reason, field);
    throw new Forbidden(`you are signed in as someone the directory does not know: ${reason}`);
  };
  if (actor.role === 'unit') {
    const code = actor.unit ?? '';
    const wrong = problem(directory.units.get(code), `unit ${code}`, date);
    if (wrong) refuse(wrong, 'onBehalfOf.unit');
    const account = directory.staff.get(actor.id);
    if (account && account.unit !== code) refuse(`account ${actor.id} belongs to unit ${account.unit}, not ${code}`, 'onBehalfOf.unit');
  } else if (actor.role === 'member') {
    const wrong = problem(directory.members.get(actor.id), `member ${actor.id}`, date);
    if (wrong) refuse(wrong, 'onBehalfOf.sub');
  }
}
