import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
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
  const candidates: Prisma.Sql[] = [];
  if (level === 0 && regions.gridId !== null) {
    candidates.push(
      Prisma.sql`(SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.member_id
        WHERE g.grid_id = ${regions.gridId} AND u.on_duty AND u.active)`,
      Prisma.sql`(SELECT u.id FROM grid_assignments g JOIN users u ON u.id = g.backup_id
        WHERE g.grid_id = ${regions.gridId} AND u.on_duty AND u.active)`,
    );
  }
  const targets: Array<[Role, number | null]> = [
    ['COMMUNITY_STAFF', regions.communityId],
    ['DISPATCHER', regions.streetId],
    ['DISPATCHER', regions.districtId],
    ['DISPATCHER', cityId],
  ];
  for (const [role, regionId] of targets.slice(Math.max(0, level - 1))) {
    if (regionId === null) continue;
    candidates.push(
      Prisma.sql`(SELECT id FROM users WHERE role = ${role}::"Role" AND region_id = ${regionId}
        AND active ORDER BY on_duty DESC, id LIMIT 1)`,
    );
  }
  if (candidates.length === 0) return null;
  // The first who answers, in one round trip (timers and intake wait on it).
  const [found] = await prisma.$queryRaw<Array<{ id: number | null }>>`
    SELECT COALESCE(${Prisma.join(candidates)}, NULL::int) AS id`;
  return found?.id ?? null;
}
