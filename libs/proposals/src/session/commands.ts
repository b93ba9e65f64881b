export type SessionCommand =
  | { type: 'OpenSession'; data: { id: string; name: string; year: number; answerLimitDays?: number } }
  | { type: 'RecordSupervisionVisit'; data: { unit: string; note?: string } }
  /** Issued by registration, never from outside: keeps a number unique within its session. */
  | { type: 'ReserveProposalNumber'; data: { proposalId: string; number: string } };

export type SessionCommandType = SessionCommand['type'];
