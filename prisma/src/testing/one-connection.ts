import { afterAll, beforeAll, inject } from 'vitest';
import { createPrismaClient } from '../client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createTestDatabase } from './test-database.ts';

/**
 * For a test file: a fresh database, and a client whose pool holds one
 * connection, so that every statement runs in the same PostgreSQL session.
 * Call at the top of a `describe`; `client()` is ready once its tests run.
 */
export function oneConnectionClient(): { client(): PrismaClient } {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let prisma: PrismaClient | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    prisma = createPrismaClient({ url: database.url, max: 1 });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });
  return {
    client() {
      if (!prisma) throw new Error('oneConnectionClient: used before its beforeAll ran');
      return prisma;
    },
  };
}
