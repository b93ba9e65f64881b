import { Controller, Get, Inject, Query } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { listAnchors, type AnchorPage } from '@app/command-handling';
import type { Principal } from '@app/identity';
import { CurrentPrincipal } from '../http/auth.js';
import { Answers } from '../openapi/decorators.js';
import { PagedQuery } from '../read/query-dto.js';
import { requireRole } from '../read/roles.js';

/**
 * The anchors recorded of the caller's jurisdiction (docs/trail.md), newest first: each one whole (statement,
 * signature, leaves), to be saved as a file and given to `npm run verify -- --anchor`. They are read from the event
 * store, not the read models: an anchor is no projection of the trail but a signed statement about it. Auditors
 * only: they keep the copies that the files cannot take back.
 */
@Controller('trail')
export class TrailController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('anchors')
  @Answers('AnchorPage')
  anchors(@CurrentPrincipal() p: Principal, @Query() q: PagedQuery): Promise<AnchorPage> {
    requireRole(p, ['auditor'], 'the trail’s anchors');
    return listAnchors(this.store, p.tenant, q.page ?? 1, q.pageSize ?? 20);
  }
}
