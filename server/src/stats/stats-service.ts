import {
  computeRates,
  type RateEvent,
  type RatesReport,
  type RegionLevel,
  type TicketHistory,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { systemClock, type Clock } from '../tickets/ports.ts';

const COLUMN_BY_LEVEL: Record<Exclude<RegionLevel, 'CITY'>, keyof Prisma.TicketWhereInput> = {
  GRID: 'gridId',
  COMMUNITY: 'communityId',
  STREET: 'streetId',
  DISTRICT: 'districtId',
};

/** The tickets of a region: every ticket for the city, else by the column of the region's level. */
export function ticketsOfRegion(region: {
  id: number;
  level: RegionLevel;
}): Prisma.TicketWhereInput {
  return region.level === 'CITY' ? {} : { [COLUMN_BY_LEVEL[region.level]]: region.id };
}

function asRecord(payload: Prisma.JsonValue): Record<string, unknown> {
  return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
}

/** The three rates of a region over a period, from the ticket timelines in PostgreSQL. */
export class StatsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Tickets of `region` created in [from, to) with their events up to now, as core's histories. */
  async histories(
    region: { id: number; level: RegionLevel },
    period: { from: Date; to: Date; asOf: Date },
  ): Promise<TicketHistory[]> {
    const where: Prisma.TicketWhereInput = {
      ...ticketsOfRegion(region),
      createdAt: { gte: period.from, lt: period.to },
    };
    const tickets = await this.prisma.ticket.findMany({
      where,
      select: { id: true, createdAt: true, acceptBy: true, resolveBy: true },
      orderBy: { id: 'asc' },
    });
    // One query for every timeline, filtered by the same ticket condition (no id list to bind).
    const events = await this.prisma.ticketEvent.findMany({
      where: { ticket: where, createdAt: { lte: period.asOf } },
      select: { ticketId: true, type: true, toStatus: true, payload: true, createdAt: true },
      orderBy: { id: 'asc' },
    });
    const byTicket = new Map<number, RateEvent[]>(tickets.map((row) => [row.id, []]));
    for (const row of events) {
      byTicket.get(row.ticketId)?.push({
        type: row.type,
        at: row.createdAt,
        data: asRecord(row.payload),
        toStatus: row.toStatus,
      });
    }
    return tickets.map((row) => ({
      ticketId: row.id,
      createdAt: row.createdAt,
      acceptBy: row.acceptBy,
      resolveBy: row.resolveBy,
      events: byTicket.get(row.id) ?? [],
    }));
  }

  async rates(
    region: { id: number; level: RegionLevel },
    period: { from: Date; to: Date },
  ): Promise<RatesReport> {
    const asOf = this.clock.now();
    const histories = await this.histories(region, { ...period, asOf });
    return {
      regionId: region.id,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      asOf: asOf.toISOString(),
      ...computeRates(histories, { ...period, asOf }),
    };
  }
}
