import { Controller, Get, Header } from '@nestjs/common';
import { eventSchemaDocument } from '@app/proposals';
import { Public } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';

/**
 * The contract of the stored events for subscribers (docs/events.md): one JSON Schema document with the schema of
 * every stored type and version, data and metadata. Public, like GET /vocabulary: it describes the events' shape
 * and holds no data; the events themselves stay behind the feed's roles.
 */
@Controller('events')
export class EventsController {
  private readonly document = JSON.stringify(eventSchemaDocument());

  @Public()
  @Get('schemas')
  @Answers('EventSchemas', { contentType: 'application/schema+json' })
  @Header('content-type', 'application/schema+json; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  schemas(): string {
    return this.document;
  }
}
