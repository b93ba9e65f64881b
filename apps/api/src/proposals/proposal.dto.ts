import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  ATTITUDES,
  CATEGORIES,
  DECLINE_REASONS,
  keysOf,
  RESULT_CATEGORIES,
  SESSION_ID,
  VISIT_FORMS,
  VISIT_STAGES,
  VISITOR_RANKS,
  type Attitude,
  type Category,
  type DeclineReason,
  type ResultCategory,
  type VisitForm,
  type VisitorRank,
  type VisitStage,
} from '@app/proposals';
import { CalendarDate, CommandBody, IfGiven, Text, UnitName, UnitNames } from '../http/command-body.js';

const LONG_TEXT = 20_000;
const NOTE = 2_000;

export class FileProposalDto extends CommandBody {
  @IsString() @Matches(SESSION_ID, { message: 'session must look like 6-3 (committee-session)' }) session!: string;
  @Text(200) title!: string;
  @Text(LONG_TEXT) body!: string;
  @IsIn(keysOf(CATEGORIES)) category!: Category;
  /** Members asked to join (联名), by member id only: each joins by confirming, under the name of their own sign-in. */
  @IfGiven() @IsArray() @ArrayMaxSize(100)
  @Matches(/^[\x21-\x7e]{1,128}$/, { each: true, message: 'each value in coProposers must be a member id (1 to 128 visible ASCII characters)' })
  coProposers?: string[];
}

/** 撤案: why the lead proposer takes the proposal back. */
export class WithdrawalDto extends CommandBody {
  @Text(NOTE) reason!: string;
}

export class RegisterDto extends CommandBody {
  @IfGiven() @IsString() @Matches(/^[0-9A-Za-z][0-9A-Za-z-]{0,31}$/, { message: 'number must be letters, digits and dashes, at most 32' })
  number?: string;
}

export class DeclineDto extends CommandBody {
  @IsIn(keysOf(DECLINE_REASONS)) reason!: DeclineReason;
  @IfGiven() @IsString() @MaxLength(64) mergedInto?: string;
  @IfGiven() @Text(NOTE) note?: string;
}

export class AssignDto extends CommandBody {
  @UnitName() leadUnit!: string;
  @IfGiven() @IsArray() @ArrayMaxSize(20) @UnitNames() coUnits?: string[];
  @IfGiven() @IsString() @CalendarDate() dueDate?: string;
}

export class ReassignmentRequestDto extends CommandBody {
  @Text(NOTE) reason!: string;
}

export class EmptyCommandDto extends CommandBody {}

export class VisitDto extends CommandBody {
  @IsIn(keysOf(VISIT_STAGES)) stage!: VisitStage;
  @IsIn(keysOf(VISITOR_RANKS)) visitorRank!: VisitorRank;
  @IsIn(keysOf(VISIT_FORMS)) form!: VisitForm;
  @IfGiven() @Text(NOTE) note?: string;
}

export class CoUnitOpinionDto extends CommandBody {
  @Text(LONG_TEXT) opinion!: string;
}

export class AnswerDto extends CommandBody {
  @IsIn(keysOf(RESULT_CATEGORIES)) category!: ResultCategory;
  @Text(LONG_TEXT) text!: string;
  @IsBoolean() publish!: boolean;
  @IfGiven() @Text(NOTE) withholdReason?: string;
}

export class FeedbackDto extends CommandBody {
  @IsIn(keysOf(ATTITUDES)) attitude!: Attitude;
  @IsBoolean() agreesWithResult!: boolean;
  @IfGiven() @Text(NOTE) comment?: string;
}

export class RenegotiationDto extends CommandBody {
  @Text(NOTE) reason!: string;
  @IfGiven() @IsString() @CalendarDate() dueDate?: string;
}

export class FollowUpDto extends CommandBody {
  @Text(NOTE) note!: string;
  @IfGiven() @IsBoolean() substantiveProgress?: boolean;
}

export class SupervisionDto extends CommandBody {
  @IsBoolean() key!: boolean;
  @IfGiven() @Text(NOTE) note?: string;
}
