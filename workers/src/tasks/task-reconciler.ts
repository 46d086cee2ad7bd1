import { NO_SHOW_GRACE_MINUTES, scaledMs, type TaskTimerJob } from '@gridline/core';
import { noShowDueAt, safetyDueAt, type PrismaClient } from '@gridline/db';

/** Rows per query; the rest come in the next pass. */
const PAGE = 5_000;
/** Cascade steps re-run per pass at most. */
const MAX_STEPS = 200;

export interface TaskReconcilePorts {
  prisma: PrismaClient;
  /** Adds timer jobs (deterministic ids: existing ones stay as they are). */
  schedule(jobs: TaskTimerJob[]): Promise<void>;
  /** Runs one cascade step for a task (and pushes and schedules what it did). */
  step(taskId: number): Promise<void>;
  timeScale: number;
}

/**
 * Redis may lose task timers (flush, failover, a crash between commit and
 * scheduling); PostgreSQL knows every one of them. Re-adds, for what falls due
 * before `now + horizonMs`: the expiry of every open offer, the no-show timer
 * of every accepted volunteer not yet checked in, the safety timer of every
 * home visit checked in and not yet alerted. Job ids are deterministic
 * (`<kind>-<assignment>-<version>`), so adding one that exists is a no-op;
 * overdue ones fire at once. Then it re-runs the cascade step of every task
 * still looking for volunteers with no offer open (a step lost after its
 * commit). Returns how many timers and steps it (re)issued.
 */
export async function reconcileTaskTimers(
  ports: TaskReconcilePorts,
  now: Date,
  horizonMs: number,
): Promise<number> {
  const { prisma, timeScale } = ports;
  const horizon = new Date(now.getTime() + horizonMs);
  const jobs: TaskTimerJob[] = [];

  const offers = await prisma.$queryRawUnsafe<
    Array<{ id: number; task_id: number; version: number; expires_at: Date }>
  >(
    `SELECT id, task_id, version, expires_at FROM task_assignments
     WHERE status = 'OFFERED' AND expires_at < $1 ORDER BY expires_at LIMIT ${PAGE}`,
    horizon,
  );
  for (const row of offers) {
    jobs.push({
      kind: 'offer-expiry',
      taskId: row.task_id,
      assignmentId: row.id,
      version: row.version,
      dueAt: row.expires_at.toISOString(),
    });
  }

  const accepted = await prisma.$queryRawUnsafe<
    Array<{ id: number; task_id: number; version: number; starts_at: Date; accepted_at: Date }>
  >(
    `SELECT a.id, a.task_id, a.version, t.starts_at, a.accepted_at
     FROM task_assignments a JOIN tasks t ON t.id = a.task_id
     WHERE a.status = 'ACCEPTED' AND a.accepted_at IS NOT NULL
       AND GREATEST(t.starts_at, a.accepted_at) < $1
     LIMIT ${PAGE}`,
    new Date(horizon.getTime() - scaledMs(NO_SHOW_GRACE_MINUTES, timeScale)),
  );
  for (const row of accepted) {
    jobs.push({
      kind: 'no-show',
      taskId: row.task_id,
      assignmentId: row.id,
      version: row.version,
      dueAt: noShowDueAt(row.starts_at, row.accepted_at, timeScale).toISOString(),
    });
  }

  const visits = await prisma.$queryRawUnsafe<
    Array<{
      id: number;
      task_id: number;
      version: number;
      check_in_at: Date;
      duration_minutes: number;
    }>
  >(
    `SELECT a.id, a.task_id, a.version, a.check_in_at, t.duration_minutes
     FROM task_assignments a JOIN tasks t ON t.id = a.task_id
     WHERE a.status = 'CHECKED_IN' AND a.check_in_at IS NOT NULL
       AND a.safety_alerted_at IS NULL AND t.care_recipient_id IS NOT NULL
     LIMIT ${PAGE}`,
  );
  for (const row of visits) {
    const dueAt = safetyDueAt(row.check_in_at, row.duration_minutes, timeScale);
    if (dueAt >= horizon) continue;
    jobs.push({
      kind: 'safety',
      taskId: row.task_id,
      assignmentId: row.id,
      version: row.version,
      dueAt: dueAt.toISOString(),
    });
  }
  if (jobs.length > 0) await ports.schedule(jobs);

  // Tasks looking for volunteers with no offer open and no step to come: run one.
  const idle = await prisma.$queryRawUnsafe<Array<{ id: number }>>(
    `SELECT t.id FROM tasks t
     WHERE t.status IN ('OPEN', 'OFFERING') AND t.filled_slots < t.slots AND t.ends_at > $1
       AND NOT EXISTS (SELECT 1 FROM task_assignments a
         WHERE a.task_id = t.id AND a.status = 'OFFERED')
     ORDER BY t.id LIMIT ${MAX_STEPS}`,
    now,
  );
  for (const { id } of idle) await ports.step(id);
  return jobs.length + idle.length;
}
