import { Transform, Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsObject, IsString, Length, MaxLength, ValidateIf, ValidateNested, registerDecorator } from 'class-validator';
import { isCalendarDate } from '@app/proposals';
import { ON_BEHALF_ROLES } from '@app/proposals';
import { HasVisibleText } from './visible-text.js';

/**
 * An optional field: absent is fine, but a value that is given — null included — must be valid. (class-validator's
 * IsOptional lets null through, which would store nulls in events.)
 */
export const IfGiven = () => ValidateIf((_, value) => value !== undefined);

/** A calendar date YYYY-MM-DD that exists (not 2019-02-30). */
export const CalendarDate = () => (target: object, propertyName: string) =>
  registerDecorator({
    name: 'calendarDate',
    target: target.constructor,
    propertyName,
    options: { message: `${propertyName} must be a date YYYY-MM-DD that exists` },
    validator: { validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value) },
  });

/** A date, or an ISO 8601 instant, that exists. */
export const DateOrInstant = () => (target: object, propertyName: string) =>
  registerDecorator({
    name: 'dateOrInstant',
    target: target.constructor,
    propertyName,
    options: { message: `${propertyName} must be a date YYYY-MM-DD or an ISO 8601 instant` },
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) &&
        isCalendarDate(value.slice(0, 10)) &&
        !Number.isNaN(Date.parse(value)),
    },
  });

/** Text of at most `max` characters, some of them visible. */
export const Text = (max: number) => applyDecorators(IsString(), MaxLength(max), HasVisibleText());

const trimmed = (value: unknown): unknown =>
  typeof value === 'string' ? value.trim() : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

/** A unit's code in the directory (such as `fgw`), trimmed; the directory decides whether it knows it. */
export const UnitName = () => applyDecorators(Transform(({ value }) => trimmed(value)), Text(64));

/** A list of units' codes, each trimmed. */
export const UnitNames = () =>
  applyDecorators(
    Transform(({ value }) => trimmed(value)),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
    HasVisibleText({ each: true }),
  );

/** Whom a clerk records a paper step for. */
export class ActorRefDto {
  @IsString() @Length(1, 128) sub!: string;
  @IsIn(ON_BEHALF_ROLES) role!: (typeof ON_BEHALF_ROLES)[number];
  @IfGiven() @UnitName() unit?: string;
  @IfGiven() @Text(100) name?: string;
}

/** Fields any command body may carry: a clerk's paper record of someone else's step, and when it happened. */
export abstract class CommandBody {
  @IfGiven() @IsString() @MaxLength(40) occurredAt?: string;
  @IfGiven() @IsObject() @ValidateNested() @Type(() => ActorRefDto) onBehalfOf?: ActorRefDto;
}
