import type { Prisma, RegionDirectory } from '@gridline/db';
import type { RegionLevel, TicketSummary } from '@gridline/core';
import type { AuthContext } from '../http/types.ts';

const NOTHING: Prisma.TicketWhereInput = { id: -1 };

type RegionColumn = 'gridId' | 'communityId' | 'streetId' | 'districtId';
const COLUMN_BY_LEVEL: Record<Exclude<RegionLevel, 'CITY'>, RegionColumn> = {
  GRID: 'gridId',
  COMMUNITY: 'communityId',
  STREET: 'streetId',
  DISTRICT: 'districtId',
};

/**
 * The tickets a user may see, as a Prisma filter. The single definition of
 * ticket scope: HTTP lists, catch-up events and socket rooms all use it.
 */
export function ticketScope(auth: AuthContext): Prisma.TicketWhereInput {
  const { user, regionLevel } = auth;
  switch (user.role) {
    case 'ADMIN':
      return {};
    case 'RESIDENT':
      return { reporterUserId: user.id };
    case 'VOLUNTEER':
      return NOTHING;
    default: {
      const own: Prisma.TicketWhereInput = { assigneeId: user.id };
      if (user.regionId === null || regionLevel === null) return own;
      if (regionLevel === 'CITY') return {};
      return { OR: [{ [COLUMN_BY_LEVEL[regionLevel]]: user.regionId }, own] };
    }
  }
}

/** The same rule as `ticketScope`, for a ticket already in memory. */
export function canSeeTicket(
  auth: AuthContext,
  ticket: TicketSummary,
  reporterUserId: number | null,
): boolean {
  const { user, regionLevel } = auth;
  switch (user.role) {
    case 'ADMIN':
      return true;
    case 'RESIDENT':
      return reporterUserId === user.id;
    case 'VOLUNTEER':
      return false;
    default:
      if (ticket.assigneeId === user.id) return true;
      if (user.regionId === null || regionLevel === null) return false;
      if (regionLevel === 'CITY') return true;
      return ticket[COLUMN_BY_LEVEL[regionLevel]] === user.regionId;
  }
}

/** Staff may look at regions inside their home region (admins and city staff: all). */
export function canSeeRegion(
  auth: AuthContext,
  regionId: number,
  directory: Pick<RegionDirectory, 'isWithin'>,
): boolean {
  const { user } = auth;
  if (user.role === 'ADMIN') return true;
  if (user.role === 'RESIDENT' || user.role === 'VOLUNTEER') return false;
  if (user.regionId === null) return false;
  return directory.isWithin(regionId, user.regionId);
}

/** Where a task lies and who made it: enough to judge staff scope. */
export interface TaskPlace {
  gridId: number | null;
  communityId: number | null;
  createdById: number;
}

/**
 * The tasks a staff user may see, as a Prisma filter: those in their home
 * region (by the column of its level) and those they created. Volunteers and
 * residents see tasks through their own assignments, never through this.
 */
export function taskScope(auth: AuthContext): Prisma.TaskWhereInput {
  const { user, regionLevel } = auth;
  if (user.role === 'ADMIN') return {};
  if (user.role === 'RESIDENT' || user.role === 'VOLUNTEER') return { id: -1 };
  const own: Prisma.TaskWhereInput = { createdById: user.id };
  if (user.regionId === null || regionLevel === null) return own;
  if (regionLevel === 'CITY') return {};
  return { OR: [{ [COLUMN_BY_LEVEL[regionLevel]]: user.regionId }, own] };
}

/** The same rule as `taskScope`, for a task already in memory. */
export function canSeeTask(
  auth: AuthContext,
  task: TaskPlace,
  directory: RegionDirectory,
): boolean {
  const { user, regionLevel } = auth;
  if (user.role === 'ADMIN') return true;
  if (user.role === 'RESIDENT' || user.role === 'VOLUNTEER') return false;
  if (task.createdById === user.id) return true;
  if (user.regionId === null || regionLevel === null) return false;
  if (regionLevel === 'CITY') return true;
  const place = task.gridId ?? task.communityId;
  return place !== null && directory.isWithin(place, user.regionId);
}
