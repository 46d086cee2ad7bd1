import { Router, type Request, type Response } from 'express';
import type { PrismaClient, RegionDirectory } from '@gridline/db';
import type { AuditLog } from '../audit/audit-log.ts';
import { systemClock, type Clock } from '../tickets/ports.ts';
import { CareService, type CareReply, type CareRequest } from './care-service.ts';
import { PrismaCareRepository } from './prisma-care-repository.ts';

/** The service on PostgreSQL (tests build it with fakes instead). */
export function createCareService(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  audit: AuditLog;
  timeScale: number;
  clock?: Clock;
}): CareService {
  return new CareService({
    repository: new PrismaCareRepository(deps.prisma, deps.audit),
    audit: deps.audit,
    regions: deps.regions,
    clock: deps.clock ?? systemClock,
    timeScale: deps.timeScale,
  });
}

const context = (req: Request): CareRequest => ({ auth: req.auth, ip: req.ip ?? null });
const send = (res: Response, reply: CareReply) => res.status(reply.status).json(reply.body);

/**
 * 关爱对象: kept by community staff (and admins) whose region holds the
 * household; every read, list or single, and every change is written to the
 * audit log. The overdue-visits list is also open to dispatchers in scope.
 */
export function careRouter(deps: {
  prisma: PrismaClient;
  regions: () => RegionDirectory;
  audit: AuditLog;
  timeScale: number;
  care?: CareService;
}): Router {
  const care = deps.care ?? createCareService(deps);
  const router = Router();

  router.get('/care-recipients', async (req, res) => {
    send(res, await care.list(context(req), req.query));
  });
  // Before /:id, which would take "overdue-visits" for an id.
  router.get('/care-recipients/overdue-visits', async (req, res) => {
    send(res, await care.overdue(context(req), req.query));
  });
  router.post('/care-recipients', async (req, res) => {
    send(res, await care.create(context(req), req.body, req.get('idempotency-key')));
  });
  router.get('/care-recipients/:id', async (req, res) => {
    send(res, await care.get(context(req), req.params.id));
  });
  router.patch('/care-recipients/:id', async (req, res) => {
    send(res, await care.update(context(req), req.params.id, req.body));
  });
  router.post('/care-recipients/:id/devices', async (req, res) => {
    send(res, await care.addDevice(context(req), req.params.id, req.body));
  });
  router.delete('/care-recipients/:id/devices/:deviceId', async (req, res) => {
    send(res, await care.deactivateDevice(context(req), req.params.id, req.params.deviceId));
  });

  return router;
}
