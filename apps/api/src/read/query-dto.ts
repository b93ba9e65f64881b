import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { CATEGORIES, keysOf, SESSION_ID, type Category, type ProposalStatus } from '@app/proposals';
import { SORTABLE, type ProposalListQuery } from '@app/projections';

/** `true` / `false` in a query string. */
const QueryBoolean = () =>
  applyDecorators(
    Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean({ message: '$property must be true or false' }),
  );
const QueryInt = (min: number, max: number) => applyDecorators(Type(() => Number), IsInt(), Min(min), Max(max));
const SessionId = () => applyDecorators(IsString(), Matches(SESSION_ID, { message: '$property must look like 6-3' }));
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Any query may ask to wait until the read models have caught up with a command's position. */
export class ReadQuery {
  @IsOptional() @QueryInt(0, Number.MAX_SAFE_INTEGER) minPosition?: number;
}

export class PagedQuery extends ReadQuery {
  @IsOptional() @QueryInt(1, 100_000) page?: number;
  @IsOptional() @QueryInt(1, 200) pageSize?: number;
}

const STATUSES: ProposalStatus[] = ['filed', 'registered', 'declined', 'assigned', 'answered', 'reopened'];

export class ListProposalsQuery extends PagedQuery {
  @IsOptional() @SessionId() session?: string;
  @IsOptional() @IsIn(STATUSES) status?: ProposalStatus;
  @IsOptional() @IsString() @MaxLength(100) leadUnit?: string;
  @IsOptional() @IsIn(keysOf(CATEGORIES)) category?: Category;
  @IsOptional() @QueryBoolean() overdue?: boolean;
  @IsOptional() @QueryBoolean() key?: boolean;
  @IsOptional() @QueryBoolean() claimed?: boolean;
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @IsIn(SORTABLE.flatMap((f) => [f, `-${f}`])) sort?: ProposalListQuery['sort'];
}

export class StatisticsQuery extends ReadQuery {
  @IsOptional() @IsString() @Matches(DATE, { message: 'asOf must be a date YYYY-MM-DD' }) asOf?: string;
}

export class YearOverYearQuery extends ReadQuery {
  @IsString() @Matches(/^[1-9]\d{0,2}-[1-9]\d{0,2}(,[1-9]\d{0,2}-[1-9]\d{0,2}){0,19}$/, { message: 'sessions must be session ids separated by commas, such as 6-1,6-2,6-3' })
  sessions!: string;
  @IsOptional() @IsString() @Matches(DATE, { message: 'asOf must be a date YYYY-MM-DD' }) asOf?: string;
}

export class UnitsQuery extends ReadQuery {
  @SessionId() session!: string;
}

export class PublicAnswersQuery extends PagedQuery {
  @IsOptional() @SessionId() session?: string;
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'tenant must be lower-case letters, digits and dashes' }) tenant?: string;
}

export class OverdueQuery extends ReadQuery {
  @IsOptional() @SessionId() session?: string;
}

export class DueSoonQuery extends OverdueQuery {
  @IsOptional() @QueryInt(0, 366) days?: number;
}

export class AuditQueryDto extends PagedQuery {
  @IsOptional() @IsString() @MaxLength(128) actor?: string;
  @IsOptional() @IsString() @MaxLength(100) unit?: string;
  @IsOptional() @IsString() @MaxLength(128) recorder?: string;
  @IsOptional() @IsString() @MaxLength(100) type?: string;
  @IsOptional() @IsString() @MaxLength(64) proposal?: string;
  @IsOptional() @IsIn(['occurred', 'recorded']) time?: 'occurred' | 'recorded';
  @IsOptional() @IsString() @Matches(/^\d{4}-\d{2}-\d{2}(T.+)?$/, { message: 'from must be a date or an ISO instant' }) from?: string;
  @IsOptional() @IsString() @Matches(/^\d{4}-\d{2}-\d{2}(T.+)?$/, { message: 'to must be a date or an ISO instant' }) to?: string;
  @IsOptional() @QueryInt(0, 36_500) recordedLaterThanDays?: number;
}
