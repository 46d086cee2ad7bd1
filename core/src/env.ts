/** Settings every process reads, parsed from an environment object (pure: the caller passes process.env). */
export interface CommonEnv {
  databaseUrl: string;
  redisUrl: string;
  /** Divides every policy duration, so demos and tests see deadlines pass in seconds. */
  timeScale: number;
  /** Key prefix for BullMQ queues and Socket.IO channels; tests give each run its own. */
  redisPrefix: string;
  logLevel: string;
}

export const DEFAULTS = {
  databaseUrl: 'postgresql://postgres@127.0.0.1:5432/gridline',
  redisUrl: 'redis://127.0.0.1:6379',
  port: 3000,
} as const;

export class EnvError extends Error {}

export function positiveNumberEnv(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new EnvError(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

export function parseCommonEnv(env: Readonly<Record<string, string | undefined>>): CommonEnv {
  return {
    databaseUrl: env.DATABASE_URL || DEFAULTS.databaseUrl,
    redisUrl: env.REDIS_URL || DEFAULTS.redisUrl,
    timeScale: positiveNumberEnv('TIME_SCALE', env.TIME_SCALE, 1),
    redisPrefix: env.REDIS_PREFIX || 'gl',
    logLevel: env.LOG_LEVEL || 'info',
  };
}

/**
 * Node options the API server runs with (npm start, the demo, the bench). The
 * server holds every socket's state (5,000 sockets are some 100 MB of live
 * heap), so a full mark-compact costs ~100 ms of CPU and, on a small machine,
 * holds up intake for as long. V8's default limits ran one every 5 s at 200
 * tickets/s; a larger young generation and old-space allowance make it about
 * one every 40 s, at the price of a heap of a few hundred MB. The young
 * generation stays at 16 MB a half: each scavenge stops the server for as long
 * as it copies, and a ticket arriving meanwhile waits, so two pauses of ~3 ms
 * serve the intake's tail better than one of ~6 ms (BENCHMARKS.md, 2026-12-07).
 */
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=16',
  '--initial-old-space-size=1024',
];
