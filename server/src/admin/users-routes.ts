import { Router } from 'express';
import { z } from 'zod';
import { ROLES, userListQuerySchema, type AdminUserDto } from '@gridline/core';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SessionRepository } from '../auth/session-repository.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const userPatchSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(60).optional(),
    role: z.enum(ROLES).optional(),
    regionId: idSchema.nullable().optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{4,19}$/)
      .nullable()
      .optional(),
    active: z.boolean().optional(),
    onDuty: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
const auditQuerySchema = z.strictObject({
  entity: z.string().max(40).optional(),
  entityId: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries older than this id (the next page). */
  before: idSchema.optional(),
});

/** Admin changes to users, each audited with the values before and after; and the audit log itself. */
export function adminUsersRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  sessions: SessionRepository;
  audit: AuditLog;
  onSessionRevoked: (sessionId: string) => void;
}): Router {
  const router = Router();

  router.patch('/admin/users/:id', async (req, res) => {
    const auth = requireRole(req.auth, ['ADMIN']);
    const id = parseOr400(idSchema, req.params.id, 'user id');
    const patch = parseOr400(userPatchSchema, req.body);
    if (
      patch.regionId !== undefined &&
      patch.regionId !== null &&
      !deps.regions().get(patch.regionId)
    ) {
      throw new HttpError('UNPROCESSABLE', 'No such region', [
        { path: 'regionId', message: 'unknown region' },
      ]);
    }
    const fields = {
      id: true,
      displayName: true,
      role: true,
      regionId: true,
      phone: true,
      active: true,
      onDuty: true,
    } as const;
    const updated = await deps.prisma.$transaction(async (tx) => {
      const before = await tx.user.findUnique({ where: { id }, select: fields });
      if (!before) throw notFound('User');
      const after = await tx.user.update({ where: { id }, data: patch, select: fields });
      await deps.audit.record(
        {
          actorId: auth.user.id,
          action: 'update',
          entity: 'user',
          entityId: String(id),
          details: { before, after },
          ip: req.ip ?? null,
        },
        tx,
      );
      return after;
    });
    if (patch.active === false) {
      for (const sessionId of await deps.sessions.revokeAllOf(id)) deps.onSessionRevoked(sessionId);
    } else {
      // Cached sessions carry the user's role and home region: read them afresh.
      deps.sessions.invalidate();
    }
    res.json({ user: updated });
  });

  router.get('/admin/users', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    const query = parseOr400(userListQuerySchema, req.query, 'query');
    let regionIds: number[] | undefined;
    if (query.regionId !== undefined) {
      if (!deps.regions().get(query.regionId)) throw notFound('Region');
      const rows = await deps.prisma.$queryRaw<{ id: number }[]>`
        WITH RECURSIVE sub AS (
          SELECT id FROM regions WHERE id = ${query.regionId}
          UNION ALL
          SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id
        )
        SELECT id FROM sub`;
      regionIds = rows.map((row) => row.id);
    }
    const text = query.query === undefined || query.query === '' ? undefined : query.query;
    const rows = await deps.prisma.user.findMany({
      where: {
        role: query.role,
        regionId: regionIds ? { in: regionIds } : undefined,
        id: query.cursor === undefined ? undefined : { gt: query.cursor },
        OR: text
          ? [
              { username: { contains: text, mode: 'insensitive' } },
              { displayName: { contains: text, mode: 'insensitive' } },
              { phone: { contains: text } },
            ]
          : undefined,
      },
      select: {
        id: true,
        username: true,
        displayName: true,
        role: true,
        regionId: true,
        phone: true,
        active: true,
        onDuty: true,
        region: { select: { name: true, level: true } },
      },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const users: AdminUserDto[] = page.map(({ region, ...user }) => ({
      ...user,
      regionName: region?.name ?? null,
      regionLevel: region?.level ?? null,
    }));
    res.json({ users, nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null });
  });

  router.get('/admin/audit', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    const query = parseOr400(auditQuerySchema, req.query, 'query');
    const entries = await deps.prisma.auditLog.findMany({
      where: { entity: query.entity, entityId: query.entityId },
      include: { actor: { select: { username: true } } },
      orderBy: { id: 'desc' },
      take: query.limit,
      cursor: query.before === undefined ? undefined : { id: query.before },
      skip: query.before === undefined ? undefined : 1,
    });
    res.json({
      entries: entries.map(({ actor, ...entry }) => ({
        ...entry,
        actorUsername: actor?.username ?? null,
      })),
    });
  });

  return router;
}
