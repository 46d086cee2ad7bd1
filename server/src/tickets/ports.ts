import type { TicketChange } from '@gridline/db';
import type { CategoryDto, TicketSummary, TicketTimerJob, TicketTimerKind } from '@gridline/core';

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
  schedule(job: TicketTimerJob): Promise<void>;
  cancel(kind: TicketTimerKind, ticketId: number, version: number): Promise<void>;
}

export interface CategoryCatalog {
  byCode(code: string): Promise<(CategoryDto & { id: number }) | null>;
  list(): Promise<CategoryDto[]>;
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
