import type { DeadlinePolicy, Priority, PriorityPolicy } from './categories.ts';

/** Levels of the escalation chain; the ticket's escalationLevel indexes it. */
export const ESCALATION_LEVELS = ['GRID', 'COMMUNITY', 'STREET', 'DISTRICT', 'CITY'] as const;
export type EscalationLevelName = (typeof ESCALATION_LEVELS)[number];
export const MAX_ESCALATION_LEVEL = ESCALATION_LEVELS.length - 1;

const MINUTE_MS = 60_000;

/** Real milliseconds for a policy duration, divided by TIME_SCALE. */
export function scaledMs(minutes: number, timeScale: number): number {
  if (!(timeScale > 0)) throw new RangeError(`TIME_SCALE must be positive, got ${timeScale}`);
  return Math.round((minutes * MINUTE_MS) / timeScale);
}

export function policyFor(policy: DeadlinePolicy, priority: Priority): PriorityPolicy {
  return policy[priority];
}

export interface Deadlines {
  acceptBy: Date;
  resolveBy: Date;
}

export function initialDeadlines(
  policy: PriorityPolicy,
  createdAt: Date,
  timeScale: number,
): Deadlines {
  return {
    acceptBy: new Date(createdAt.getTime() + scaledMs(policy.acceptMinutes, timeScale)),
    resolveBy: new Date(createdAt.getTime() + scaledMs(policy.resolveMinutes, timeScale)),
  };
}

/**
 * The accept deadline given to the next level when a ticket escalates from
 * `fromLevel`, or null when the chain has ended (a city alert needs no timer).
 */
export function nextEscalation(
  policy: PriorityPolicy,
  fromLevel: number,
  escalatedAt: Date,
  timeScale: number,
): { level: number; acceptBy: Date | null } | null {
  const level = fromLevel + 1;
  if (level > MAX_ESCALATION_LEVEL) return null;
  const minutes = policy.escalationAcceptMinutes[level - 1];
  return {
    level,
    acceptBy:
      minutes === undefined ? null : new Date(escalatedAt.getTime() + scaledMs(minutes, timeScale)),
  };
}

/** Moments at which the assignee is reminded, between `from` and the deadline. */
export function reminderTimes(policy: PriorityPolicy, from: Date, deadline: Date): Date[] {
  const span = deadline.getTime() - from.getTime();
  return policy.reminders.map((fraction) => new Date(from.getTime() + span * fraction));
}

/** Deadlines move by the time a ticket spent pending. */
export function shiftDeadline(deadline: Date | null, pausedMs: number): Date | null {
  return deadline === null ? null : new Date(deadline.getTime() + Math.max(0, pausedMs));
}
