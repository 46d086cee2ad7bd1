import type { TicketChange } from '@gridline/db';
import type {
  CategoryAttribute,
  CategoryDto,
  TicketSummary,
  TicketTimerJob,
  TicketTimerKind,
} from '@gridline/core';

/** Side effects the ticket service needs, each behind a small interface. */
export interface TicketPublisher {
  /**
   * Pushes the change's events to its rooms, and to the rooms of `before`
   * (the ticket as it was) when given. Call only after commit.
   */
  publish(change: TicketChange, before?: TicketSummary): void;
  /** Pushes the change's events to these rooms only (followers of a merged duplicate). */
  publishTo(change: TicketChange, rooms: string[]): void;
}

export interface TimerScheduler {
  /** Resolves once the job is in Redis. */
  schedule(job: TicketTimerJob): Promise<void>;
  /**
   * For a caller that need not wait: the job goes to Redis within a few
   * milliseconds, with others. Should it not get there, the workers' reconciler
   * re-creates the timer from the ticket's row.
   */
  scheduleSoon(job: TicketTimerJob): void;
  cancel(kind: TicketTimerKind, ticketId: number, version: number): Promise<void>;
}

/** A category as the catalogue holds it: what everyone sees plus what only the server needs. */
export type CatalogCategory = CategoryDto & {
  id: number;
  attributes: CategoryAttribute[];
  /** Locations are blurred in public views. */
  sensitive: boolean;
};

export interface CategoryCatalog {
  byCode(code: string): Promise<CatalogCategory | null>;
  /** The active categories as everyone may see them, in their order. */
  list(): Promise<CategoryDto[]>;
  /** The active categories with what only the server needs, in their order. */
  entries(): Promise<CatalogCategory[]>;
}

export interface Clock {
  now(): Date;
}

export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  response: unknown;
}

export interface IdempotencyRepository {
  find(scope: string, key: string): Promise<IdempotencyRecord | null>;
}

export const systemClock: Clock = { now: () => new Date() };
