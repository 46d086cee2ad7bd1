import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Emitter } from '@socket.io/redis-emitter';
import type { Logger } from 'pino';
import { TASK_TIMERS_QUEUE, type TaskTimerJob } from '@gridline/core';
import { findResponsibleUser, type PrismaClient } from '@gridline/db';
import type { WorkerMetrics } from '../metrics.ts';
import { reconcileTaskTimers } from './task-reconciler.ts';
import { createWorkerTaskEngine } from './task-engine.ts';
import { handleTaskTimer, type TaskTimerOutcome, type TaskTimerPorts } from './task-timers.ts';

export interface TaskWorkers {
  queue: Queue<TaskTimerJob>;
  /** Re-creates missing task timers from PostgreSQL and re-runs lost cascade steps. */
  reconcile(horizonMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The task timers in the workers: the `task-timers` queue and its worker
 * (offer expiry, no-show, safety), pushing through the Redis emitter, and the
 * task part of the reconciler.
 */
export function createTaskWorkers(deps: {
  prisma: PrismaClient;
  /** For the queue and the locator (non-blocking commands). */
  queueRedis: Redis;
  /** For the worker (BullMQ duplicates it for its blocking reads). */
  workerRedis: Redis;
  emitter: Emitter;
  redisPrefix: string;
  timeScale: number;
  concurrency: number;
  cityId: () => Promise<number | null>;
  metrics: WorkerMetrics;
  logger: Logger;
}): TaskWorkers {
  const prefix = `${deps.redisPrefix}:bull`;
  const queue = new Queue<TaskTimerJob>(TASK_TIMERS_QUEUE, { connection: deps.queueRedis, prefix });
  const { store, cascade, publish, schedule } = createWorkerTaskEngine({
    prisma: deps.prisma,
    redis: deps.queueRedis,
    emitter: deps.emitter,
    redisPrefix: deps.redisPrefix,
    timeScale: deps.timeScale,
    cityId: deps.cityId,
    timers: queue,
  });
  const ports: TaskTimerPorts = {
    store,
    offerNext: (taskId, now) => cascade.step(taskId, now),
    async responsibleFor(taskId) {
      const task = await deps.prisma.task.findUnique({
        where: { id: taskId },
        select: { gridId: true, communityId: true, streetId: true, districtId: true },
      });
      return task && findResponsibleUser(deps.prisma, task, 0, await deps.cityId());
    },
    publish,
    schedule,
    now: () => new Date(),
  };

  const worker = new Worker<TaskTimerJob, TaskTimerOutcome>(
    TASK_TIMERS_QUEUE,
    async (job: Job<TaskTimerJob>) => {
      const lateMs = Date.now() - Date.parse(job.data.dueAt);
      const outcome = await handleTaskTimer(job.data, ports);
      deps.metrics.observe(job.data.kind, lateMs, outcome.kind);
      const { requestId, taskId, assignmentId, kind } = job.data;
      deps.logger.info({ requestId, taskId, assignmentId, kind, lateMs, outcome }, 'task timer');
      return outcome;
    },
    {
      connection: deps.workerRedis,
      prefix,
      concurrency: deps.concurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('failed', (job, error) =>
    deps.logger.error({ err: error, jobId: job?.id }, 'task timer job failed'),
  );

  return {
    queue,
    reconcile: (horizonMs) =>
      reconcileTaskTimers(
        {
          prisma: deps.prisma,
          timeScale: deps.timeScale,
          schedule: (jobs) => schedule(jobs),
          async step(taskId) {
            const change = await cascade.step(taskId, new Date());
            if (!change) return;
            publish(change);
            await schedule(change.timers, change.staleTimers);
          },
        },
        new Date(),
        horizonMs,
      ),
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
