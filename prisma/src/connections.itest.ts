import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient, openConnections, poolOf } from './client.ts';
import { createTestDatabase } from './testing/test-database.ts';

describe('connections opened at start and kept', () => {
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function backendsOn(url: string): Promise<number> {
    const observer = createPrismaClient({ url, max: 1 });
    try {
      const [row] = await observer.$queryRawUnsafe<Array<{ count: number }>>(
        'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      return row!.count;
    } finally {
      await observer.$disconnect();
    }
  }

  it('opens the asked number of backends before any query, all idle and ready', async () => {
    const prisma = createPrismaClient({ url: database.url, max: 6, keepOpen: 4 });
    try {
      expect(await backendsOn(database.url)).toBe(0);
      await openConnections(prisma);
      const pool = poolOf(prisma)!;
      expect(pool.totalCount).toBe(4);
      expect(pool.idleCount).toBe(4);
      expect(await backendsOn(database.url)).toBe(4);
      // The next queries use them rather than opening more.
      await Promise.all([1, 2, 3].map((n) => prisma.$queryRawUnsafe(`SELECT ${n}`)));
      expect(pool.totalCount).toBe(4);
    } finally {
      await prisma.$disconnect();
    }
    expect(await backendsOn(database.url)).toBe(0);
  });

  it('reports a database it cannot reach and keeps nothing checked out', async () => {
    const unreachable = new URL(database.url);
    unreachable.pathname = '/gridline_no_such_database';
    const prisma = createPrismaClient({ url: unreachable.toString(), max: 3, keepOpen: 3 });
    try {
      await expect(openConnections(prisma)).rejects.toThrow(/does not exist/);
      const pool = poolOf(prisma)!;
      expect(pool.waitingCount).toBe(0);
      expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});
