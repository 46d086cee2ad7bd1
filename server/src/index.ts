export { createServerRuntime } from './runtime.ts';
export type { ServerRuntime } from './runtime.ts';
export { loadConfig } from './config.ts';
export type { ServerConfig } from './config.ts';
export { DeviceKeys } from './tickets/device-keys.ts';
export { SessionRepository } from './auth/session-repository.ts';
