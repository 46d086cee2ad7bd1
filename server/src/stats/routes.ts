import { Router } from 'express';
import { ratesQuerySchema } from '@gridline/core';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import { requireStaff } from '../auth/middleware.ts';
import { canSeeRegion } from '../auth/scope.ts';
import { systemClock, type Clock } from '../tickets/ports.ts';
import { StatsService } from './stats-service.ts';

export function statsRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  clock?: Clock;
}): Router {
  const router = Router();
  const stats = new StatsService(deps.prisma, deps.clock ?? systemClock);

  /** The three rates of a region (default: the caller's home region) for tickets created in [from, to). */
  router.get('/stats/rates', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(ratesQuerySchema, req.query, 'query');
    const directory = deps.regions();
    const regionId =
      query.regionId ??
      auth.user.regionId ??
      (auth.user.role === 'ADMIN' ? directory.cityId : null);
    if (regionId === null) {
      throw new HttpError('VALIDATION_FAILED', 'Invalid query', [
        { path: 'regionId', message: 'required: you have no home region' },
      ]);
    }
    const region = directory.get(regionId);
    if (!region) throw notFound('Region');
    if (!canSeeRegion(auth, regionId, directory)) {
      throw new HttpError('FORBIDDEN', 'This region is outside yours');
    }
    res.json(await stats.rates(region, { from: query.from, to: query.to }));
  });

  return router;
}
