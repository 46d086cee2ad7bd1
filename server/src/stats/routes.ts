import { Router } from 'express';
import { ratesQuerySchema, statsOverviewQuerySchema, statsTrendQuerySchema } from '@gridline/core';
import type { PrismaClient, RegionDirectory, RegionNode } from '@gridline/db';
import type { AuthContext } from '../http/types.ts';
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

  /** The region asked for (default: the caller's home region; the city for admins without one), in scope. */
  const regionFor = (auth: AuthContext, regionId: number | undefined): RegionNode => {
    const directory = deps.regions();
    const id =
      regionId ?? auth.user.regionId ?? (auth.user.role === 'ADMIN' ? directory.cityId : null);
    if (id === null) {
      throw new HttpError('VALIDATION_FAILED', 'Invalid query', [
        { path: 'regionId', message: 'required: you have no home region' },
      ]);
    }
    const region = directory.get(id);
    if (!region) throw notFound('Region');
    if (!canSeeRegion(auth, id, directory)) {
      throw new HttpError('FORBIDDEN', 'This region is outside yours');
    }
    return region;
  };

  /** The three rates of a region (default: the caller's home region) for tickets created in [from, to). */
  router.get('/stats/rates', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(ratesQuerySchema, req.query, 'query');
    const region = regionFor(auth, query.regionId);
    res.json(await stats.rates(region, { from: query.from, to: query.to }));
  });

  /** The dashboard: figures of a region and of each child region, categories, current load. */
  router.get('/stats/overview', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(statsOverviewQuerySchema, req.query, 'query');
    const region = regionFor(auth, query.regionId);
    res.json(await stats.overview(region, { from: query.from, to: query.to }));
  });

  /** Per-bucket (Asia/Shanghai day or hour) counts and rates of the tickets created in [from, to). */
  router.get('/stats/trend', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(statsTrendQuerySchema, req.query, 'query');
    const region = regionFor(auth, query.regionId);
    res.json(await stats.trend(region, { from: query.from, to: query.to }, query.bucket));
  });

  return router;
}
