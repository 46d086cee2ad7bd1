import {
  GridIndex,
  type AreaGeometry,
  type LatLng,
  type RegionChain,
  type RegionLevel,
} from '@gridline/core';
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface RegionNode {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
  parentId: number | null;
  centroid: LatLng | null;
}

export type RoutingResult =
  | { kind: 'grid'; chain: RegionChain }
  | { kind: 'outside'; chain: RegionChain }
  | { kind: 'unroutable' };

/**
 * The region tree held in memory: ancestry for scope checks and the spatial
 * index for routing. Immutable; load a new one when regions change.
 */
export class RegionDirectory {
  private readonly byId: Map<number, RegionNode>;
  readonly cityId: number | null;

  constructor(
    nodes: readonly RegionNode[],
    private readonly gridIndex: GridIndex,
  ) {
    this.byId = new Map(nodes.map((node) => [node.id, node]));
    this.cityId = nodes.find((node) => node.level === 'CITY')?.id ?? null;
  }

  /** Every region of a level, in id order. */
  list(level: RegionLevel): RegionNode[] {
    return [...this.byId.values()].filter((node) => node.level === level);
  }

  get(id: number): RegionNode | undefined {
    return this.byId.get(id);
  }

  /** True when `regionId` is `ancestorId` or lies beneath it. */
  isWithin(regionId: number, ancestorId: number): boolean {
    for (let node = this.byId.get(regionId); node; ) {
      if (node.id === ancestorId) return true;
      node = node.parentId === null ? undefined : this.byId.get(node.parentId);
    }
    return false;
  }

  /** grid/community/street/district ids containing `regionId` (null above it). */
  chainOf(regionId: number): RegionChain {
    const chain: RegionChain = {
      gridId: null,
      communityId: null,
      streetId: null,
      districtId: null,
    };
    for (let node = this.byId.get(regionId); node; ) {
      if (node.level === 'GRID') chain.gridId = node.id;
      if (node.level === 'COMMUNITY') chain.communityId = node.id;
      if (node.level === 'STREET') chain.streetId = node.id;
      if (node.level === 'DISTRICT') chain.districtId = node.id;
      node = node.parentId === null ? undefined : this.byId.get(node.parentId);
    }
    return chain;
  }

  /** The grid containing the point; outside every grid, the nearest grid's community. */
  route(point: LatLng): RoutingResult {
    const found = this.gridIndex.lookup(point);
    if (found.kind === 'inside') return { kind: 'grid', chain: this.chainOf(found.gridId) };
    if (found.kind === 'outside') {
      const nearest = this.chainOf(found.nearestGridId);
      return { kind: 'outside', chain: { ...nearest, gridId: null } };
    }
    return { kind: 'unroutable' };
  }
}

export async function loadRegionDirectory(prisma: PrismaClient): Promise<RegionDirectory> {
  const rows = await prisma.region.findMany({
    select: {
      id: true,
      code: true,
      name: true,
      nameEn: true,
      level: true,
      parentId: true,
      centroidLat: true,
      centroidLng: true,
    },
  });
  const grids = await prisma.region.findMany({
    where: { level: 'GRID', boundary: { not: { equals: null } } },
    select: { id: true, boundary: true },
  });
  const nodes = rows.map((row) => ({
    id: row.id,
    code: row.code,
    name: row.name,
    nameEn: row.nameEn,
    level: row.level,
    parentId: row.parentId,
    centroid:
      row.centroidLat === null || row.centroidLng === null
        ? null
        : { lat: row.centroidLat, lng: row.centroidLng },
  }));
  const index = new GridIndex(
    grids.map((grid) => ({ id: grid.id, boundary: grid.boundary as unknown as AreaGeometry })),
  );
  return new RegionDirectory(nodes, index);
}
