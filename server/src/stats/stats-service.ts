import {
  bucketStarts,
  computeRates,
  figuresFromTotals,
  emptyFigureTotals,
  rateOf,
  STATS_TIME_ZONE,
  type CategoryStats,
  type RateEvent,
  type RatesReport,
  type RegionLevel,
  type RegionStats,
  type StatsOverview,
  type StatsRegion,
  type StatsTrend,
  type TicketHistory,
  type TrendBucket,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { systemClock, type Clock } from '../tickets/ports.ts';
import { StatsRepository } from './stats-repository.ts';

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
  private readonly repository: StatsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock = systemClock,
  ) {
    this.repository = new StatsRepository(prisma);
  }

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

  /**
   * The dashboard's figures of a region and of each of its children for the
   * tickets created in [from, to), as of now, aggregated in PostgreSQL.
   */
  async overview(region: StatsRegion, period: { from: Date; to: Date }): Promise<StatsOverview> {
    const asOf = this.clock.now();
    const window = { ...period, asOf };
    const [totals, load, children, categories] = await Promise.all([
      this.repository.overview(region, window),
      this.repository.currentLoad(region),
      this.prisma.region.findMany({
        where: { parentId: region.id },
        select: { id: true, code: true, name: true, nameEn: true, level: true },
        orderBy: { code: 'asc' },
      }),
      this.prisma.category.findMany({ select: { id: true, code: true } }),
    ]);
    const codeOf = new Map(categories.map((category) => [category.id, category.code]));
    const byCategory: CategoryStats[] = [...totals.byCategory]
      .map(([categoryId, sums]) => ({
        categoryCode: codeOf.get(categoryId) ?? String(categoryId),
        created: sums.created,
        resolved: sums.resolved,
        overdue: sums.overdue,
      }))
      .sort((a, b) => b.created - a.created || a.categoryCode.localeCompare(b.categoryCode));
    const total: RegionStats = {
      region: regionOf(region),
      figures: figuresFromTotals(totals.total),
      current: load.total,
    };
    return {
      timeZone: STATS_TIME_ZONE,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      asOf: asOf.toISOString(),
      total,
      children: children.map((child) => ({
        region: regionOf(child),
        figures: figuresFromTotals(totals.byChild.get(child.id) ?? emptyFigureTotals()),
        current: load.byChild.get(child.id) ?? { open: 0, overdue: 0 },
      })),
      categories: byCategory,
    };
  }

  /** Created / resolved / overdue counts and the three rates per bucket of creation time. */
  async trend(
    region: { id: number; level: RegionLevel },
    period: { from: Date; to: Date },
    bucket: TrendBucket,
  ): Promise<StatsTrend> {
    const asOf = this.clock.now();
    const sums = await this.repository.trend(region, { ...period, asOf }, bucket);
    return {
      timeZone: STATS_TIME_ZONE,
      regionId: region.id,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      asOf: asOf.toISOString(),
      bucket,
      points: bucketStarts(period, bucket).map((start) => {
        const totals = sums.get(start.getTime()) ?? emptyFigureTotals();
        return {
          start: start.toISOString(),
          created: totals.created,
          resolved: totals.resolved,
          overdue: totals.overdue,
          response: rateOf(totals.acceptedOnTime, totals.acceptDue),
          resolution: rateOf(totals.resolvedOnTime, totals.resolveDue),
          satisfaction: rateOf(totals.good, totals.rated),
        };
      }),
    };
  }
}

function regionOf(region: StatsRegion): StatsRegion {
  return {
    id: region.id,
    code: region.code,
    name: region.name,
    nameEn: region.nameEn,
    level: region.level,
  };
}
