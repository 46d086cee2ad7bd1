import { Router } from 'express';
import { clientOf, setSessionCookie } from '../auth/session-cookie.ts';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { z } from 'zod';
import {
  dutyBodySchema,
  locationReportSchema,
  VOLUNTEER_STATUSES,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@gridline/core';
import { RedisVolunteerLocator, type PrismaClient, type RegionDirectory } from '@gridline/db';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { SessionRepository } from '../auth/session-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { systemClock, type Clock } from '../tickets/ports.ts';
import { PositionService } from '../positions/position-service.ts';
import { positionKeys, RedisPositionStore } from '../positions/redis-position-store.ts';
import { SocketPositionPublisher } from '../positions/socket-position-publisher.ts';
import { PrismaVolunteerRepository } from './prisma-volunteer-repository.ts';
import { VolunteerDutyRepository } from './volunteer-duty-repository.ts';
import { VolunteerService } from './volunteer-service.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const listQuerySchema = z.strictObject({
  communityId: idSchema.optional(),
  status: z.enum(VOLUNTEER_STATUSES).optional(),
  cursor: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const communitiesQuerySchema = z.strictObject({
  q: z.string().trim().max(40).default(''),
  /** This one community (a profile names its home by id). */
  id: idSchema.optional(),
});
const teamsQuerySchema = z.strictObject({ communityId: idSchema.optional() });
const teamBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(60),
  communityId: z.number().int().positive().max(2_147_483_647).optional(),
});

export interface VolunteersDeps {
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  regions: () => RegionDirectory;
  audit: AuditLog;
  sessions: SessionRepository;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  secureCookies: boolean;
  clock?: Clock;
}

/**
 * The service on PostgreSQL, Redis and Socket.IO. Positions go through a
 * PositionService on the same Redis keys as grid members' (so volunteers show
 * on the dispatcher map) whose duty flag is the volunteer's; the locator's
 * writes are guarded by that service's duty set.
 */
export function createVolunteerService(deps: VolunteersDeps): VolunteerService {
  const clock = deps.clock ?? systemClock;
  return new VolunteerService({
    repository: new PrismaVolunteerRepository(deps.prisma, deps.audit),
    hasher: deps.hasher,
    limiter: deps.limiter,
    sessions: deps.sessions,
    positions: new PositionService({
      store: new RedisPositionStore(deps.redis, deps.redisPrefix),
      duty: new VolunteerDutyRepository(deps.prisma),
      publisher: new SocketPositionPublisher(deps.io),
      clock,
      regions: deps.regions,
    }),
    locator: new RedisVolunteerLocator(deps.redis, deps.redisPrefix, {
      dutySetKey: positionKeys(deps.redisPrefix).duty,
    }),
    regions: deps.regions,
    clock,
    onUserChanged: () => deps.sessions.invalidate(),
  });
}

/** Routes of core/src/volunteers.ts but the ledger, rewards and redemptions (see ../rewards). */
export function volunteersRouter(deps: VolunteersDeps): Router {
  const service = createVolunteerService(deps);
  const router = Router();

  router.get('/skills', async (_req, res) => {
    res.json({ skills: await service.skills() });
  });

  /**
   * Communities a volunteer can sign up in (public: the official divisions' names
   * only), filtered by part of the community's, street's or district's name.
   */
  router.get('/volunteers/communities', (req, res) => {
    const { q, id } = parseOr400(communitiesQuerySchema, req.query, 'query');
    const directory = deps.regions();
    const needle = q.toLowerCase();
    const matches = (name: string | null | undefined) =>
      name !== null && name !== undefined && name.toLowerCase().includes(needle);
    const communities = directory
      .list('COMMUNITY')
      .map((community) => {
        const street = community.parentId === null ? undefined : directory.get(community.parentId);
        const district = street?.parentId == null ? undefined : directory.get(street.parentId);
        return { community, street, district };
      })
      .filter(
        ({ community, street, district }) =>
          (id === undefined || community.id === id) &&
          (needle === '' ||
            matches(community.name) ||
            matches(community.nameEn) ||
            matches(street?.name) ||
            matches(district?.name)),
      )
      .slice(0, 30)
      .map(({ community, street, district }) => ({
        id: community.id,
        name: community.name,
        street: street?.name ?? null,
        district: district?.name ?? null,
        centroid: community.centroid,
      }));
    res.json({ communities });
  });

  router.post('/volunteers/register', async (req, res) => {
    const { user, volunteer, session } = await service.register(req.body, clientOf(req));
    setSessionCookie(res, session, deps.secureCookies);
    res.status(201).json({ user, volunteer });
  });

  router.get('/volunteers/me', async (req, res) => {
    res.json({ volunteer: await service.profile(req.auth) });
  });

  router.patch('/volunteers/me', async (req, res) => {
    res.json({ volunteer: await service.patch(req.auth, req.body) });
  });

  router.get('/volunteers/me/duty', async (req, res) => {
    res.json(await service.duty(req.auth));
  });

  router.post('/volunteers/me/duty', async (req, res) => {
    requireAuth(req.auth);
    const body = parseOr400(dutyBodySchema, req.body);
    res.json(await service.setDuty(req.auth, body.onDuty));
  });

  router.post('/volunteers/me/location', async (req, res) => {
    requireAuth(req.auth);
    const body = parseOr400(locationReportSchema, req.body);
    res.json(await service.report(req.auth, body));
  });

  router.get('/volunteers', async (req, res) => {
    requireAuth(req.auth);
    const query = parseOr400(listQuerySchema, req.query, 'query');
    res.json(await service.list(req.auth, query));
  });

  for (const action of ['approve', 'suspend'] as const) {
    router.post(`/volunteers/:id/${action}`, async (req, res) => {
      requireAuth(req.auth);
      const id = parseOr400(idSchema, req.params.id, 'volunteer id');
      res.json({ volunteer: await service.decide(req.auth, id, action, req.ip ?? null) });
    });
  }

  router.get('/teams', async (req, res) => {
    requireAuth(req.auth);
    const { communityId } = parseOr400(teamsQuerySchema, req.query, 'query');
    res.json({ teams: await service.teams(communityId) });
  });

  router.post('/teams', async (req, res) => {
    requireAuth(req.auth);
    const body = parseOr400(teamBodySchema, req.body);
    res.status(201).json({ team: await service.createTeam(req.auth, body) });
  });

  router.post('/teams/:id/join', async (req, res) => {
    requireAuth(req.auth);
    const id = parseOr400(idSchema, req.params.id, 'team id');
    res.json({ team: await service.join(req.auth, id) });
  });

  router.post('/teams/:id/leave', async (req, res) => {
    requireAuth(req.auth);
    const id = parseOr400(idSchema, req.params.id, 'team id');
    await service.leave(req.auth, id);
    res.json({ ok: true });
  });

  return router;
}
