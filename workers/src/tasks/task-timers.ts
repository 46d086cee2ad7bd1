import type { TaskTimerJob } from '@gridline/core';
import type { TaskChange, TaskStore } from '@gridline/db';

/** What the task timers need, each behind a port (fakes in unit tests). */
export interface TaskTimerPorts {
  store: Pick<TaskStore, 'expireOffer' | 'noShow' | 'safetyAlert'>;
  /** One step of the offer cascade (OfferCascade.step). */
  offerNext(taskId: number, now: Date): Promise<TaskChange | null>;
  /** Who answers for the task's grid now (told of a safety alert). */
  responsibleFor(taskId: number): Promise<number | null>;
  /** Pushes the change's events through the Redis emitter. */
  publish(change: TaskChange): void;
  /** Adds timer jobs (and removes the stale ones). */
  schedule(timers: readonly TaskTimerJob[], stale: readonly string[]): Promise<void>;
  now(): Date;
}

export type TaskTimerOutcome =
  | { kind: 'expired' | 'no-show'; offered: number }
  | { kind: 'alerted'; notified: number | null }
  | { kind: 'stale' };

/**
 * A task timer fired. Each re-reads the assignment and acts only while it is
 * still at the state and version the timer was scheduled for (the store's
 * conditional update), so late, early or repeated firings change nothing.
 * - offer-expiry: the offer EXPIRED, then the cascade offers the next volunteer;
 * - no-show: the accepted volunteer never checked in: NO_SHOW, slot freed, re-offered;
 * - safety: a home visit not checked out in time: the grid member is alerted, once.
 */
export async function handleTaskTimer(
  job: TaskTimerJob,
  ports: TaskTimerPorts,
): Promise<TaskTimerOutcome> {
  const now = ports.now();
  if (job.kind === 'safety') {
    const notified = await ports.responsibleFor(job.taskId);
    const change = await ports.store.safetyAlert(job, now, notified);
    if (!change) return { kind: 'stale' };
    ports.publish(change);
    return { kind: 'alerted', notified };
  }
  const change =
    job.kind === 'offer-expiry'
      ? await ports.store.expireOffer(job, now)
      : await ports.store.noShow(job, now);
  if (!change) return { kind: 'stale' };
  ports.publish(change);
  // The expiry is committed: if the next offers fail, the reconciler runs the step again.
  const next = await ports.offerNext(job.taskId, now);
  if (next) ports.publish(next);
  await ports.schedule(
    [...change.timers, ...(next?.timers ?? [])],
    [...change.staleTimers, ...(next?.staleTimers ?? [])],
  );
  const offered = next?.events.filter((event) => event.type === 'task.offered').length ?? 0;
  return { kind: job.kind === 'offer-expiry' ? 'expired' : 'no-show', offered };
}
