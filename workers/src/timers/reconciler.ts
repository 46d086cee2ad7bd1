import {
  AWAITING_ACCEPT,
  MAX_SUMMONS_LEVEL,
  RATING_WINDOW_DAYS,
  deadlinePolicySchema,
  scaledMs,
  policyFor,
  reminderJobs,
  type TicketTimerJob,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';

const PAGE = 2000;
const REMINDER_GRACE_MS = 10 * 60_000;

/**
 * Redis may lose timers (flush, failover, a crash between commit and
 * scheduling). PostgreSQL knows every deadline: re-add the accept-deadline job
 * for each ticket awaiting acceptance, and the resolve-deadline job for each
 * accepted ticket whose resolve clock runs. Job ids are deterministic, so adding
 * one that exists is a no-op, and a due one fires at once.
 */
export async function reconcileTimers(
  prisma: PrismaClient,
  schedule: (jobs: TicketTimerJob[]) => Promise<void>,
  timeScale = 1,
  now = new Date(),
): Promise<number> {
  let cursor = 0;
  let total = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: { id: { gt: cursor }, status: { in: [...AWAITING_ACCEPT] }, acceptBy: { not: null } },
      select: { id: true, version: true, escalationLevel: true, acceptBy: true },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    if (rows.length === 0) break;
    await schedule(
      rows.map((row) => ({
        kind: 'accept-deadline',
        ticketId: row.id,
        version: row.version,
        level: row.escalationLevel,
        dueAt: (row.acceptBy as Date).toISOString(),
      })),
    );
    total += rows.length;
    cursor = rows.at(-1)!.id;
  }
  // Resolve deadlines of accepted tickets whose clock runs and that are not yet overdue.
  cursor = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: {
        id: { gt: cursor },
        status: { in: ['ACCEPTED', 'IN_PROGRESS'] },
        overdue: false,
        resolveBy: { not: null },
      },
      select: {
        id: true,
        version: true,
        escalationLevel: true,
        resolveBy: true,
        priority: true,
        category: { select: { policy: true } },
      },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    if (rows.length === 0) break;
    await schedule(
      rows.flatMap((row) => {
        const resolveBy = (row.resolveBy as Date).toISOString();
        const policy = policyFor(deadlinePolicySchema.parse(row.category.policy), row.priority);
        return [
          {
            kind: 'resolve-deadline' as const,
            ticketId: row.id,
            version: row.version,
            level: row.escalationLevel,
            dueAt: resolveBy,
          },
          // Reminders missed a little while ago still go out (sent once: the worker checks).
          ...reminderJobs({ ...row, resolveBy }, policy, timeScale, now, REMINDER_GRACE_MS),
        ];
      }),
    );
    total += rows.length;
    cursor = rows.at(-1)!.id;
  }
  // Rating windows of resolved tickets nobody rated (closable without verification, or verified).
  const windowMs = scaledMs(RATING_WINDOW_DAYS * 24 * 60, timeScale);
  cursor = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: {
        id: { gt: cursor },
        OR: [
          { status: 'VERIFIED' },
          { status: 'RESOLVED', category: { requiresVerification: false } },
        ],
      },
      select: { id: true, version: true, escalationLevel: true, updatedAt: true },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    if (rows.length === 0) break;
    await schedule(
      rows.map((row) => ({
        kind: 'close-window',
        ticketId: row.id,
        version: row.version,
        level: row.escalationLevel,
        dueAt: new Date(row.updatedAt.getTime() + windowMs).toISOString(),
      })),
    );
    total += rows.length;
    cursor = rows.at(-1)!.id;
  }
  // Summons still waiting for a department's report, below the top of their chain.
  const summons = await prisma.summons.findMany({
    where: {
      status: { in: ['SUMMONED', 'ESCALATED'] },
      escalationLevel: { lt: MAX_SUMMONS_LEVEL },
    },
    select: { id: true, ticketId: true, version: true, escalationLevel: true, reportBy: true },
  });
  if (summons.length > 0) {
    await schedule(
      summons.map((row) => ({
        kind: 'summons-deadline',
        ticketId: row.ticketId,
        summonsId: row.id,
        version: row.version,
        level: row.escalationLevel,
        dueAt: row.reportBy.toISOString(),
      })),
    );
  }
  return total + summons.length;
}
