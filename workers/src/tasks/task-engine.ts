import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Emitter } from '@socket.io/redis-emitter';
import type { TaskTimerJob } from '@gridline/core';
import {
  OfferCascade,
  RedisVolunteerLocator,
  TaskStore,
  findResponsibleUser,
  taskPushes,
  taskTimerJobSpec,
  type PrismaClient,
  type TaskChange,
} from '@gridline/db';

/** The task engine as the workers drive it: store, offer cascade, pushes and timers. */
export interface WorkerTaskEngine {
  store: TaskStore;
  cascade: OfferCascade;
  /** A committed change's events to their rooms, through the Redis emitter. */
  publish(change: TaskChange): void;
  /** Timers onto the task-timers queue, after removing the ones they replace. */
  schedule(timers: readonly TaskTimerJob[], stale?: readonly string[]): Promise<void>;
}

export function createWorkerTaskEngine(deps: {
  prisma: PrismaClient;
  /** For the locator (non-blocking commands). */
  redis: Redis;
  emitter: Emitter;
  redisPrefix: string;
  timeScale: number;
  cityId: () => Promise<number | null> | number | null;
  timers: Queue<TaskTimerJob>;
}): WorkerTaskEngine {
  const cascade = new OfferCascade(deps.prisma, {
    locator: new RedisVolunteerLocator(deps.redis, deps.redisPrefix),
    timeScale: deps.timeScale,
    responsibleUser: async (regions) =>
      findResponsibleUser(deps.prisma, regions, 0, await deps.cityId()),
  });
  return {
    store: new TaskStore(deps.prisma, deps.timeScale),
    cascade,
    publish(change) {
      for (const event of change.events) {
        for (const push of taskPushes(event)) {
          if (push.rooms.length > 0) deps.emitter.to(push.rooms).emit(push.event.type, push.event);
        }
      }
    },
    async schedule(timers, stale = []) {
      await Promise.all(stale.map((id) => deps.timers.remove(id)));
      if (timers.length === 0) return;
      const now = new Date();
      await deps.timers.addBulk(timers.map((timer) => taskTimerJobSpec(timer, now)));
    },
  };
}
