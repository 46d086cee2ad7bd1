import { beforeEach, describe, expect, it } from 'vitest';
import { preparedSql } from '../client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { oneConnectionClient } from '../testing/one-connection.ts';
import { TicketStore } from './ticket-store.ts';

describe('prepared statements on a real connection', () => {
  // One connection, so the session that prepared is the one asked.
  const database = oneConnectionClient();
  let prisma: PrismaClient;
  beforeEach(() => {
    prisma = database.client();
  });

  it('prepares a marked statement once per connection and keeps using it; unmarked ones are not kept', async () => {
    const store = new TicketStore(prisma);
    // Past the first five runs PostgreSQL may switch to its generic plan: still right.
    for (let run = 0; run < 8; run++) expect(await store.findForAction(2_000_000_000)).toBeNull();
    await prisma.ticket.findMany({ take: 1 });

    const prepared = await prisma.$queryRawUnsafe<Array<{ name: string; statement: string }>>(
      'SELECT name, statement FROM pg_prepared_statements',
    );
    expect(prepared).toHaveLength(1);
    expect(prepared[0]!.name).toMatch(/^find-ticket-for-action-[0-9a-f]{12}$/);
    expect(prepared[0]!.statement).toContain('/* prepared:find-ticket-for-action */');
  });

  it('prepares a marked statement that goes through Prisma too (as in a transaction)', async () => {
    const probe = preparedSql('prisma-probe', 'SELECT $1::int + 1 AS next');
    for (let run = 0; run < 3; run++) {
      expect(await prisma.$queryRawUnsafe<Array<{ next: number }>>(probe, run)).toEqual([
        { next: run + 1 },
      ]);
    }
    const names = await prisma.$queryRawUnsafe<Array<{ name: string }>>(
      'SELECT name FROM pg_prepared_statements ORDER BY name',
    );
    expect(names.map((row) => row.name.replace(/-[0-9a-f]{12}$/, ''))).toEqual([
      'find-ticket-for-action',
      'prisma-probe',
    ]);
  });
});
