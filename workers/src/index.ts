export { createWorkersRuntime } from './runtime.ts';
export type { WorkersConfig, WorkersRuntime } from './runtime.ts';
export { escalateOnAcceptDeadline } from './timers/escalation.ts';
export { reconcileTimers } from './timers/reconciler.ts';
