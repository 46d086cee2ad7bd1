import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { createServerRuntime } from './runtime.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { process: 'server' } });

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await createServerRuntime(config, logger);
  const port = await runtime.listen();
  logger.info({ port }, 'server listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) logger.error(error.message);
  else logger.error({ err: error }, 'server failed to start');
  process.exit(1);
});
