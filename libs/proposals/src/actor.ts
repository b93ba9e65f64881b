/** Who takes part (docs/domain.md, "Roles"). `service` is a machine reader of the event feed. */
export const ROLES = ['member', 'committee', 'office', 'unit', 'leader', 'auditor', 'clerk', 'service'] as const;
/** The service itself, acting on its schedule (reminders, escalation): the actor of its events, never a token's role. */
export const SYSTEM_ROLE = 'system';
export type Role = (typeof ROLES)[number] | typeof SYSTEM_ROLE;

export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** The handling unit a `unit` user belongs to. */
  readonly unit?: string;
  readonly name?: string;
}

/** Roles a clerk could ever record a paper step for. */
export const ON_BEHALF_ROLES = ['member', 'committee', 'office', 'unit', 'leader'] as const;
export type OnBehalfRole = (typeof ON_BEHALF_ROLES)[number];

/**
 * What a clerk records unless the deployment allows more (CLERK_MAY_RECORD_FOR): the paper steps of units (their
 * visits, opinions, signed answers) and of members (their filing and feedback forms). The office's and the
 * committee's own decisions are theirs to enter.
 */
export const DEFAULT_CLERK_ROLES: readonly OnBehalfRole[] = ['member', 'unit'];
