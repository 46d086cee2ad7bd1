import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Emitter } from '@socket.io/redis-emitter';
import type { Logger } from 'pino';
import {
  CARE_VISITS_QUEUE,
  TASK_TIMERS_QUEUE,
  type CareVisitJob,
  type TaskTimerJob,
} from '@gridline/core';
import type { PrismaClient, TaskChange } from '@gridline/db';
import { createWorkerTaskEngine } from '../tasks/task-engine.ts';
import {
  BullVisitSchedulerQueue,
  cadencedHouseholds,
  visitRepositoryPorts,
} from './visit-adapters.ts';
import {
  processVisitJob,
  slotOf,
  syncVisitSchedules,
  type SyncResult,
  type VisitOutcome,
  type VisitTaskCreator,
} from './visit-schedules.ts';
import { EngineVisitTaskCreator } from './visit-task-creator.ts';

export interface CareVisits {
  queue: Queue<CareVisitJob>;
  /** Makes the schedulers in Redis match the households in PostgreSQL. */
  sync(): Promise<SyncResult>;
  close(): Promise<void>;
}

/**
 * The visit schedules in the workers: the care-visits queue and its
 * schedulers, and the worker that turns each firing into a visit task
 * through the task engine (create, push, first offers, their timers).
 */
export function createCareVisits(deps: {
  prisma: PrismaClient;
  /** For queues (non-blocking commands). */
  queueRedis: Redis;
  /** For the worker (BullMQ duplicates it for its blocking reads). */
  workerRedis: Redis;
  emitter: Emitter;
  redisPrefix: string;
  timeScale: number;
  cityId: () => number | null;
  logger: Logger;
  /** Replaces the task engine (tests). */
  tasks?: VisitTaskCreator;
}): CareVisits {
  const prefix = `${deps.redisPrefix}:bull`;
  const queue = new Queue<CareVisitJob>(CARE_VISITS_QUEUE, {
    connection: deps.queueRedis,
    prefix,
  });
  const taskTimers = new Queue<TaskTimerJob>(TASK_TIMERS_QUEUE, {
    connection: deps.queueRedis,
    prefix,
  });
  const schedulers = new BullVisitSchedulerQueue(queue);
  const engine = createWorkerTaskEngine({
    prisma: deps.prisma,
    redis: deps.queueRedis,
    emitter: deps.emitter,
    redisPrefix: deps.redisPrefix,
    timeScale: deps.timeScale,
    cityId: deps.cityId,
    timers: taskTimers,
  });
  const publish = async (change: TaskChange) => {
    engine.publish(change);
    await engine.schedule(change.timers);
  };
  const tasks =
    deps.tasks ??
    new EngineVisitTaskCreator(
      {
        create: (task) => engine.store.create(task),
        publish,
        offer: (taskId, now) => engine.cascade.step(taskId, now),
        async chainOf(communityId) {
          const community = await deps.prisma.region.findUnique({
            where: { id: communityId },
            select: { parentId: true, parent: { select: { parentId: true } } },
          });
          return {
            streetId: community?.parentId ?? null,
            districtId: community?.parent?.parentId ?? null,
          };
        },
      },
      (error, taskId) =>
        deps.logger.warn({ err: error, taskId }, 'visit task created; its push or offers failed'),
    );
  const ports = {
    ...visitRepositoryPorts(deps.prisma, deps.queueRedis, deps.redisPrefix),
    timeScale: deps.timeScale,
    now: () => new Date(),
    tasks,
  };

  const worker = new Worker<CareVisitJob, VisitOutcome>(
    CARE_VISITS_QUEUE,
    async (job: Job<CareVisitJob>) => {
      const slotAt = slotOf(job.id, job.timestamp);
      const outcome = await processVisitJob(job.data, slotAt, ports);
      deps.logger.info(
        { careRecipientId: job.data.careRecipientId, slotAt, outcome },
        'care visit schedule',
      );
      return outcome;
    },
    { connection: deps.workerRedis, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, error) =>
    deps.logger.error({ err: error, jobId: job?.id }, 'care visit job failed'),
  );

  return {
    queue,
    sync: async () =>
      syncVisitSchedules(
        await cadencedHouseholds(deps.prisma),
        schedulers,
        new Date(),
        deps.timeScale,
      ),
    async close() {
      await worker.close();
      await queue.close();
      await taskTimers.close();
    },
  };
}
