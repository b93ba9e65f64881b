import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, MaxLength, Min } from 'class-validator';
import type { DeliveryStatus } from '@app/webhooks';
import { IfGiven, Text } from '../http/command-body.js';
import { PagedQuery } from '../read/query-dto.js';

/** A subscription: where to, which events (stored types or prefixes of them; none: every event), and its secret. */
export class CreateWebhookDto {
  @IsString() @MaxLength(2000) url!: string;
  @IfGiven() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(100, { each: true }) types?: string[];
  @IfGiven() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(100, { each: true }) prefixes?: string[];
  /** 16 to 256 visible ASCII characters; when none is given, one is made and answered once. */
  @IfGiven() @IsString() @MaxLength(256) secret?: string;
  @IfGiven() @Text(200) description?: string;
  /** Deliver the events after this position of the log: 0 for all of them; by default, from now on. */
  @IfGiven() @IsInt() @Min(0) fromPosition?: number;
}

/** Pausing, resuming or retrying a subscription: why, for the operators who read it later. */
export class WebhookStepDto {
  @IfGiven() @Text(200) reason?: string;
}

export class DeliveriesQuery extends PagedQuery {
  @IfGiven() @IsIn(['delivered', 'retrying', 'dead']) status?: DeliveryStatus;
}
