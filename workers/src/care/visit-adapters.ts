import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CareVisitJob } from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import type {
  CadencedHousehold,
  ExistingScheduler,
  VisitHousehold,
  VisitPorts,
  VisitSchedulerQueue,
} from './visit-schedules.ts';

/** Name of the jobs the visit schedulers produce. */
export const CARE_VISIT_JOB_NAME = 'care-visit';

/** The care-visits queue's job schedulers in BullMQ. */
export class BullVisitSchedulerQueue implements VisitSchedulerQueue {
  constructor(private readonly queue: Queue<CareVisitJob>) {}

  async list(): Promise<ExistingScheduler[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true);
    return schedulers.map((scheduler) => ({ id: scheduler.key, every: scheduler.every ?? null }));
  }

  async upsert(id: string, everyMs: number, startDate: Date, data: CareVisitJob): Promise<void> {
    await this.queue.upsertJobScheduler(
      id,
      { every: everyMs, startDate },
      {
        name: CARE_VISIT_JOB_NAME,
        data,
        opts: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      },
    );
  }

  async remove(id: string): Promise<void> {
    await this.queue.removeJobScheduler(id);
  }
}

/** Households with a cadence, read from PostgreSQL. */
export async function cadencedHouseholds(prisma: PrismaClient): Promise<CadencedHousehold[]> {
  const rows = await prisma.careRecipient.findMany({
    where: { visitEveryDays: { not: null } },
    select: { id: true, visitEveryDays: true, lastVisitAt: true, createdAt: true },
    orderBy: { id: 'asc' },
  });
  const households: CadencedHousehold[] = [];
  for (const row of rows) {
    if (row.visitEveryDays !== null)
      households.push({ ...row, visitEveryDays: row.visitEveryDays });
  }
  return households;
}

/** The processor's reads on PostgreSQL and its slot claims in Redis. */
export function visitRepositoryPorts(
  prisma: PrismaClient,
  redis: Redis,
  redisPrefix: string,
): Pick<VisitPorts, 'loadHousehold' | 'hasVisitTask' | 'creatorFor' | 'claimSlot' | 'releaseSlot'> {
  const slotKey = (careRecipientId: number, slotAt: Date) =>
    `${redisPrefix}:care-visit-slot:${careRecipientId}:${slotAt.getTime()}`;
  return {
    loadHousehold: (id: number): Promise<VisitHousehold | null> =>
      prisma.careRecipient.findUnique({
        where: { id },
        select: {
          id: true,
          communityId: true,
          gridId: true,
          firstName: true,
          address: true,
          lat: true,
          lng: true,
          visitEveryDays: true,
          lastVisitAt: true,
        },
      }),
    async hasVisitTask(careRecipientId, slotAt, now) {
      const task = await prisma.task.findFirst({
        where: {
          careRecipientId,
          OR: [
            { status: { in: ['FILLED', 'IN_PROGRESS'] } },
            { status: { in: ['OPEN', 'OFFERING', 'HANDED_OVER'] }, endsAt: { gt: now } },
            { createdAt: { gte: slotAt } },
          ],
        },
        select: { id: true },
      });
      return task !== null;
    },
    async creatorFor(household) {
      const staff = await prisma.user.findFirst({
        where: { role: 'COMMUNITY_STAFF', regionId: household.communityId, active: true },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      if (staff) return staff.id;
      if (household.gridId === null) return null;
      const grid = await prisma.gridAssignment.findUnique({
        where: { gridId: household.gridId },
        select: { memberId: true },
      });
      return grid?.memberId ?? null;
    },
    async claimSlot(careRecipientId, slotAt, ttlMs) {
      const claimed = await redis.set(
        slotKey(careRecipientId, slotAt),
        '1',
        'PX',
        Math.max(1000, Math.round(ttlMs)),
        'NX',
      );
      return claimed === 'OK';
    },
    async releaseSlot(careRecipientId, slotAt) {
      await redis.del(slotKey(careRecipientId, slotAt));
    },
  };
}
