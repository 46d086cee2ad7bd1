import type { PrismaClient } from '@gridline/db';
import { notFound } from '../http/errors.ts';
import type { DutyRepository } from '../positions/ports.ts';
import { notApproved } from './volunteer-service.ts';

/**
 * A volunteer's durable duty flag: `volunteers.on_duty` (what the offer
 * cascade reads) and `users.on_duty`, together. Going on duty is conditional
 * on the volunteer being approved, so it cannot race past a suspension.
 * Volunteers carry no tickets: their load is 0.
 */
export class VolunteerDutyRepository implements DutyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async setOnDuty(userId: number, onDuty: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.volunteer.updateMany({
        where: { userId, ...(onDuty ? { status: 'APPROVED' } : {}) },
        data: { onDuty },
      });
      if (count === 0) {
        const volunteer = await tx.volunteer.findUnique({
          where: { userId },
          select: { status: true },
        });
        throw volunteer ? notApproved(volunteer.status) : notFound('Volunteer');
      }
      await tx.user.updateMany({ where: { id: userId }, data: { onDuty } });
    });
  }

  async isOnDuty(userId: number): Promise<boolean> {
    const volunteer = await this.prisma.volunteer.findUnique({
      where: { userId },
      select: { onDuty: true, status: true, user: { select: { active: true } } },
    });
    return (
      volunteer !== null &&
      volunteer.onDuty &&
      volunteer.status === 'APPROVED' &&
      volunteer.user.active
    );
  }

  async openTicketCount(): Promise<number> {
    return 0;
  }
}
