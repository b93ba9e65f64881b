/** The session stream: one plenary session of the committee (e.g. `6-3`, 六届三次会议). */
export type SessionEvent =
  | { type: 'SessionOpened'; data: { sessionId: string; name: string; year: number; answerLimitDays: number } }
  /** Registration numbers are unique within a session; the session stream is where that is decided. */
  | { type: 'ProposalNumberReserved'; data: { number: string; proposalId: string } }
  | { type: 'SupervisionVisitRecorded'; data: { unit: string; note?: string } };

export type SessionEventType = SessionEvent['type'];
