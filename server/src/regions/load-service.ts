import { AWAITING_ACCEPT, OPEN_STATUSES, type RegionLevel } from '@gridline/core';
import type { Prisma, PrismaClient, RegionDirectory } from '@gridline/db';
import { HttpError, notFound } from '../http/errors.ts';
import { canSeeRegion, ticketScope } from '../auth/scope.ts';
import type { AuthContext } from '../http/types.ts';

type RegionColumn = 'gridId' | 'communityId' | 'streetId' | 'districtId';
const COLUMN: Record<Exclude<RegionLevel, 'CITY'>, RegionColumn> = {
  GRID: 'gridId',
  COMMUNITY: 'communityId',
  STREET: 'streetId',
  DISTRICT: 'districtId',
};

export interface RegionLoad {
  regionId: number;
  /** Open tickets in the region (in the caller's scope). */
  open: number;
  /** Of those, the ones past a deadline: flagged overdue, or an accept-by or running resolve-by passed. */
  overdue: number;
}

/** Open tickets whose deadline has passed at `now`. */
export function overdueFilter(now: Date): Prisma.TicketWhereInput {
  return {
    OR: [
      { overdue: true },
      { status: { in: [...AWAITING_ACCEPT] }, acceptBy: { lt: now } },
      { status: { not: 'PENDING' }, resolveBy: { lt: now } },
    ],
  };
}

/**
 * Open and overdue counts per region of one level (optionally the children of
 * `parentId`), counting only tickets the caller may see.
 */
export async function regionLoad(
  prisma: PrismaClient,
  directory: RegionDirectory,
  auth: AuthContext,
  query: { level: Exclude<RegionLevel, 'CITY'>; parentId?: number | undefined },
  now: Date,
): Promise<RegionLoad[]> {
  const filters: Prisma.TicketWhereInput[] = [
    ticketScope(auth),
    { status: { in: [...OPEN_STATUSES] } },
  ];
  if (query.parentId !== undefined) {
    const parent = directory.get(query.parentId);
    if (!parent) throw notFound('Region');
    if (
      !canSeeRegion(auth, parent.id, directory) &&
      !isAncestorOfHome(auth, parent.id, directory)
    ) {
      throw new HttpError('FORBIDDEN', 'This region is outside yours');
    }
    if (parent.level !== 'CITY') filters.push({ [COLUMN[parent.level]]: parent.id });
  }
  const column = COLUMN[query.level];
  filters.push({ [column]: { not: null } });
  const [open, overdue] = await Promise.all([
    prisma.ticket.groupBy({ by: [column], where: { AND: filters }, _count: { _all: true } }),
    prisma.ticket.groupBy({
      by: [column],
      where: { AND: [...filters, overdueFilter(now)] },
      _count: { _all: true },
    }),
  ]);
  const byRegion = new Map<number, RegionLoad>();
  for (const row of open) {
    const regionId = row[column];
    if (regionId === null) continue;
    byRegion.set(regionId, { regionId, open: row._count._all, overdue: 0 });
  }
  for (const row of overdue) {
    const regionId = row[column];
    const entry = regionId === null ? undefined : byRegion.get(regionId);
    if (entry) entry.overdue = row._count._all;
  }
  return [...byRegion.values()].sort((a, b) => a.regionId - b.regionId);
}

export interface AssignableStaff {
  id: number;
  displayName: string;
  role: 'GRID_MEMBER' | 'COMMUNITY_STAFF' | 'DISPATCHER';
  regionId: number;
  onDuty: boolean;
  /** Open tickets assigned to them now. */
  openTickets: number;
}

const ASSIGNABLE_ROLES = ['GRID_MEMBER', 'COMMUNITY_STAFF', 'DISPATCHER'] as const;

/**
 * Who a ticket in `regionId` may be assigned to: active staff whose home
 * region contains it (the rule of the assign action), nearest level first.
 */
export async function assignableStaff(
  prisma: PrismaClient,
  directory: RegionDirectory,
  auth: AuthContext,
  regionId: number,
): Promise<AssignableStaff[]> {
  const region = directory.get(regionId);
  if (!region) throw notFound('Region');
  if (!canSeeRegion(auth, regionId, directory)) {
    throw new HttpError('FORBIDDEN', 'This region is outside yours');
  }
  const chain: number[] = [];
  for (let node: typeof region | undefined = region; node; ) {
    chain.push(node.id);
    node = node.parentId === null ? undefined : directory.get(node.parentId);
  }
  const users = await prisma.user.findMany({
    where: { active: true, role: { in: [...ASSIGNABLE_ROLES] }, regionId: { in: chain } },
    select: { id: true, displayName: true, role: true, regionId: true, onDuty: true },
    orderBy: { id: 'asc' },
    take: 200,
  });
  const loads = await prisma.ticket.groupBy({
    by: ['assigneeId'],
    where: { assigneeId: { in: users.map((user) => user.id) }, status: { in: [...OPEN_STATUSES] } },
    _count: { _all: true },
  });
  const loadOf = new Map(loads.map((row) => [row.assigneeId, row._count._all]));
  return users
    .map((user) => ({
      id: user.id,
      displayName: user.displayName,
      role: user.role as AssignableStaff['role'],
      regionId: user.regionId!,
      onDuty: user.onDuty,
      openTickets: loadOf.get(user.id) ?? 0,
    }))
    .sort((a, b) => chain.indexOf(a.regionId) - chain.indexOf(b.regionId) || a.id - b.id);
}

/** Staff may also see the regions above their own, for context on the map. */
export function isAncestorOfHome(
  auth: AuthContext,
  regionId: number,
  directory: RegionDirectory,
): boolean {
  return auth.user.regionId !== null && directory.isWithin(auth.user.regionId, regionId);
}
