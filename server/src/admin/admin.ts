import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import { adminCategoriesRouter } from './categories-routes.ts';
import { CategoryAdminService } from './category-service.ts';
import { AdminChangeBus, type AdminChange, type ReloadHandlers } from './change-bus.ts';
import { RegionAdminRepository } from './region-repository.ts';
import { RegionAdminService } from './region-service.ts';
import { adminRegionsRouter } from './regions-routes.ts';

export interface AdminModule {
  /** /admin/regions…, /admin/grids/:id, /admin/categories… (mounted under /api). */
  router: Router;
  /** Reload here and tell every other server process (see AdminChangeBus). */
  announce(change: AdminChange): Promise<void>;
  close(): Promise<void>;
}

/**
 * The admin API for regions, grids and categories, and the change bus that
 * makes every server process reload its region directory and category
 * catalogue after a change (`reload` says how, in this process).
 */
export async function createAdmin(deps: {
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  regions: () => RegionDirectory;
  audit: AuditLog;
  logger: Logger;
  reload: ReloadHandlers;
}): Promise<AdminModule> {
  const subscriber = deps.redis.duplicate();
  subscriber.on('error', (error) => deps.logger.warn({ err: error }, 'redis (admin bus) error'));
  const bus = new AdminChangeBus(
    deps.redis,
    subscriber,
    deps.redisPrefix,
    deps.reload,
    deps.logger,
  );
  // Not awaited: with Redis down the server still starts; the bus subscribes once Redis
  // answers, and its version check catches up on anything missed meanwhile.
  bus
    .start()
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'admin bus did not start'));
  const announce = (change: Parameters<AdminChangeBus['announce']>[0]) => bus.announce(change);
  const repository = new RegionAdminRepository(deps.prisma);
  const router = Router();
  router.use(
    adminRegionsRouter({
      regions: deps.regions,
      repository,
      service: new RegionAdminService({
        prisma: deps.prisma,
        repository,
        audit: deps.audit,
        regions: deps.regions,
        announce,
      }),
    }),
  );
  router.use(
    adminCategoriesRouter({
      service: new CategoryAdminService({ prisma: deps.prisma, audit: deps.audit, announce }),
    }),
  );
  return { router, announce, close: () => bus.close() };
}
