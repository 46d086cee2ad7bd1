import {
  AWAITING_ACCEPT,
  MAX_SUMMONS_LEVEL,
  RATING_WINDOW_DAYS,
  deadlinePolicySchema,
  scaledMs,
  policyFor,
  reminderJobs,
  PRIORITIES,
  type DeadlinePolicy,
  type Priority,
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
 *
 * Only timers due before `now + horizonMs` are looked at: the caller passes
 * more than its interval, so every timer is re-created by the pass before it
 * falls due, and a pass costs what is due soon, not every pending deadline
 * (with 100,000 pending, re-adding them all every 30 s took seconds of CPU
 * and made the timers firing meanwhile late).
 */
export async function reconcileTimers(
  prisma: PrismaClient,
  schedule: (jobs: TicketTimerJob[]) => Promise<void>,
  timeScale = 1,
  now = new Date(),
  horizonMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  const horizon = Number.isFinite(horizonMs) ? new Date(now.getTime() + horizonMs) : null;
  const before = (extraMs = 0) =>
    horizon ? { lt: new Date(horizon.getTime() + extraMs) } : { not: null };
  let cursor = 0;
  let total = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: { id: { gt: cursor }, status: { in: [...AWAITING_ACCEPT] }, acceptBy: before() },
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
  // Resolve deadlines of accepted tickets whose clock runs and that are not yet overdue,
  // with their reminders: those come before the deadline by up to a share of the
  // resolve window that depends on the category and priority, hence one query per lead.
  const policies = await categoryPolicies(prisma);
  for (const { leadMs, kinds } of reminderLeads(policies, timeScale)) {
    total += await reconcileResolveTimers(prisma, schedule, policies, timeScale, now, {
      resolveBy: before(leadMs),
      OR: kinds,
    });
  }
  // Rating windows of resolved tickets nobody rated (closable without verification, or verified).
  const windowMs = scaledMs(RATING_WINDOW_DAYS * 24 * 60, timeScale);
  cursor = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: {
        id: { gt: cursor },
        updatedAt: horizon ? { lt: new Date(horizon.getTime() - windowMs) } : undefined,
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
      reportBy: horizon ? { lt: horizon } : undefined,
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

interface ReminderLead {
  /** How long before the resolve deadline the earliest reminder falls. */
  leadMs: number;
  kinds: { categoryId: number; priority: Priority }[];
}

async function categoryPolicies(prisma: PrismaClient): Promise<Map<number, DeadlinePolicy>> {
  const categories = await prisma.category.findMany({ select: { id: true, policy: true } });
  return new Map(categories.map((row) => [row.id, deadlinePolicySchema.parse(row.policy)]));
}

/** The (category, priority) pairs grouped by their earliest reminder's lead on the deadline. */
export function reminderLeads(
  policies: ReadonlyMap<number, DeadlinePolicy>,
  timeScale: number,
): ReminderLead[] {
  const byLead = new Map<number, ReminderLead>();
  for (const [categoryId, policy] of policies) {
    for (const priority of PRIORITIES) {
      const { resolveMinutes, reminders } = policyFor(policy, priority);
      const earliest = Math.min(1, ...reminders);
      const leadMs = Math.round((1 - earliest) * scaledMs(resolveMinutes, timeScale));
      let lead = byLead.get(leadMs);
      if (!lead) byLead.set(leadMs, (lead = { leadMs, kinds: [] }));
      lead.kinds.push({ categoryId, priority });
    }
  }
  return [...byLead.values()];
}

async function reconcileResolveTimers(
  prisma: PrismaClient,
  schedule: (jobs: TicketTimerJob[]) => Promise<void>,
  policies: ReadonlyMap<number, DeadlinePolicy>,
  timeScale: number,
  now: Date,
  due: { resolveBy: { lt: Date } | { not: null }; OR: ReminderLead['kinds'] },
): Promise<number> {
  let cursor = 0;
  let total = 0;
  for (;;) {
    const rows = await prisma.ticket.findMany({
      where: {
        id: { gt: cursor },
        status: { in: ['ACCEPTED', 'IN_PROGRESS'] },
        overdue: false,
        ...due,
      },
      select: {
        id: true,
        version: true,
        escalationLevel: true,
        resolveBy: true,
        priority: true,
        categoryId: true,
      },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    if (rows.length === 0) break;
    await schedule(
      rows.flatMap((row) => {
        const resolveBy = (row.resolveBy as Date).toISOString();
        const policy = policyFor(policies.get(row.categoryId)!, row.priority);
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
  return total;
}
