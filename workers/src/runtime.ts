import type { Agent } from 'node:https';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Emitter } from '@socket.io/redis-emitter';
import { pino, type Logger } from 'pino';
import {
  TICKET_TIMERS_QUEUE,
  rooms,
  socketRedisKey,
  socketWireEncoder,
  ticketRooms,
  trackedEventOf,
  ticketTimerJob,
  type CommonEnv,
  type TicketTimerJob,
  type TicketTimerKind,
} from '@gridline/core';
import {
  createPrismaClient,
  loadVapidKeys,
  findResponsibleUser,
  TicketStore,
  type PrismaClient,
  type TicketChange,
} from '@gridline/db';
import {
  escalateOnAcceptDeadline,
  escalateOnResolveDeadline,
  remindAssignee,
  closeAfterRatingWindow,
  escalateSummons,
  type EscalationOutcome,
  type EscalationPorts,
} from './timers/escalation.ts';
import { reconcileTimers } from './timers/reconciler.ts';
import { WorkerMetrics } from './metrics.ts';
import { createTaskWorkers, type TaskWorkers } from './tasks/task-workers.ts';
import { createCareVisits } from './care/care-visits-runtime.ts';
import type { SyncResult } from './care/visit-schedules.ts';
import { Notifier } from './notifications/notifier.ts';
import { WebPushSender } from './notifications/push-sender.ts';
import { LoggingSmsGateway, type SmsGateway } from './notifications/sms-gateway.ts';

const DEFAULT_VAPID_SUBJECT = 'mailto:ops@gridline.invalid';

const TIMER_HANDLERS: Record<
  TicketTimerKind,
  (job: TicketTimerJob, ports: EscalationPorts) => Promise<EscalationOutcome>
> = {
  'accept-deadline': escalateOnAcceptDeadline,
  'resolve-deadline': escalateOnResolveDeadline,
  reminder: remindAssignee,
  'close-window': closeAfterRatingWindow,
  'summons-deadline': escalateSummons,
};

export interface WorkersConfig extends CommonEnv {
  concurrency: number;
  reconcileIntervalMs: number;
  /** Port for /metrics on 127.0.0.1; 0 or absent: no metrics server. */
  metricsPort?: number;
  /** The contact push services may reach the operator at (VAPID `sub`). */
  vapidSubject?: string;
  /** How often the notifier reads the event logs (default 1 s). */
  notifyIntervalMs?: number;
  /** An HTTPS agent for push requests (tests: a local push service's certificate). */
  pushAgent?: Agent;
  /** Where text messages go (default: the log). */
  sms?: SmsGateway;
}

export interface WorkersRuntime {
  prisma: PrismaClient;
  queue: Queue<TicketTimerJob>;
  /** The task timers (offer expiry, no-show, safety). */
  taskQueue: TaskWorkers['queue'];
  reconcile(): Promise<number>;
  /** Care visit schedulers made to match PostgreSQL (also every reconcile interval); null on failure. */
  syncVisitSchedules(): Promise<SyncResult | null>;
  close(): Promise<void>;
}

export async function createWorkersRuntime(
  config: WorkersConfig,
  logger?: Logger,
): Promise<WorkersRuntime> {
  const log = logger ?? pino({ level: config.logLevel, base: { process: 'workers' } });
  const prisma = createPrismaClient({ url: config.databaseUrl, max: 10 });
  const workerRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queueRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const emitterRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  for (const client of [workerRedis, queueRedis, emitterRedis]) {
    client.on('error', (error) => log.warn({ err: error }, 'redis error'));
  }
  const bullPrefix = `${config.redisPrefix}:bull`;
  const queue = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
    connection: queueRedis,
    prefix: bullPrefix,
  });
  const emitter = new Emitter(emitterRedis, {
    key: socketRedisKey(config.redisPrefix),
    parser: socketWireEncoder,
  });
  const store = new TicketStore(prisma);

  let cityId: number | null | undefined;
  const loadCityId = async () => {
    if (cityId === undefined) {
      cityId =
        (await prisma.region.findFirst({ where: { level: 'CITY' }, select: { id: true } }))?.id ??
        null;
    }
    return cityId;
  };
  const ports: EscalationPorts = {
    timeScale: config.timeScale,
    now: () => new Date(),
    async loadTicket(id) {
      const row = await store.findForAction(id);
      if (!row) return null;
      const { ticket } = row;
      return {
        ...ticket,
        resolveBy: ticket.resolveBy === null ? null : new Date(ticket.resolveBy),
        policy: row.category.policy,
      };
    },
    async responsibleUser(regions, level) {
      return findResponsibleUser(prisma, regions, level, await loadCityId());
    },
    transition: (request) => store.transition(request),
    appendEvent: (ticketId, event) => store.appendEvent(ticketId, event),
    loadSummons: (id) => prisma.summons.findUnique({ where: { id } }),
    changeSummons: (request) => store.changeSummons(request),
    async alreadyReminded(ticketId, seq, deadline) {
      const sent = await prisma.ticketEvent.findFirst({
        where: {
          ticketId,
          type: 'ticket.updated',
          AND: [
            { payload: { path: ['action'], equals: 'reminder' } },
            { payload: { path: ['seq'], equals: seq } },
            { payload: { path: ['deadline'], equals: deadline } },
          ],
        },
        select: { id: true },
      });
      return sent !== null;
    },
    publish(change: TicketChange) {
      const targets = ticketRooms(change.ticket, cityId ?? null);
      for (const event of change.events) {
        emitter.to(targets).emit(event.type, event);
        const tracked = trackedEventOf(event);
        if (tracked) emitter.to(rooms.track(change.ticket.id)).emit('ticket.tracked', tracked);
      }
    },
    async schedule(job) {
      const spec = ticketTimerJob(job, new Date());
      await queue.add(spec.name, spec.data, spec.opts);
    },
  };

  // Pushes name the city room: know the city before the first job runs.
  await loadCityId();
  const metrics = new WorkerMetrics();
  const metricsServer = config.metricsPort ? await metrics.listen(config.metricsPort) : null;
  const worker = new Worker<TicketTimerJob>(
    TICKET_TIMERS_QUEUE,
    async (job: Job<TicketTimerJob>) => {
      const lateMs = Date.now() - Date.parse(job.data.dueAt);
      const handler = TIMER_HANDLERS[job.data.kind];
      if (!handler) return { kind: 'ignored' };
      const outcome = await handler(job.data, ports);
      metrics.observe(job.data.kind, lateMs, outcome.kind);
      const { requestId, ticketId, kind } = job.data;
      log.info({ requestId, ticketId, kind, lateMs, outcome }, 'deadline timer');
      return outcome;
    },
    {
      connection: workerRedis,
      prefix: bullPrefix,
      concurrency: config.concurrency,
      // Jobs take milliseconds: a short lock lets another worker take over the job
      // of a worker that died mid-job within seconds, not the default 30-60 s.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('failed', (job, error) =>
    log.error({ err: error, jobId: job?.id }, 'timer job failed'),
  );
  const taskWorkers = createTaskWorkers({
    prisma,
    queueRedis,
    workerRedis,
    emitter,
    redisPrefix: config.redisPrefix,
    timeScale: config.timeScale,
    concurrency: config.concurrency,
    cityId: loadCityId,
    metrics,
    logger: log,
  });

  const reconcile = async () =>
    (await reconcileTimers(
      prisma,
      async (jobs) => {
        const now = new Date();
        await queue.addBulk(jobs.map((job) => ticketTimerJob(job, now)));
      },
      config.timeScale,
      new Date(),
      // Two intervals ahead: a pass that runs late still re-creates every timer before it is due.
      2 * config.reconcileIntervalMs,
    )) +
    (await taskWorkers.reconcile(2 * config.reconcileIntervalMs).catch((error: unknown) => {
      log.warn({ err: error }, 'task reconcile failed');
      return 0;
    }));
  let reconciling: Promise<number> | null = null;
  const runReconcile = () => {
    reconciling ??= reconcile()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'reconcile failed');
        return 0;
      })
      .finally(() => {
        reconciling = null;
      });
    return reconciling;
  };
  await runReconcile();
  const interval = setInterval(() => void runReconcile(), config.reconcileIntervalMs);

  const notifier = new Notifier({
    prisma,
    push: new WebPushSender(
      await loadVapidKeys(prisma),
      config.vapidSubject ?? DEFAULT_VAPID_SUBJECT,
      config.pushAgent,
    ),
    sms: config.sms ?? new LoggingSmsGateway(log),
    logger: log,
  });
  let notifying: Promise<number> | null = null;
  const notify = () => {
    notifying ??= notifier
      .drain()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'notifier failed');
        return 0;
      })
      .finally(() => {
        notifying = null;
      });
    return notifying;
  };
  const notifyInterval = setInterval(() => void notify(), config.notifyIntervalMs ?? 1000);

  const careVisits = createCareVisits({
    prisma,
    queueRedis,
    workerRedis,
    emitter,
    redisPrefix: config.redisPrefix,
    timeScale: config.timeScale,
    cityId: () => cityId ?? null,
    logger: log,
  });
  let syncingVisits: Promise<SyncResult | null> | null = null;
  const syncVisits = () => {
    syncingVisits ??= careVisits
      .sync()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'care visit schedule sync failed');
        return null;
      })
      .finally(() => {
        syncingVisits = null;
      });
    return syncingVisits;
  };
  await syncVisits();
  const visitInterval = setInterval(() => void syncVisits(), config.reconcileIntervalMs);

  return {
    prisma,
    queue,
    taskQueue: taskWorkers.queue,
    reconcile: runReconcile,
    syncVisitSchedules: syncVisits,
    async close() {
      clearInterval(interval);
      clearInterval(notifyInterval);
      await notifying;
      clearInterval(visitInterval);
      await syncingVisits;
      await careVisits.close();
      metricsServer?.close();
      await reconciling;
      await worker.close();
      await taskWorkers.close();
      await queue.close();
      workerRedis.disconnect();
      queueRedis.disconnect();
      emitterRedis.disconnect();
      await prisma.$disconnect();
    },
  };
}
