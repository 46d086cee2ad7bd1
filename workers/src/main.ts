import { pino } from 'pino';
import { EnvError, parseCommonEnv, positiveNumberEnv } from '@gridline/core';
import { createWorkersRuntime } from './runtime.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { process: 'workers' } });

async function main(): Promise<void> {
  const runtime = await createWorkersRuntime(
    {
      ...parseCommonEnv(process.env),
      concurrency: positiveNumberEnv('WORKER_CONCURRENCY', process.env.WORKER_CONCURRENCY, 50),
      metricsPort: positiveNumberEnv(
        'WORKERS_METRICS_PORT',
        process.env.WORKERS_METRICS_PORT,
        9464,
      ),
      reconcileIntervalMs: positiveNumberEnv(
        'RECONCILE_INTERVAL_MS',
        process.env.RECONCILE_INTERVAL_MS,
        30_000,
      ),
      ...(process.env.VAPID_SUBJECT ? { vapidSubject: process.env.VAPID_SUBJECT } : {}),
      notifyIntervalMs: positiveNumberEnv(
        'NOTIFY_INTERVAL_MS',
        process.env.NOTIFY_INTERVAL_MS,
        1000,
      ),
    },
    logger,
  );
  logger.info('workers started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'workers shutting down');
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof EnvError) logger.error(error.message);
  else logger.error({ err: error }, 'workers failed to start');
  process.exit(1);
});
