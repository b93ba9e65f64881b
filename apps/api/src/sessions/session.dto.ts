import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { SESSION_ID } from '@app/proposals';
import { CommandBody, IfGiven, Text, UnitName } from '../http/command-body.js';

export class OpenSessionDto extends CommandBody {
  @IsString() @Matches(SESSION_ID, { message: 'id must look like 6-3 (committee-session)' }) id!: string;
  @Text(200) name!: string;
  @IsInt() @Min(1949) @Max(2999) year!: number;
  @IfGiven() @IsInt() @Min(1) @Max(366) answerLimitDays?: number;
}

export class SupervisionVisitDto extends CommandBody {
  @UnitName() unit!: string;
  @IfGiven() @Text(2000) note?: string;
}
