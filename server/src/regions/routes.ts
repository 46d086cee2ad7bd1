import { Router } from 'express';
import { z } from 'zod';
import { REGION_LEVELS } from '@gridline/core';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import { requireStaff } from '../auth/middleware.ts';
import { canSeeRegion } from '../auth/scope.ts';
import type { AuthContext } from '../http/types.ts';
import { assignableStaff, isAncestorOfHome, regionLoad } from './load-service.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const listQuerySchema = z.strictObject({
  level: z.enum(REGION_LEVELS).optional(),
  parentId: idSchema.optional(),
});

const loadQuerySchema = z.strictObject({
  level: z.enum(['DISTRICT', 'STREET', 'COMMUNITY', 'GRID']),
  parentId: idSchema.optional(),
});

export function regionsRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
}): Router {
  const router = Router();

  const toDto = (row: {
    id: number;
    code: string;
    name: string;
    nameEn: string | null;
    level: string;
    parentId: number | null;
    centroidLat: number | null;
    centroidLng: number | null;
    boundary: unknown;
  }) => ({
    id: row.id,
    code: row.code,
    name: row.name,
    nameEn: row.nameEn,
    level: row.level,
    parentId: row.parentId,
    centroid:
      row.centroidLat === null || row.centroidLng === null
        ? null
        : { lat: row.centroidLat, lng: row.centroidLng },
    boundary: row.boundary ?? null,
  });

  const visibleIds = (auth: AuthContext, directory: RegionDirectory, ids: number[]) =>
    ids.filter((id) => canSeeRegion(auth, id, directory) || isAncestorOfHome(auth, id, directory));

  router.get('/regions', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(listQuerySchema, req.query, 'query');
    const directory = deps.regions();
    const candidates = await deps.prisma.region.findMany({
      where: { level: query.level, parentId: query.parentId },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const ids = visibleIds(
      auth,
      directory,
      candidates.map((row) => row.id),
    );
    const rows = await deps.prisma.region.findMany({
      where: { id: { in: ids } },
      orderBy: { id: 'asc' },
    });
    res.json({ regions: rows.map(toDto) });
  });

  // Open and overdue counts per region, for shading the dispatcher's map.
  router.get('/regions/load', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(loadQuerySchema, req.query, 'query');
    const load = await regionLoad(deps.prisma, deps.regions(), auth, query, new Date());
    res.json({ load });
  });

  // Who a ticket in this region may be assigned to (the assign action's rule).
  router.get('/regions/:id/staff', async (req, res) => {
    const auth = requireStaff(req.auth);
    const id = parseOr400(idSchema, req.params.id, 'region id');
    res.json({ staff: await assignableStaff(deps.prisma, deps.regions(), auth, id) });
  });

  // Public: a community's outline, for a resident placing a report on the map.
  router.get('/communities/:id/outline', async (req, res) => {
    const id = parseOr400(idSchema, req.params.id, 'community id');
    const row = await deps.prisma.region.findUnique({ where: { id } });
    if (!row || row.level !== 'COMMUNITY') throw notFound('Community');
    res.setHeader('cache-control', 'public, max-age=3600');
    res.json({ region: toDto(row) });
  });

  router.get('/regions/:id', async (req, res) => {
    const auth = requireStaff(req.auth);
    const id = parseOr400(idSchema, req.params.id, 'region id');
    const directory = deps.regions();
    if (!directory.get(id)) throw notFound('Region');
    if (visibleIds(auth, directory, [id]).length === 0) {
      throw new HttpError('FORBIDDEN', 'This region is outside yours');
    }
    const row = await deps.prisma.region.findUnique({ where: { id } });
    if (!row) throw notFound('Region');
    res.json({ region: toDto(row) });
  });

  return router;
}
