export {
  createPrismaClient,
  databaseUrl,
  DEFAULT_DATABASE_URL,
  isUniqueViolation,
  openConnections,
} from './client.ts';
export type { PrismaOptions } from './client.ts';
export { PrismaClient, Prisma } from './generated/prisma/client.ts';
export * from './generated/prisma/enums.ts';
export type * from './generated/prisma/models.ts';
export { TicketStore } from './tickets/ticket-store.ts';
export type {
  NewTicketEvent,
  LikelyDuplicate,
  NewIdempotency,
  NewTicket,
  TicketChange,
  TicketForAction,
  TransitionRequest,
} from './tickets/ticket-store.ts';
export { toTicketSummary, toEventPayload, withCategory } from './tickets/ticket-summary.ts';
export type { TicketWithCategory } from './tickets/ticket-summary.ts';
export { RegionDirectory, loadRegionDirectory } from './regions/region-directory.ts';
export type { RegionNode, RoutingResult } from './regions/region-directory.ts';
export { findResponsibleUser } from './tickets/escalation-targets.ts';
export type { TicketRegions } from './tickets/escalation-targets.ts';
export { migrate, MigrationError } from './migrations/runner.ts';
export { seedDemoCity, isSeeded, DEMO_VOLUNTEERS } from './seed/seed-demo-city.ts';
export type { SeedSummary } from './seed/seed-demo-city.ts';
export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed/demo-accounts.ts';
export type { DemoAccount } from './seed/demo-accounts.ts';
export { RedisVolunteerLocator, volunteerLocatorKeys } from './volunteers/volunteer-locator.ts';
export { TaskStore, TaskConflict } from './tasks/task-store.ts';
export type {
  NewTask,
  NewTaskIdempotency,
  TaskDetail,
  TaskListFilter,
} from './tasks/task-store.ts';
export { OfferCascade } from './tasks/offer-cascade.ts';
export type { OfferCascadeOptions } from './tasks/offer-cascade.ts';
export {
  taskPushes,
  toTaskSummary,
  toAssignmentSummary,
  withoutCareName,
  taskSummaryInclude,
} from './tasks/task-summary.ts';
export type { TaskChange, TaskPush, TaskWithRelations } from './tasks/task-summary.ts';
export { taskTimerJobSpec, noShowDueAt, safetyDueAt } from './tasks/task-timers.ts';
export type { TaskTimerJobSpec } from './tasks/task-timers.ts';
export { loadVapidKeys, generateVapidKeys } from './notifications/vapid-keys.ts';
export type { VapidKeys } from './notifications/vapid-keys.ts';
