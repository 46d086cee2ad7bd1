import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import { canSeeRegion } from '../auth/scope.ts';
import type { AuthContext } from '../http/types.ts';
import type { AuditLog } from '../audit/audit-log.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const listQuerySchema = z.strictObject({ communityId: idSchema.optional() });

/**
 * 关爱对象: read only by community staff (and admins) whose region holds the
 * household; every read, list or single, is written to the audit log.
 */
export function careRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  audit: AuditLog;
}): Router {
  const router = Router();
  const reader = (auth: AuthContext | undefined) => requireRole(auth, ['COMMUNITY_STAFF', 'ADMIN']);

  router.get('/care-recipients', async (req, res) => {
    const auth = reader(req.auth);
    const { communityId } = parseOr400(listQuerySchema, req.query, 'query');
    const community = communityId ?? auth.user.regionId;
    if (community === null || !canSeeRegion(auth, community, deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This community is outside your region');
    }
    const rows = await deps.prisma.careRecipient.findMany({
      where: { communityId: community },
      include: { devices: { select: { id: true, active: true, lastSeenAt: true } } },
      orderBy: { id: 'asc' },
    });
    await deps.audit.record({
      actorId: auth.user.id,
      action: 'read',
      entity: 'care_recipient',
      entityId: null,
      details: { communityId: community, ids: rows.map((row) => row.id) },
      ip: req.ip ?? null,
    });
    res.json({ careRecipients: rows });
  });

  router.get('/care-recipients/:id', async (req, res) => {
    const auth = reader(req.auth);
    const id = parseOr400(idSchema, req.params.id, 'care recipient id');
    const row = await deps.prisma.careRecipient.findUnique({
      where: { id },
      include: { devices: { select: { id: true, active: true, lastSeenAt: true } } },
    });
    if (!row) throw notFound('Care recipient');
    if (!canSeeRegion(auth, row.communityId, deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This household is outside your region');
    }
    await deps.audit.record({
      actorId: auth.user.id,
      action: 'read',
      entity: 'care_recipient',
      entityId: String(id),
      ip: req.ip ?? null,
    });
    res.json({ careRecipient: row });
  });

  return router;
}
