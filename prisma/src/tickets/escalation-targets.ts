import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '@gridline/core';

export interface TicketRegions {
  gridId: number | null;
  communityId: number | null;
  streetId: number | null;
  districtId: number | null;
}

/**
 * Who answers for a ticket at an escalation level: 0 the grid's on-duty
 * member (else its backup, else community staff), 1 community staff,
 * 2 the street's dispatcher, 3 the district's, 4 the city's.
 */
export async function findResponsibleUser(
  prisma: PrismaClient,
  regions: TicketRegions,
  level: number,
  cityId: number | null,
): Promise<number | null> {
  if (level === 0 && regions.gridId !== null) {
    // One round trip on the intake path: the member if on duty, else the backup.
    const [found] = await prisma.$queryRaw<Array<{ id: number | null }>>`
      SELECT COALESCE(
        (SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.member_id
          WHERE g.grid_id = ${regions.gridId} AND u.on_duty AND u.active),
        (SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.backup_id
          WHERE g.grid_id = ${regions.gridId} AND u.on_duty AND u.active)
      ) AS id`;
    if (found?.id) return found.id;
  }
  const targets: Array<[Role, number | null]> = [
    ['COMMUNITY_STAFF', regions.communityId],
    ['DISPATCHER', regions.streetId],
    ['DISPATCHER', regions.districtId],
    ['DISPATCHER', cityId],
  ];
  for (const [role, regionId] of targets.slice(Math.max(0, level - 1))) {
    if (regionId === null) continue;
    const user = await prisma.user.findFirst({
      where: { role, regionId, active: true },
      orderBy: [{ onDuty: 'desc' }, { id: 'asc' }],
      select: { id: true },
    });
    if (user) return user.id;
  }
  return null;
}
