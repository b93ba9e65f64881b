import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { CATEGORIES, keysOf, SESSION_ID, STATUS_LABELS, type Category, type ProposalStatus } from '@app/proposals';
import { SORTABLE, type ProposalListQuery } from '@app/projections';
import { CalendarDate, DateOrInstant, IfGiven } from '../http/command-body.js';

/** `true` / `false` in a query string. */
const QueryBoolean = () =>
  applyDecorators(
    Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean({ message: '$property must be true or false' }),
  );
const QueryInt = (min: number, max: number) => applyDecorators(Type(() => Number), IsInt(), Min(min), Max(max));
const SessionId = () => applyDecorators(IsString(), Matches(SESSION_ID, { message: '$property must look like 6-3' }));

/** Any query may ask to wait until the read models have caught up with a command's position. */
export class ReadQuery {
  @IfGiven() @QueryInt(0, Number.MAX_SAFE_INTEGER) minPosition?: number;
}

export class PagedQuery extends ReadQuery {
  @IfGiven() @QueryInt(1, 100_000) page?: number;
  @IfGiven() @QueryInt(1, 200) pageSize?: number;
}

/** Every status of the one status machine: a new status is listable as soon as it has its label. */
const STATUSES: ProposalStatus[] = keysOf(STATUS_LABELS);

export class ListProposalsQuery extends PagedQuery {
  @IfGiven() @SessionId() session?: string;
  @IfGiven() @IsIn(STATUSES) status?: ProposalStatus;
  @IfGiven() @IsString() @MaxLength(100) leadUnit?: string;
  @IfGiven() @IsIn(keysOf(CATEGORIES)) category?: Category;
  @IfGiven() @QueryBoolean() overdue?: boolean;
  @IfGiven() @QueryBoolean() key?: boolean;
  @IfGiven() @QueryBoolean() claimed?: boolean;
  @IfGiven() @IsString() @MaxLength(100) q?: string;
  @IfGiven() @IsIn(SORTABLE.flatMap((f) => [f, `-${f}`])) sort?: ProposalListQuery['sort'];
}

export class StatisticsQuery extends ReadQuery {
  @IfGiven() @IsString() @CalendarDate() asOf?: string;
}

export class YearOverYearQuery extends ReadQuery {
  @IsString() @MaxLength(200, { message: 'sessions must name at most 20 sessions' })
  @Matches(/^[1-9]\d{0,2}-[1-9]\d{0,2}(,[1-9]\d{0,2}-[1-9]\d{0,2})*$/, { message: 'sessions must be session ids separated by commas, such as 6-1,6-2,6-3' })
  sessions!: string;
  @IfGiven() @IsString() @CalendarDate() asOf?: string;
}

export class UnitsQuery extends ReadQuery {
  @SessionId() session!: string;
}

export class PublicAnswersQuery extends PagedQuery {
  @IfGiven() @SessionId() session?: string;
  @IfGiven() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'tenant must be lower-case letters, digits and dashes' }) tenant?: string;
}

export class OverdueQuery extends ReadQuery {
  @IfGiven() @SessionId() session?: string;
}

export class DueSoonQuery extends OverdueQuery {
  @IfGiven() @QueryInt(0, 366) days?: number;
}

export class AuditQueryDto extends PagedQuery {
  @IfGiven() @IsString() @MaxLength(128) actor?: string;
  @IfGiven() @IsString() @MaxLength(100) unit?: string;
  @IfGiven() @IsString() @MaxLength(128) recorder?: string;
  @IfGiven() @IsString() @MaxLength(100) type?: string;
  @IfGiven() @IsString() @MaxLength(64) proposal?: string;
  @IfGiven() @IsIn(['occurred', 'recorded']) time?: 'occurred' | 'recorded';
  @IfGiven() @IsString() @DateOrInstant() from?: string;
  @IfGiven() @IsString() @DateOrInstant() to?: string;
  @IfGiven() @QueryInt(0, 36_500) recordedLaterThanDays?: number;
}
