import type { Prisma, PrismaClient } from '@gridline/db';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  entity: string;
  entityId?: string | null;
  details?: Prisma.InputJsonObject;
  ip?: string | null;
}

/** The audit trail: every admin change and every read of a care recipient's record. */
export class AuditLog {
  constructor(private readonly prisma: PrismaClient) {}

  async record(
    entry: AuditEntry,
    tx: Prisma.TransactionClient | PrismaClient = this.prisma,
  ): Promise<void> {
    await tx.auditLog.create({
      data: {
        actorId: entry.actorId,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId ?? null,
        details: entry.details ?? {},
        ip: entry.ip ?? null,
      },
    });
  }
}
