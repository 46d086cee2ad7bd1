import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import {
  dutyBodySchema,
  locationReportSchema,
  positionsQuerySchema,
  type ClientToServerEvents,
  type Role,
  type ServerToClientEvents,
} from '@gridline/core';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { requireRole } from '../auth/middleware.ts';
import { canSeeRegion } from '../auth/scope.ts';
import { systemClock, type Clock } from '../tickets/ports.ts';
import type { FieldUser } from './ports.ts';
import { PositionService } from './position-service.ts';
import { PrismaDutyRepository } from './prisma-duty-repository.ts';
import { RedisPositionStore } from './redis-position-store.ts';
import { SocketPositionPublisher } from './socket-position-publisher.ts';

/** Who sees live positions: supervisors of a region (the dispatcher map). */
const POSITION_VIEWERS: readonly Role[] = ['DISPATCHER', 'COMMUNITY_STAFF', 'ADMIN'];

/** The service on Redis, PostgreSQL and Socket.IO (volunteers' routes can share one). */
export function createPositionService(deps: {
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  regions: () => RegionDirectory;
  clock?: Clock;
}): PositionService {
  return new PositionService({
    store: new RedisPositionStore(deps.redis, deps.redisPrefix),
    duty: new PrismaDutyRepository(deps.prisma),
    publisher: new SocketPositionPublisher(deps.io),
    clock: deps.clock ?? systemClock,
    regions: deps.regions,
  });
}

function gridMember(auth: AuthContext | undefined): FieldUser {
  const { user } = requireRole(auth, ['GRID_MEMBER']);
  return {
    id: user.id,
    role: 'GRID_MEMBER',
    displayName: user.displayName,
    regionId: user.regionId,
  };
}

export function positionsRouter(deps: {
  positions: PositionService;
  regions: () => RegionDirectory;
}): Router {
  const router = Router();

  router.get('/members/me/duty', async (req, res) => {
    const member = gridMember(req.auth);
    res.json({ onDuty: await deps.positions.isOnDuty(member) });
  });

  router.post('/members/me/duty', async (req, res) => {
    const member = gridMember(req.auth);
    const body = parseOr400(dutyBodySchema, req.body);
    res.json(await deps.positions.setDuty(member, body.onDuty));
  });

  router.post('/members/me/location', async (req, res) => {
    const member = gridMember(req.auth);
    const body = parseOr400(locationReportSchema, req.body);
    res.json(await deps.positions.report(member, body));
  });

  /** Live positions of everyone on duty inside a region (default: the caller's home region). */
  router.get('/positions', async (req, res) => {
    const auth = requireRole(req.auth, POSITION_VIEWERS);
    const query = parseOr400(positionsQuerySchema, req.query, 'query');
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
    if (!directory.get(regionId)) throw notFound('Region');
    if (!canSeeRegion(auth, regionId, directory)) {
      throw new HttpError('FORBIDDEN', 'This region is outside yours');
    }
    res.json({ positions: await deps.positions.list(regionId) });
  });

  return router;
}
