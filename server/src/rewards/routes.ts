import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { systemClock, type Clock } from '../tickets/ports.ts';
import { LedgerService } from './ledger-service.ts';
import { PrismaLedgerRepository } from './prisma-ledger-repository.ts';
import { REDEMPTION_STATUSES } from './ports.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const ledgerQuerySchema = z.strictObject({
  before: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const rewardsQuerySchema = z.strictObject({ all: flag.optional() });
const redemptionsQuerySchema = z.strictObject({
  status: z.enum(REDEMPTION_STATUSES).optional(),
  communityId: idSchema.optional(),
  /** The volunteer's own (what volunteers always get). */
  mine: flag.optional(),
  before: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const isoDateTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const leaderboardQuerySchema = z
  .strictObject({
    by: z.enum(['team', 'community']),
    regionId: idSchema.optional(),
    teamId: idSchema.optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    message: 'from must be before to',
    path: ['to'],
  });

export function createLedgerService(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  audit: AuditLog;
  clock?: Clock;
}): LedgerService {
  return new LedgerService({
    repository: new PrismaLedgerRepository(deps.prisma, deps.audit),
    regions: deps.regions,
    clock: deps.clock ?? systemClock,
  });
}

/** The ledger, rewards, redemptions and leaderboards of core/src/volunteers.ts. */
export function rewardsRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  audit: AuditLog;
  clock?: Clock;
}): Router {
  const service = createLedgerService(deps);
  const router = Router();

  router.get('/volunteers/me/ledger', async (req, res) => {
    requireAuth(req.auth);
    const query = parseOr400(ledgerQuerySchema, req.query, 'query');
    res.json(await service.ledger(req.auth, query));
  });

  router.get('/rewards', async (req, res) => {
    requireAuth(req.auth);
    const query = parseOr400(rewardsQuerySchema, req.query, 'query');
    res.json({ rewards: await service.rewards(req.auth, query.all ?? false) });
  });

  router.post('/rewards', async (req, res) => {
    requireAuth(req.auth);
    res
      .status(201)
      .json({ reward: await service.createReward(req.auth, req.body, req.ip ?? null) });
  });

  router.post('/redemptions', async (req, res) => {
    requireAuth(req.auth);
    const result = await service.redeem(req.auth, req.body, req.get('idempotency-key'));
    res.status(201).json(result);
  });

  router.get('/redemptions', async (req, res) => {
    requireAuth(req.auth);
    const query = parseOr400(redemptionsQuerySchema, req.query, 'query');
    res.json(await service.redemptions(req.auth, query));
  });

  for (const action of ['approve', 'reject'] as const) {
    router.post(`/redemptions/:id/${action}`, async (req, res) => {
      requireAuth(req.auth);
      const id = parseOr400(idSchema, req.params.id, 'redemption id');
      res.json({ redemption: await service.decide(req.auth, id, action, req.ip ?? null) });
    });
  }

  router.get('/leaderboards', async (req, res) => {
    requireAuth(req.auth);
    const query = parseOr400(leaderboardQuerySchema, req.query, 'query');
    res.json(await service.leaderboard(req.auth, query));
  });

  return router;
}
