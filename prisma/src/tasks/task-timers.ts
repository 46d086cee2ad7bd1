import {
  NO_SHOW_GRACE_MINUTES,
  SAFETY_GRACE_MINUTES,
  scaledMs,
  taskTimerJobId,
  type TaskTimerJob,
} from '@gridline/core';

export interface TaskTimerJobSpec {
  name: TaskTimerJob['kind'];
  data: TaskTimerJob;
  opts: {
    jobId: string;
    delay: number;
    attempts: number;
    backoff: { type: 'exponential'; delay: number };
    removeOnComplete: true;
    removeOnFail: true;
  };
}

/** The BullMQ job for a task timer, delayed until `dueAt` (at once when already due). */
export function taskTimerJobSpec(data: TaskTimerJob, now: Date): TaskTimerJobSpec {
  return {
    name: data.kind,
    data,
    opts: {
      jobId: taskTimerJobId(data.kind, data.assignmentId, data.version),
      delay: Math.max(0, Date.parse(data.dueAt) - now.getTime()),
      attempts: 8,
      backoff: { type: 'exponential', delay: 500 },
      // Finished jobs free their id: the reconciler may need to add it again.
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}

/** When an accepted volunteer who has not checked in becomes a no-show. */
export function noShowDueAt(startsAt: Date, acceptedAt: Date, timeScale: number): Date {
  const from = Math.max(startsAt.getTime(), acceptedAt.getTime());
  return new Date(from + scaledMs(NO_SHOW_GRACE_MINUTES, timeScale));
}

/** When a home visit not yet checked out alerts the grid member. */
export function safetyDueAt(checkInAt: Date, durationMinutes: number, timeScale: number): Date {
  return new Date(
    checkInAt.getTime() +
      scaledMs(durationMinutes, timeScale) +
      scaledMs(SAFETY_GRACE_MINUTES, timeScale),
  );
}
