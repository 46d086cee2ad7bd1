import { z } from 'zod';
import { Prisma, type PrismaClient } from '@gridline/db';
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import {
  IdempotencyTaken,
  type AttachDeviceResult,
  type CareIdempotency,
  type CareRecipientData,
  type CareRecipientRecord,
  type CareRepository,
  type OverdueRow,
} from './ports.ts';

const withDevices = {
  devices: {
    select: { id: true, active: true, lastSeenAt: true },
    orderBy: { createdAt: 'asc' },
  },
} as const satisfies Prisma.CareRecipientInclude;

const storedCreateSchema = z.object({ careRecipientId: z.number().int() });

/** The care registry on PostgreSQL; each write and its audit row commit together. */
export class PrismaCareRepository implements CareRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditLog,
  ) {}

  list(communityId: number): Promise<CareRecipientRecord[]> {
    return this.prisma.careRecipient.findMany({
      where: { communityId },
      include: withDevices,
      orderBy: { id: 'asc' },
    });
  }

  find(id: number): Promise<CareRecipientRecord | null> {
    return this.prisma.careRecipient.findUnique({ where: { id }, include: withDevices });
  }

  async create(
    data: CareRecipientData,
    audit: AuditEntry,
    idempotency: CareIdempotency | null,
  ): Promise<CareRecipientRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.careRecipient.create({ data, include: withDevices });
        await this.audit.record({ ...audit, entityId: String(row.id) }, tx);
        if (idempotency) {
          await tx.idempotencyKey.create({
            data: {
              ...idempotency,
              status: 201,
              response: { careRecipientId: row.id },
            },
          });
        }
        return row;
      });
    } catch (error) {
      if (
        idempotency &&
        error instanceof Prisma.PrismaClientKnownRequestError &&
        error.code === 'P2002'
      ) {
        throw new IdempotencyTaken();
      }
      throw error;
    }
  }

  async findIdempotent(scope: string, key: string) {
    const row = await this.prisma.idempotencyKey.findUnique({
      where: { scope_key: { scope, key } },
    });
    if (!row) return null;
    const stored = storedCreateSchema.safeParse(row.response);
    return stored.success
      ? { requestHash: row.requestHash, careRecipientId: stored.data.careRecipientId }
      : null;
  }

  update(
    id: number,
    expectedUpdatedAt: Date,
    changes: Partial<CareRecipientData>,
    audit: AuditEntry,
  ): Promise<CareRecipientRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.careRecipient.updateMany({
        where: { id, updatedAt: expectedUpdatedAt },
        data: changes,
      });
      if (count === 0) return null;
      await this.audit.record(audit, tx);
      return tx.careRecipient.findUnique({ where: { id }, include: withDevices });
    });
  }

  attachDevice(
    careRecipientId: number,
    deviceId: string,
    audit: (previous: { careRecipientId: number; active: boolean } | null) => AuditEntry,
  ): Promise<AttachDeviceResult> {
    return this.prisma.$transaction(async (tx) => {
      const [before] = await tx.$queryRaw<Array<{ care_recipient_id: number; active: boolean }>>`
        SELECT care_recipient_id, active FROM devices WHERE id = ${deviceId} FOR UPDATE`;
      // A new device, or one inactive anywhere, becomes this household's: one statement.
      const written = await tx.$queryRaw<Array<{ id: string }>>`
        INSERT INTO devices (id, care_recipient_id, active)
        VALUES (${deviceId}, ${careRecipientId}, true)
        ON CONFLICT (id) DO UPDATE
          SET care_recipient_id = EXCLUDED.care_recipient_id, active = true
          WHERE devices.active = false
        RETURNING id`;
      if (written.length > 0) {
        const previous = before
          ? { careRecipientId: before.care_recipient_id, active: before.active }
          : null;
        await this.audit.record(audit(previous), tx);
        return { kind: 'attached', previous };
      }
      // Active already: here (nothing to do) or elsewhere (someone else's button).
      const [holder] = await tx.$queryRaw<Array<{ care_recipient_id: number }>>`
        SELECT care_recipient_id FROM devices WHERE id = ${deviceId}`;
      if (!holder || holder.care_recipient_id === careRecipientId) return { kind: 'unchanged' };
      return { kind: 'taken', careRecipientId: holder.care_recipient_id };
    });
  }

  deactivateDevice(
    careRecipientId: number,
    deviceId: string,
    audit: AuditEntry,
  ): Promise<'deactivated' | 'unchanged' | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.device.updateMany({
        where: { id: deviceId, careRecipientId, active: true },
        data: { active: false },
      });
      if (count > 0) {
        await this.audit.record(audit, tx);
        return 'deactivated';
      }
      const exists = await tx.device.count({ where: { id: deviceId, careRecipientId } });
      return exists > 0 ? 'unchanged' : null;
    });
  }

  async overdue(query: {
    regionId: number | null;
    now: Date;
    timeScale: number;
    limit: number;
  }): Promise<OverdueRow[]> {
    // The rule of core's overdueVisits(): due = (last visit or registration)
    // + round(days * 86 400 000 / TIME_SCALE) ms, overdue when due < now.
    const due = Prisma.sql`(coalesce(c.last_visit_at, c.created_at)
      + (round(c.visit_every_days * 86400000.0 / ${query.timeScale}::float8)::float8
         * interval '1 millisecond'))`;
    const scope =
      query.regionId === null
        ? Prisma.empty
        : Prisma.sql`AND (c.community_id IN (SELECT id FROM scope) OR c.grid_id IN (SELECT id FROM scope))`;
    const withScope =
      query.regionId === null
        ? Prisma.empty
        : Prisma.sql`WITH RECURSIVE scope AS (
            SELECT id FROM regions WHERE id = ${query.regionId}
            UNION ALL
            SELECT r.id FROM regions r JOIN scope s ON r.parent_id = s.id
          )`;
    const rows = await this.prisma.$queryRaw<
      Array<{
        id: number;
        community_id: number;
        household_name: string;
        first_name: string;
        address: string;
        due_at: Date;
      }>
    >`
      ${withScope}
      SELECT c.id, c.community_id, c.household_name, c.first_name, c.address, ${due} AS due_at
      FROM care_recipients c
      WHERE c.visit_every_days IS NOT NULL
        AND ${due} < ${query.now}
        ${scope}
      ORDER BY due_at, c.id
      LIMIT ${query.limit}`;
    return rows.map((row) => ({
      id: row.id,
      communityId: row.community_id,
      householdName: row.household_name,
      firstName: row.first_name,
      address: row.address,
      dueAt: row.due_at,
    }));
  }
}
