import { beforeEach, describe, expect, it } from 'vitest';
import { poolOf, rawQuery } from './client.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { oneConnectionClient } from './testing/one-connection.ts';

describe('rawQuery parameters', () => {
  // One connection, so the session's time zone set by the first test holds for its queries.
  const database = oneConnectionClient();
  let prisma: PrismaClient;
  beforeEach(() => {
    prisma = database.client();
  });

  it('sends a Date as the same instant to the millisecond, whatever the time zones', async () => {
    expect(poolOf(prisma)).toBeDefined();
    const originalTz = process.env.TZ;
    process.env.TZ = 'America/St_Johns';
    try {
      // The session's time zone differs from the process's and from UTC.
      await rawQuery(prisma, "SELECT set_config('TimeZone', 'Asia/Shanghai', false)");
      const instants = [
        new Date('2026-12-07T16:30:00.123Z'),
        new Date('2026-03-08T05:59:59.999Z'),
        new Date(0),
      ];
      for (const instant of instants) {
        const [row] = await rawQuery<{ ms: string; stored: Date }>(
          prisma,
          'SELECT (extract(epoch FROM $1::timestamptz) * 1000)::bigint::text AS ms, $1::timestamptz AS stored',
          instant,
        );
        expect(Number(row!.ms)).toBe(instant.getTime());
        expect(row!.stored.getTime()).toBe(instant.getTime());
      }
    } finally {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
    }
  });

  it('passes every other value as it is', async () => {
    const [row] = await rawQuery<{ n: number; s: string; missing: null; list: number[] }>(
      prisma,
      'SELECT $1::int AS n, $2::text AS s, $3::text AS missing, $4::int[] AS list',
      42,
      '2026-12-07',
      null,
      [1, 2],
    );
    expect(row).toEqual({ n: 42, s: '2026-12-07', missing: null, list: [1, 2] });
  });

  it('refuses an invalid Date as pg does, without a result', async () => {
    await expect(
      rawQuery(prisma, 'SELECT $1::timestamptz AS at', new Date(Number.NaN)),
    ).rejects.toThrow();
  });
});
