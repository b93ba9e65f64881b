import type { components, paths } from './openapi';

/**
 * The shapes the page reads, named from the API's OpenAPI document (openapi.d.ts, generated at build): a changed
 * DTO or read model breaks the dashboard's type check, not its users.
 */
type Schemas = components['schemas'];
type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

export type Vocabulary = Schemas['Vocabulary'];
export type SessionList = Schemas['SessionList'];
export type SessionListItem = SessionList['items'][number];
export type SessionStatistics = Schemas['SessionStatistics'];
export type YearOverYear = Schemas['YearOverYear'];
export type ProposalSummary = Schemas['ProposalSummary'];
export type ProposalPage = Schemas['ProposalPage'];
export type Proposal = Schemas['Proposal'];
export type History = Schemas['History'];
export type HistoryEvent = History['events'][number];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type PublicAnswer = Schemas['PublicAnswer'];
export type UnitFigures = Schemas['UnitFiguresList'][number];
export type DirectoryUnit = Schemas['DirectoryUnit'];
export type Problem = Schemas['Problem'];
export type Ready = Schemas['Ready'];

export type SessionProgress = Schemas['SessionProgress'];
export type StreamVerification = Schemas['StreamVerification'];

export type ProposalsQuery = QueryOf<'/proposals'>;
export type AuditQuery = QueryOf<'/audit'>;
export type Role = HistoryEvent['actor']['role'];
export type Category = ProposalSummary['category'];
export type Status = ProposalSummary['status'];
