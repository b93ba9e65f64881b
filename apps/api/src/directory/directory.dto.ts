import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { keysOf, UNIT_KINDS, type UnitKind } from '@app/proposals';
import { CalendarDate, CommandBody, IfGiven, Text, UnitName } from '../http/command-body.js';

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
const PERSON = /^[\x21-\x7e]{1,128}$/;
const Terms = () =>
  applyDecorators(IsArray(), ArrayMaxSize(20), Matches(/^[1-9]\d{0,2}$/, { each: true, message: 'each value in terms must be a committee number such as 6' }));

export class UnitDto extends CommandBody {
  @trim() @IsString() @Matches(/^[a-z][a-z0-9-]{1,31}$/, { message: 'code must be 2 to 32 lower-case letters, digits and dashes, starting with a letter' }) code!: string;
  @Text(100) fullName!: string;
  @Text(40) shortName!: string;
  @IsIn(keysOf(UNIT_KINDS)) kind!: UnitKind;
  @IfGiven() @IsString() @CalendarDate() activeFrom?: string;
}

export class UnitChangeDto extends CommandBody {
  @IfGiven() @Text(100) fullName?: string;
  @IfGiven() @Text(40) shortName?: string;
  @IfGiven() @IsIn(keysOf(UNIT_KINDS)) kind?: UnitKind;
}

export class UnitDeactivationDto extends CommandBody {
  @IfGiven() @IsString() @CalendarDate() activeUntil?: string;
  @IfGiven() @UnitName() mergedInto?: string;
}

export class MemberDto extends CommandBody {
  @trim() @IsString() @Matches(PERSON, { message: 'id must be 1 to 128 visible ASCII characters' }) id!: string;
  @Text(40) name!: string;
  @Text(40) sector!: string;
  @IfGiven() @Text(40) group?: string;
  @Terms() terms!: string[];
}

export class MemberChangeDto extends CommandBody {
  @IfGiven() @Text(40) name?: string;
  @IfGiven() @Text(40) sector?: string;
  @IfGiven() @Text(40) group?: string;
  @IfGiven() @Terms() terms?: string[];
}

export class MemberDeactivationDto extends CommandBody {
  @IfGiven() @IsString() @CalendarDate() activeUntil?: string;
}

export class StaffAccountDto extends CommandBody {
  @trim() @IsString() @Matches(PERSON, { message: 'sub must be 1 to 128 visible ASCII characters' }) sub!: string;
  @UnitName() unit!: string;
  @IfGiven() @Text(40) name?: string;
}

class UnitRowDto {
  @trim() @IsString() @MaxLength(64) code!: string;
  @IsString() @MaxLength(200) fullName!: string;
  @IsString() @MaxLength(200) shortName!: string;
  @IsString() @MaxLength(40) kind!: UnitKind;
  @IfGiven() @IsString() @MaxLength(10) activeFrom?: string;
}

class MemberRowDto {
  @trim() @IsString() @MaxLength(128) id!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsString() @MaxLength(200) sector!: string;
  @IfGiven() @IsString() @MaxLength(200) group?: string;
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) terms!: string[];
}

/** A whole list at once: the domain checks every row and names the bad one (`units[3].code`). */
export class DirectoryImportDto extends CommandBody {
  @IfGiven() @IsArray() @ArrayMaxSize(5_000) @ValidateNested({ each: true }) @Type(() => UnitRowDto) units?: UnitRowDto[];
  @IfGiven() @IsArray() @ArrayMaxSize(5_000) @ValidateNested({ each: true }) @Type(() => MemberRowDto) members?: MemberRowDto[];
}
