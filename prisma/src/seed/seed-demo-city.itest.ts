import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { verify } from '@node-rs/argon2';
import { createPrismaClient } from '../client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createTestDatabase } from '../testing/test-database.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts.ts';
import { isSeeded, seedDemoCity, type SeedSummary } from './seed-demo-city.ts';

describe('seedDemoCity', () => {
  let database: { url: string; drop(): Promise<void> };
  let prisma: PrismaClient;
  let summary: SeedSummary;

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    prisma = createPrismaClient({ url: database.url, max: 4 });
    expect(await isSeeded(prisma)).toBe(false);
    summary = await seedDemoCity(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('builds the Anshan region tree with its official codes', async () => {
    const byLevel = await prisma.region.groupBy({ by: ['level'], _count: true });
    const counts = Object.fromEntries(byLevel.map((row) => [row.level, row._count]));
    expect(counts).toMatchObject({ CITY: 1, DISTRICT: 4, STREET: 34, COMMUNITY: 383 });
    expect(counts.GRID).toBeGreaterThanOrEqual(1300);
    expect(counts.GRID).toBeLessThanOrEqual(1700);
    const jianshen = await prisma.region.findFirst({
      where: { name: '健身社区', parent: { name: '和平街道', parent: { name: '铁东区' } } },
      include: { children: true },
    });
    expect(jianshen?.code).toMatch(/^210302\d{6}$/);
    expect(jianshen!.children.length).toBeGreaterThanOrEqual(2);
    expect(jianshen!.children.length).toBeLessThanOrEqual(6);
  });

  it('gives every grid an on-duty member and staffs every community, street, district and the city', async () => {
    const grids = await prisma.region.count({ where: { level: 'GRID' } });
    const assignments = await prisma.gridAssignment.findMany({ include: { member: true } });
    expect(assignments).toHaveLength(grids);
    expect(assignments.every((a) => a.member.role === 'GRID_MEMBER' && a.member.onDuty)).toBe(true);
    const communities = await prisma.region.findMany({
      where: { level: 'COMMUNITY' },
      select: { id: true },
    });
    const staffed = new Set(
      (
        await prisma.user.findMany({
          where: { role: 'COMMUNITY_STAFF' },
          select: { regionId: true },
        })
      ).map((u) => u.regionId),
    );
    expect(communities.every((c) => staffed.has(c.id))).toBe(true);
    const dispatchers = await prisma.user.count({
      where: { role: 'DISPATCHER', region: { level: { in: ['CITY', 'DISTRICT', 'STREET'] } } },
    });
    expect(dispatchers).toBeGreaterThanOrEqual(1 + 4 + 34);
    expect(await prisma.volunteer.count()).toBe(summary.volunteers);
    expect(summary.volunteers).toBeGreaterThanOrEqual(500);
    expect(await prisma.careRecipient.count()).toBeGreaterThan(0);
    expect(await prisma.device.count()).toBe(await prisma.careRecipient.count());
    expect(await prisma.category.count()).toBeGreaterThanOrEqual(19);
  });

  it('creates the demo accounts with the shared password, the member in charge of the first grid of 健身社区', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const user = await prisma.user.findUniqueOrThrow({ where: { username: account.username } });
      expect(user.role).toBe(account.role);
      expect(await verify(user.passwordHash, DEMO_PASSWORD)).toBe(true);
    }
    const member = await prisma.user.findUniqueOrThrow({
      where: { username: 'member' },
      include: { region: { include: { parent: true } }, gridsAsMember: true },
    });
    expect(member.region?.level).toBe('GRID');
    expect(member.region?.parent?.name).toBe('健身社区');
    expect(member.gridsAsMember.map((g) => g.gridId)).toEqual([member.regionId]);
    const volunteer = await prisma.volunteer.findUniqueOrThrow({
      where: {
        userId: (await prisma.user.findUniqueOrThrow({ where: { username: 'volunteer' } })).id,
      },
    });
    expect(volunteer.homeCommunityId).toBe(member.region?.parentId);
  });

  it('refuses to seed twice', async () => {
    await expect(seedDemoCity(prisma)).rejects.toThrow(/already/);
  });
});

describe('a seed cut short', () => {
  it('leaves nothing behind: the database stays empty and seedable', async () => {
    const database = await createTestDatabase(inject('templateDatabaseUrl'));
    const prisma = createPrismaClient({ url: database.url, max: 4 });
    try {
      // A user already called "admin" makes the seed fail after the regions went in.
      await prisma.user.create({
        data: { username: 'admin', displayName: 'x', role: 'ADMIN', passwordHash: 'x' },
      });
      await expect(seedDemoCity(prisma)).rejects.toThrow();
      expect(await prisma.region.count()).toBe(0);
      expect(await prisma.category.count()).toBe(0);
      expect(await isSeeded(prisma)).toBe(false);
    } finally {
      await prisma.$disconnect();
      await database.drop();
    }
  });
});
