import type { PrismaClient } from '@gridline/db';
import type { IdempotencyRecord, IdempotencyRepository } from '../tickets/ports.ts';

export class PrismaIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.prisma.idempotencyKey.findUnique({
      where: { scope_key: { scope, key } },
    });
    return row && { requestHash: row.requestHash, status: row.status, response: row.response };
  }
}
