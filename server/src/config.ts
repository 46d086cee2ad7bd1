import {
  DEFAULT_GEOFENCE_M,
  DEFAULTS,
  EnvError,
  parseCommonEnv,
  positiveNumberEnv,
  type CommonEnv,
} from '@gridline/core';

export interface ServerConfig extends CommonEnv {
  port: number;
  host: string;
  tileUrl: string | null;
  sessionSecret: string;
  /** Key for call-button device keys (HMAC of the device id). */
  deviceSecret: string;
  dataDir: string;
  /** Path to the built SvelteKit handler; null serves the API alone. */
  webHandlerPath: string | null;
  secureCookies: boolean;
  /** Metres around a task within which check-in and check-out count (TASK_GEOFENCE_M). */
  taskGeofenceM: number;
  /** The jurisdiction_id Open311 serves (OPEN311_JURISDICTION); others answer 404. */
  open311Jurisdiction: string;
  /** PostgreSQL connections the server opens at start and keeps open (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
}

export { EnvError as ConfigError };

const JURISDICTION_ID = /^[A-Za-z0-9._-]{1,64}$/;

function open311Jurisdiction(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'anshan';
  if (!JURISDICTION_ID.test(raw)) {
    throw new EnvError(
      `OPEN311_JURISDICTION must be 1-64 letters, digits, '.', '_' or '-', got "${raw}"`,
    );
  }
  return raw;
}

const MAX_POOL_SIZE = 100;

function databasePoolSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 10;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE) {
    throw new EnvError(
      `DATABASE_POOL_SIZE must be a whole number from 1 to ${MAX_POOL_SIZE}, got "${raw}"`,
    );
  }
  return size;
}

/** The server's settings; the one place it reads the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    ...parseCommonEnv(env),
    port: positiveNumberEnv('PORT', env.PORT, DEFAULTS.port),
    host: env.HOST || '0.0.0.0',
    tileUrl: env.TILE_URL || null,
    sessionSecret: env.SESSION_SECRET || 'gridline-dev-secret-change-me',
    deviceSecret: env.DEVICE_SECRET || 'gridline-dev-device-secret-change-me',
    dataDir: env.DATA_DIR || 'data',
    webHandlerPath: env.WEB_HANDLER === 'none' ? null : env.WEB_HANDLER || 'web/build/handler.js',
    secureCookies: env.SECURE_COOKIES === '1',
    taskGeofenceM: positiveNumberEnv('TASK_GEOFENCE_M', env.TASK_GEOFENCE_M, DEFAULT_GEOFENCE_M),
    open311Jurisdiction: open311Jurisdiction(env.OPEN311_JURISDICTION),
    databasePoolSize: databasePoolSize(env.DATABASE_POOL_SIZE),
  };
}
