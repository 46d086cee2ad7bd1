import express, { Router } from 'express';
import { z } from 'zod';
import {
  GEOJSON_MEDIA_TYPE,
  REGION_IMPORT_MAX_BYTES,
  gridAssignmentPatchSchema,
  regionExportQuerySchema,
  regionListQuerySchema,
  type RegionFeatureCollection,
} from '@gridline/core';
import type { RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import { rejectUnstorableText } from '../http/storable-text.ts';
import type { RegionAdminRepository } from './region-repository.ts';
import type { RegionAdminService } from './region-service.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const importQuerySchema = z.strictObject({
  dryRun: z.enum(['1', '0', 'true', 'false']).optional(),
});

/**
 * The region import takes `Content-Type: application/geo+json` bodies of up to
 * 20 MB (this route only; the app-wide JSON parser stops at 100 kB and does not
 * read this media type). Small files may equally come as application/json.
 */
const geoJsonBody = express.json({ limit: REGION_IMPORT_MAX_BYTES, type: GEOJSON_MEDIA_TYPE });

/** Regions and grids for admins: export/import GeoJSON, list, and assign grid members. */
export function adminRegionsRouter(deps: {
  regions: () => RegionDirectory;
  repository: RegionAdminRepository;
  service: RegionAdminService;
}): Router {
  const router = Router();

  router.get('/admin/regions/export', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    const query = parseOr400(regionExportQuerySchema, req.query, 'query');
    if (query.parentId !== undefined && !deps.regions().get(query.parentId)) {
      throw notFound('Region');
    }
    const collection: RegionFeatureCollection = {
      type: 'FeatureCollection',
      features: await deps.repository.exportFeatures(query),
    };
    const parent = query.parentId === undefined ? 'all' : deps.regions().get(query.parentId)!.code;
    const name = `regions-${parent}-${(query.level ?? 'all').toLowerCase()}.geojson`;
    res.setHeader('content-type', `${GEOJSON_MEDIA_TYPE}; charset=utf-8`);
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    res.send(JSON.stringify(collection));
  });

  router.post(
    '/admin/regions/import',
    (req, _res, next) => {
      // Sign-in first, so nobody else can make the server read 20 MB.
      requireRole(req.auth, ['ADMIN']);
      next();
    },
    geoJsonBody,
    rejectUnstorableText,
    async (req, res) => {
      const auth = requireRole(req.auth, ['ADMIN']);
      const query = parseOr400(importQuerySchema, req.query, 'query');
      const body: unknown = req.body;
      if (body === undefined) {
        throw new HttpError('BAD_REQUEST', `Send the FeatureCollection as ${GEOJSON_MEDIA_TYPE}`);
      }
      const bodyDryRun = (body as { dryRun?: unknown } | null)?.dryRun === true;
      const dryRun = query.dryRun === '1' || query.dryRun === 'true' || bodyDryRun;
      const result = await deps.service.importRegions(body, {
        dryRun,
        actor: { id: auth.user.id, ip: req.ip ?? null },
      });
      res.json(result);
    },
  );

  router.get('/admin/regions', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    const query = parseOr400(regionListQuerySchema, req.query, 'query');
    res.json({ regions: await deps.repository.list(query) });
  });

  router.patch('/admin/grids/:id', async (req, res) => {
    const auth = requireRole(req.auth, ['ADMIN']);
    const id = parseOr400(idSchema, req.params.id, 'grid id');
    const patch = parseOr400(gridAssignmentPatchSchema, req.body);
    const assignment = await deps.service.assignGrid(id, patch, {
      id: auth.user.id,
      ip: req.ip ?? null,
    });
    res.json({ assignment });
  });

  return router;
}
