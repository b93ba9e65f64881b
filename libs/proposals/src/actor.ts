/** Who takes part (docs/domain.md, "Roles"). `service` is a machine reader of the event feed. */
export const ROLES = ['member', 'committee', 'office', 'unit', 'leader', 'auditor', 'clerk', 'service'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** The handling unit a `unit` user belongs to. */
  readonly unit?: string;
  readonly name?: string;
}

/** Roles whose users may act in place of the actor a clerk records for. */
export const ON_BEHALF_ROLES = ['member', 'committee', 'office', 'unit', 'leader'] as const;
