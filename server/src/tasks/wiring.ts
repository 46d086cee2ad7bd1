import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  OfferCascade,
  RedisVolunteerLocator,
  TaskStore,
  findResponsibleUser,
  type PrismaClient,
  type RegionDirectory,
  type TicketStore,
} from '@gridline/db';
import type { GridlineIo } from '../realtime/socket-server.ts';
import { PrismaIdempotencyRepository } from '../infra/idempotency-repository.ts';
import { systemClock, type TicketPublisher } from '../tickets/ports.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import { BullTaskTimerScheduler, PrismaTaskDirectory, SocketTaskPublisher } from './infra.ts';
import { TaskService } from './task-service.ts';

export interface TaskParts {
  service: TaskService;
  timers: BullTaskTimerScheduler;
  close(): Promise<void>;
}

/** The task service on PostgreSQL, Redis (positions, timers) and Socket.IO. */
export function createTasks(deps: {
  prisma: PrismaClient;
  redis: Redis;
  queueRedis: Redis;
  redisPrefix: string;
  timeScale: number;
  geofenceM: number;
  regions: () => RegionDirectory;
  tickets: TicketService;
  ticketStore: TicketStore;
  ticketPublisher: TicketPublisher;
  io: () => GridlineIo | null;
  logger: Logger;
}): TaskParts {
  const timers = new BullTaskTimerScheduler(deps.queueRedis, deps.redisPrefix, systemClock);
  const cascade = new OfferCascade(deps.prisma, {
    locator: new RedisVolunteerLocator(deps.redis, deps.redisPrefix),
    timeScale: deps.timeScale,
    responsibleUser: (regions) =>
      findResponsibleUser(deps.prisma, regions, 0, deps.regions().cityId),
  });
  const service = new TaskService({
    tasks: new TaskStore(deps.prisma, deps.timeScale),
    cascade,
    directory: new PrismaTaskDirectory({
      prisma: deps.prisma,
      tickets: deps.tickets,
      ticketStore: deps.ticketStore,
      ticketPublisher: deps.ticketPublisher,
    }),
    regions: deps.regions,
    publisher: new SocketTaskPublisher(deps.io),
    timers,
    idempotency: new PrismaIdempotencyRepository(deps.prisma),
    clock: systemClock,
    timeScale: deps.timeScale,
    geofenceM: deps.geofenceM,
    onError: (error, what) =>
      deps.logger.warn({ err: error }, `${what} failed; the reconciler will redo it`),
  });
  return { service, timers, close: () => timers.close() };
}
