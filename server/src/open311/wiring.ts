import type { Router, ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import type { PrismaClient } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import { CategoryPinyin } from '../categories/pinyin.ts';
import type { CategoryCatalog, Clock } from '../tickets/ports.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import { open311AdminRouter } from './admin-routes.ts';
import { Open311ApiKeys } from './api-keys.ts';
import { open311ErrorHandler } from './errors.ts';
import { Open311Service } from './open311-service.ts';
import { Open311RequestRepository } from './request-repository.ts';
import { open311Router } from './routes.ts';

export interface Open311Module {
  /** /open311/v2/… (a root router). */
  router: Router;
  /** /admin/open311/keys… (mounted under /api). */
  adminRouter: Router;
  /** Answers errors under /open311 in the Open311 shape; mount before the app's own. */
  errorHandler: ErrorRequestHandler;
}

export function createOpen311(deps: {
  prisma: PrismaClient;
  catalog: CategoryCatalog;
  tickets: TicketService;
  audit: AuditLog;
  clock: Clock;
  jurisdiction: string;
  logger: Logger;
}): Open311Module {
  const apiKeys = new Open311ApiKeys({ prisma: deps.prisma, audit: deps.audit, clock: deps.clock });
  const service = new Open311Service({
    catalog: deps.catalog,
    pinyin: new CategoryPinyin(),
    intake: deps.tickets,
    requests: new Open311RequestRepository(deps.prisma),
    apiKeys,
    jurisdiction: deps.jurisdiction,
    clock: deps.clock,
  });
  return {
    router: open311Router({ service }),
    adminRouter: open311AdminRouter({ apiKeys }),
    errorHandler: open311ErrorHandler(deps.logger),
  };
}
