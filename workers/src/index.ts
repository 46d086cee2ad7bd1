export { createWorkersRuntime } from './runtime.ts';
export type { WorkersConfig, WorkersRuntime } from './runtime.ts';
export { escalateOnAcceptDeadline, escalateOnResolveDeadline } from './timers/escalation.ts';
export { reconcileTimers } from './timers/reconciler.ts';
export type { SmsGateway } from './notifications/sms-gateway.ts';
