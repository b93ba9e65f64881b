import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ON_BEHALF_ROLES } from '@app/proposals';

/** Non-blank text of at most `max` characters. */
export const Text = (max: number) =>
  applyDecorators(IsString(), MaxLength(max), Matches(/\S/, { message: '$property must not be blank' }));

/** A unit's name or code. */
export const UnitName = () => Text(100);

/** A list of units' names or codes. */
export const UnitNames = () =>
  applyDecorators(
    IsString({ each: true }),
    MaxLength(100, { each: true }),
    Matches(/\S/, { each: true, message: 'each value in $property must not be blank' }),
  );

/** Whom a clerk records a paper step for. */
export class ActorRefDto {
  @IsString() @Length(1, 128) sub!: string;
  @IsIn(ON_BEHALF_ROLES) role!: (typeof ON_BEHALF_ROLES)[number];
  @IsOptional() @UnitName() unit?: string;
  @IsOptional() @Text(100) name?: string;
}

/** Fields any command body may carry: a clerk's paper record of someone else's step, and when it happened. */
export abstract class CommandBody {
  @IsOptional() @IsString() @MaxLength(40) occurredAt?: string;
  @IsOptional() @ValidateNested() @Type(() => ActorRefDto) onBehalfOf?: ActorRefDto;
}
