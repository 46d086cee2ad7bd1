import { OPEN_STATUSES } from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { notFound } from '../http/errors.ts';
import type { DutyRepository } from './ports.ts';

/** `User.onDuty` (read by intake routing) and the user's open load. */
export class PrismaDutyRepository implements DutyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async setOnDuty(userId: number, onDuty: boolean): Promise<void> {
    const { count } = await this.prisma.user.updateMany({
      where: { id: userId, active: true },
      data: { onDuty },
    });
    if (count === 0) throw notFound('User');
  }

  async isOnDuty(userId: number): Promise<boolean> {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { onDuty: true, active: true },
    });
    return user !== null && user.active && user.onDuty;
  }

  openTicketCount(userId: number): Promise<number> {
    return this.prisma.ticket.count({
      where: { assigneeId: userId, status: { in: [...OPEN_STATUSES] } },
    });
  }
}
