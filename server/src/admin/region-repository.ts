import {
  geometryCentroid,
  regionDepth,
  type AdminRegionDto,
  type AreaGeometry,
  type ExistingRegion,
  type ImportUser,
  type RegionFeature,
  type RegionLevel,
  type ValidRegionFeature,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';

type Db = PrismaClient | Prisma.TransactionClient;

const userRef = { select: { id: true, username: true, displayName: true } } as const;

/** Region rows for the admin pages: import, export, listing, grid assignments. */
export class RegionAdminRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** `regionId` and every region beneath it. */
  async subtreeIds(regionId: number, db: Db = this.prisma): Promise<number[]> {
    const rows = await db.$queryRaw<{ id: number }[]>`
      WITH RECURSIVE sub AS (
        SELECT id FROM regions WHERE id = ${regionId}
        UNION ALL
        SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id
      )
      SELECT id FROM sub`;
    return rows.map((row) => row.id);
  }

  /** Regions of `level` beneath `parentId` (any depth), as GeoJSON features. */
  async exportFeatures(filter: {
    level?: RegionLevel;
    parentId?: number;
  }): Promise<RegionFeature[]> {
    const ids =
      filter.parentId === undefined
        ? undefined
        : (await this.subtreeIds(filter.parentId)).filter((id) => id !== filter.parentId);
    const rows = await this.prisma.region.findMany({
      where: { level: filter.level, id: ids ? { in: ids } : undefined },
      include: {
        parent: { select: { code: true } },
        gridAssignment: {
          include: {
            member: { select: { username: true } },
            backup: { select: { username: true } },
          },
        },
      },
      orderBy: { id: 'asc' },
    });
    rows.sort((a, b) => regionDepth(a.level) - regionDepth(b.level) || a.id - b.id);
    return rows.map((row) => ({
      type: 'Feature',
      geometry: (row.boundary as unknown as AreaGeometry | null) ?? null,
      properties: {
        code: row.code,
        name: row.name,
        nameEn: row.nameEn,
        level: row.level,
        parentCode: row.parent?.code ?? null,
        ...(row.level === 'GRID'
          ? {
              memberUsername: row.gridAssignment?.member.username ?? null,
              backupUsername: row.gridAssignment?.backup?.username ?? null,
            }
          : {}),
      },
    }));
  }

  async list(filter: {
    level?: RegionLevel;
    parentId?: number;
    query?: string;
  }): Promise<AdminRegionDto[]> {
    const text = filter.query === '' ? undefined : filter.query;
    const rows = await this.prisma.region.findMany({
      where: {
        level: filter.level,
        parentId: filter.parentId,
        OR: text
          ? [
              { name: { contains: text, mode: 'insensitive' } },
              { nameEn: { contains: text, mode: 'insensitive' } },
              { code: { contains: text } },
            ]
          : undefined,
      },
      select: {
        id: true,
        code: true,
        name: true,
        nameEn: true,
        level: true,
        parentId: true,
        _count: { select: { children: true } },
        gridAssignment: { select: { member: userRef, backup: userRef } },
      },
      orderBy: [{ code: 'asc' }],
      take: text ? 50 : 2000,
    });
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      nameEn: row.nameEn,
      level: row.level,
      parentId: row.parentId,
      children: row._count.children,
      member: row.gridAssignment?.member ?? null,
      backup: row.gridAssignment?.backup ?? null,
    }));
  }

  /** Every stored region as the import validation sees it, and the users a file names. */
  async importContext(
    db: Db,
    usernames: string[],
  ): Promise<{ existing: Map<string, ExistingRegion>; users: Map<string, ImportUser> }> {
    const rows = await db.region.findMany({
      select: { id: true, code: true, level: true, parentId: true, boundary: true },
    });
    const codeById = new Map(rows.map((row) => [row.id, row.code]));
    const existing = new Map<string, ExistingRegion>(
      rows.map((row) => [
        row.code,
        {
          code: row.code,
          level: row.level,
          parentCode: row.parentId === null ? null : (codeById.get(row.parentId) ?? null),
          boundary: (row.boundary as unknown as AreaGeometry | null) ?? null,
        },
      ]),
    );
    const userRows =
      usernames.length === 0
        ? []
        : await db.user.findMany({
            where: { username: { in: usernames } },
            select: { username: true, role: true, active: true, regionId: true },
          });
    const users = new Map<string, ImportUser>(
      userRows.map((row) => [
        row.username,
        {
          username: row.username,
          role: row.role,
          active: row.active,
          regionCode: row.regionId === null ? null : (codeById.get(row.regionId) ?? null),
        },
      ]),
    );
    return { existing, users };
  }

  /** Writes valid features parents first; returns how many were created and updated. */
  async upsert(
    db: Db,
    features: ValidRegionFeature[],
  ): Promise<{ created: string[]; updated: string[] }> {
    const ordered = [...features].sort(
      (a, b) => regionDepth(a.level) - regionDepth(b.level) || a.index - b.index,
    );
    const stored = await db.region.findMany({ select: { id: true, code: true } });
    const idByCode = new Map(stored.map((row) => [row.code, row.id]));
    const created: string[] = [];
    const updated: string[] = [];
    for (const feature of ordered) {
      const parentId = feature.parentCode === null ? null : idByCode.get(feature.parentCode)!;
      const centroid = feature.geometry ? geometryCentroid(feature.geometry) : null;
      const data = {
        name: feature.name,
        nameEn: feature.nameEn,
        level: feature.level,
        parentId,
        boundary: (feature.geometry ?? undefined) as Prisma.InputJsonValue | undefined,
        centroidLat: centroid?.lat ?? null,
        centroidLng: centroid?.lng ?? null,
      };
      const id = idByCode.get(feature.code);
      if (id === undefined) {
        const row = await db.region.create({
          data: { code: feature.code, ...data },
          select: { id: true },
        });
        idByCode.set(feature.code, row.id);
        created.push(feature.code);
      } else {
        // A feature without geometry keeps the stored boundary and centroid.
        await db.region.update({
          where: { id },
          data: feature.geometry
            ? data
            : { name: data.name, nameEn: data.nameEn, level: data.level, parentId },
        });
        updated.push(feature.code);
      }
    }
    const named = features.filter(
      (feature) => feature.memberUsername !== null || feature.backupUsername !== null,
    );
    if (named.length > 0) {
      const usernames = named.flatMap((feature) =>
        [feature.memberUsername, feature.backupUsername].filter(
          (name): name is string => name !== null,
        ),
      );
      const users = await db.user.findMany({
        where: { username: { in: usernames } },
        select: { id: true, username: true },
      });
      const userId = new Map(users.map((row) => [row.username, row.id]));
      for (const feature of named) {
        const gridId = idByCode.get(feature.code)!;
        const current = await db.gridAssignment.findUnique({ where: { gridId } });
        const memberId =
          feature.memberUsername !== null ? userId.get(feature.memberUsername)! : current?.memberId;
        if (memberId === undefined) continue;
        const backupId =
          feature.backupUsername !== null
            ? userId.get(feature.backupUsername)!
            : (current?.backupId ?? null);
        await db.gridAssignment.upsert({
          where: { gridId },
          create: { gridId, memberId, backupId: backupId === memberId ? null : backupId },
          update: { memberId, backupId: backupId === memberId ? null : backupId },
        });
      }
    }
    return { created, updated };
  }

  async assignment(gridId: number, db: Db = this.prisma) {
    return db.gridAssignment.findUnique({
      where: { gridId },
      select: { member: userRef, backup: userRef },
    });
  }
}
