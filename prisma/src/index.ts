export { createPrismaClient, databaseUrl, DEFAULT_DATABASE_URL } from './client.ts';
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
