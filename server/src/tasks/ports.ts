import type { TaskTimerJob, TicketSummary } from '@gridline/core';
import type { TaskChange, TaskStore } from '@gridline/db';
import type { AuthContext } from '../http/types.ts';

/** The task store as the service uses it (the real one: TaskStore in @gridline/db). */
export type TaskRepository = Pick<
  TaskStore,
  | 'create'
  | 'accept'
  | 'decline'
  | 'checkIn'
  | 'checkOut'
  | 'cancel'
  | 'reoffer'
  | 'find'
  | 'summary'
  | 'assignmentOf'
  | 'detail'
  | 'timeline'
  | 'list'
  | 'myTasks'
>;

/** One step of the offer cascade (OfferCascade in @gridline/db). */
export interface CascadeStep {
  step(taskId: number, now: Date, actorId?: number | null): Promise<TaskChange | null>;
}

export interface TaskPublisher {
  /** Pushes the change's events to their rooms. Call only after commit. */
  publish(change: TaskChange): void;
}

export interface TaskTimerScheduler {
  schedule(jobs: readonly TaskTimerJob[]): Promise<void>;
  /** Removes jobs by id (those a change made pointless; they would no-op anyway). */
  cancel(jobIds: readonly string[]): Promise<void>;
}

/** What the service needs to know about people, places and tickets besides tasks. */
export interface TaskDirectory {
  /** The codes among `codes` that name no skill. */
  unknownSkills(codes: readonly string[]): Promise<string[]>;
  careRecipient(
    id: number,
  ): Promise<{ id: number; communityId: number; gridId: number | null } | null>;
  /** The ticket if the caller may see it (404/403 otherwise), with its description. */
  visibleTicket(
    ticketId: number,
    auth: AuthContext,
  ): Promise<{ ticket: TicketSummary; description: string }>;
  /** Notes on the ticket's timeline that volunteers were asked (pushed to the ticket's rooms). */
  noteVolunteersAsked(ticketId: number, taskId: number, actorId: number): Promise<void>;
}
