import type { PriorityPolicy } from './categories.ts';
import { reminderTimes, scaledMs } from './deadlines.ts';
/** BullMQ queue and job contracts shared by server (producer) and workers. */
export const TICKET_TIMERS_QUEUE = 'ticket-timers';

export type TicketTimerKind =
  | 'accept-deadline'
  | 'resolve-deadline'
  | 'reminder'
  | 'close-window'
  | 'summons-deadline';

export interface TicketTimerJob {
  kind: TicketTimerKind;
  ticketId: number;
  /** The ticket version the timer was scheduled for; a mismatch makes the job a no-op. */
  version: number;
  /** Escalation level at scheduling time (accept deadlines). */
  level: number;
  dueAt: string;
  /** The summons a `summons-deadline` job watches (its `version` is the summons' version). */
  summonsId?: number;
  /** Which reminder of the resolve window (0, 1, ...) for `reminder` jobs. */
  seq?: number;
  /** The fraction of the resolve window a reminder marks. */
  fraction?: number;
  /** The resolve-by a reminder was computed for; a moved deadline makes it a no-op. */
  deadline?: string;
  /** Request id that created the ticket, for log correlation. */
  requestId?: string;
}

/** Deterministic id: `<kind>-<entity id>-<version>` (BullMQ ids may not contain ':'). */
export function ticketTimerJobId(
  kind: TicketTimerKind,
  ticketId: number,
  version: number,
  seq?: number,
): string {
  return seq === undefined
    ? `${kind}-${ticketId}-${version}`
    : `${kind}-${ticketId}-${version}-${seq}`;
}

export interface TimerJobSpec {
  name: TicketTimerKind;
  data: TicketTimerJob;
  opts: {
    jobId: string;
    delay: number;
    attempts: number;
    backoff: { type: 'exponential'; delay: number };
    removeOnComplete: true;
    removeOnFail: true;
  };
}

/** The deterministic id of a ticket timer's job (a summons' deadline is the summons'). */
export function jobIdOfTimer(data: TicketTimerJob): string {
  return data.summonsId === undefined
    ? ticketTimerJobId(data.kind, data.ticketId, data.version, data.seq)
    : ticketTimerJobId(data.kind, data.summonsId, data.version);
}

/** The BullMQ job for a ticket timer, delayed until `dueAt` (at once when already due). */
export function ticketTimerJob(data: TicketTimerJob, now: Date): TimerJobSpec {
  return {
    name: data.kind,
    data,
    opts: {
      jobId: jobIdOfTimer(data),
      delay: Math.max(0, new Date(data.dueAt).getTime() - now.getTime()),
      attempts: 8,
      backoff: { type: 'exponential', delay: 500 },
      // Finished jobs free their id either way: a job that failed for good must not
      // block the reconciler from re-creating the deadline it stands for.
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}

/**
 * The reminder jobs for a resolve deadline: one at each fraction of the
 * resolve window before it, skipping those more than `graceMs` in the past.
 */
export function reminderJobs(
  ticket: { id: number; version: number; escalationLevel: number; resolveBy: string },
  policy: PriorityPolicy,
  timeScale: number,
  now: Date,
  graceMs = 0,
): TicketTimerJob[] {
  const deadline = new Date(ticket.resolveBy);
  const windowStart = new Date(deadline.getTime() - scaledMs(policy.resolveMinutes, timeScale));
  return reminderTimes(policy, windowStart, deadline).flatMap((at, seq) =>
    at.getTime() < now.getTime() - graceMs
      ? []
      : [
          {
            kind: 'reminder' as const,
            ticketId: ticket.id,
            version: ticket.version,
            level: ticket.escalationLevel,
            seq,
            fraction: policy.reminders[seq]!,
            deadline: ticket.resolveBy,
            dueAt: at.toISOString(),
          },
        ],
  );
}
