import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bucketStart,
  computeFigures,
  shanghaiMidnight,
  type StatsOverview,
  type StatsTrend,
  type TicketStatus,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { StatsService } from '../../server/src/stats/stats-service.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Chain {
  gridId: number | null;
  communityId: number;
  streetId: number;
  districtId: number;
}

interface FixtureEvent {
  type: string;
  /** Minutes after the ticket's creation. */
  after: number;
  data?: Prisma.InputJsonObject;
  toStatus: TicketStatus | null;
}

interface FixtureTicket {
  chain: Chain;
  createdAt: Date;
  categoryId: number;
  status: TicketStatus;
  overdue?: boolean;
  /** Minutes after creation; null: none. */
  acceptBy: number | null;
  resolveBy: number | null;
  events: FixtureEvent[];
}

const accepted = (after: number, onTime?: boolean): FixtureEvent => ({
  type: 'ticket.accepted',
  after,
  data: onTime === undefined ? { level: 0 } : { level: 0, onTime },
  toStatus: 'ACCEPTED',
});
const resolved = (after: number, onTime?: boolean): FixtureEvent => ({
  type: 'ticket.resolved',
  after,
  data: onTime === undefined ? {} : { onTime },
  toStatus: 'RESOLVED',
});
const rated = (after: number, rating: 'GOOD' | 'BAD'): FixtureEvent => ({
  type: 'ticket.updated',
  after,
  data: { action: 'rated', rating },
  toStatus: 'CLOSED',
});
const escalated = (after: number): FixtureEvent => ({
  type: 'ticket.escalated',
  after,
  data: { reason: 'accept-deadline' },
  toStatus: 'ASSIGNED',
});
const pended = (after: number): FixtureEvent => ({
  type: 'ticket.updated',
  after,
  data: { action: 'pend' },
  toStatus: 'PENDING',
});
const reopened = (after: number): FixtureEvent => ({
  type: 'ticket.reopened',
  after,
  toStatus: 'REOPENED',
});
const cancelled = (after: number): FixtureEvent => ({
  type: 'ticket.closed',
  after,
  data: { action: 'cancel' },
  toStatus: 'CANCELLED',
});

/** A small deterministic PRNG (mulberry32), so the random fixture is the same every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The dashboard's statistics against PostgreSQL: hand-checked figures per
 * child region, the SQL aggregation compared with core's computation on a
 * random fixture, the trend's buckets in Asia/Shanghai days, scope and
 * validation.
 */
describe('GET /api/stats/overview and /api/stats/trend', () => {
  let system: TestSystem;
  let prisma: PrismaClient;
  let dispatcher: Session;
  let community: Session;
  let member: Session;
  let volunteer: Session;
  let gridA: Chain;
  let gridB: Chain;
  let otherCommunity: Chain;
  let noGrid: Chain;
  let categoryIds: number[];
  /** The hand-checked fixture lives in the Beijing day three days ago. */
  const now = Date.now();
  const day0 = shanghaiMidnight(new Date(now - 3 * DAY + 8 * HOUR).toISOString().slice(0, 10))!;
  const handPeriod = { from: day0.toISOString(), to: new Date(day0.getTime() + DAY).toISOString() };
  /** `hours` after 00:00 Beijing time of that day. */
  const at = (hours: number) => new Date(day0.getTime() + hours * HOUR);
  let inserted = 0;

  async function getJson<T>(
    session: Session | null,
    path: string,
    query: Record<string, string | number>,
  ): Promise<{ status: number; body: T & { error?: { code: string } } }> {
    const params = new URLSearchParams(
      Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
    );
    const response = await fetch(`${system.baseUrl}${path}?${params.toString()}`, {
      headers: session ? { cookie: session.cookie } : {},
    });
    return {
      status: response.status,
      body: (await response.json()) as T & { error?: { code: string } },
    };
  }
  const overview = (session: Session | null, query: Record<string, string | number>) =>
    getJson<StatsOverview>(session, '/api/stats/overview', query);
  const trend = (session: Session | null, query: Record<string, string | number>) =>
    getJson<StatsTrend>(session, '/api/stats/trend', query);

  async function insertAll(tickets: FixtureTicket[]): Promise<void> {
    for (const ticket of tickets) {
      const index = ++inserted;
      const minutes = (after: number | null) =>
        after === null ? null : new Date(ticket.createdAt.getTime() + after * MINUTE);
      const row = await prisma.ticket.create({
        data: {
          code: `GL-DASH-${index}`,
          trackingTokenHash: `dash-${index}`,
          channel: 'WEB',
          categoryId: ticket.categoryId,
          priority: 'NORMAL',
          status: ticket.status,
          overdue: ticket.overdue ?? false,
          description: `看板测试工单 ${index}`,
          lat: 41.1,
          lng: 123.0,
          ...ticket.chain,
          acceptBy: minutes(ticket.acceptBy),
          resolveBy: minutes(ticket.resolveBy),
          createdAt: ticket.createdAt,
        },
      });
      const timeline: FixtureEvent[] = [
        { type: 'ticket.created', after: 0, toStatus: 'NEW' },
        { type: 'ticket.assigned', after: 0, toStatus: 'ASSIGNED' },
        ...ticket.events,
      ];
      await prisma.ticketEvent.createMany({
        data: timeline.map((event) => ({
          ticketId: row.id,
          type: event.type,
          toStatus: event.toStatus,
          payload: event.data ?? {},
          createdAt: minutes(event.after)!,
        })),
      });
    }
  }

  /** A random but deterministic timeline: every branch the rates know, some events still in the future. */
  function randomTicket(random: () => number, chain: Chain, createdAt: Date): FixtureTicket {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const flag = () => pick([true, false, undefined]);
    const acceptBy = pick([30, 60, 240, null]);
    const resolveBy = pick([120, 24 * 60, 3 * 24 * 60, null]);
    const events: FixtureEvent[] = [];
    let clock = 0;
    const step = () => (clock += Math.floor(random() * 600) + 1);
    const path = random();
    if (path < 0.08) events.push(cancelled(step()));
    else if (path < 0.12)
      events.push({ type: 'ticket.closed', after: step(), toStatus: 'DUPLICATE' });
    else {
      if (random() < 0.3) events.push(escalated(step()));
      if (random() < 0.1) events.push(escalated(step()));
      if (random() < 0.8) {
        events.push(accepted(step(), flag()));
        if (random() < 0.3) events.push(pended(step()));
        if (random() < 0.5)
          events.push({ type: 'ticket.updated', after: step(), toStatus: 'IN_PROGRESS' });
        if (random() < 0.7) {
          events.push(resolved(step(), flag()));
          if (random() < 0.2) {
            events.push(reopened(step()));
            if (random() < 0.3) events.push(pended(step()));
            if (random() < 0.5) events.push(resolved(step(), flag()));
          }
          if (random() < 0.6) events.push(rated(step(), pick(['GOOD', 'BAD'] as const)));
          if (random() < 0.2) events.push(rated(step(), pick(['GOOD', 'BAD'] as const)));
        }
      }
    }
    return {
      chain,
      createdAt,
      categoryId: pick(categoryIds),
      status: 'ASSIGNED',
      acceptBy,
      resolveBy,
      events,
    };
  }

  beforeAll(async () => {
    // No workers: nothing escalates the fixture behind the test's back.
    system = await startSystem({ workers: false });
    prisma = system.server.prisma;
    [dispatcher, community, member, volunteer] = await Promise.all([
      system.login('dispatcher'),
      system.login('community'),
      system.login('member'),
      system.login('volunteer'),
    ]);
    const parentOf = async (id: number) =>
      (await prisma.region.findUniqueOrThrow({ where: { id }, select: { parentId: true } }))
        .parentId!;
    const communityId = community.user.regionId!;
    const streetId = await parentOf(communityId);
    const districtId = await parentOf(streetId);
    const grids = await prisma.region.findMany({
      where: { parentId: communityId },
      orderBy: { code: 'asc' },
      select: { id: true },
    });
    expect(grids.length).toBeGreaterThanOrEqual(2);
    gridA = { gridId: grids[0]!.id, communityId, streetId, districtId };
    gridB = { ...gridA, gridId: grids[1]!.id };
    noGrid = { ...gridA, gridId: null };
    const sibling = await prisma.region.findFirstOrThrow({
      where: { parentId: streetId, id: { not: communityId } },
      orderBy: { code: 'asc' },
      select: { id: true, children: { select: { id: true }, take: 1 } },
    });
    otherCommunity = {
      gridId: sibling.children[0]!.id,
      communityId: sibling.id,
      streetId,
      districtId,
    };
    categoryIds = (
      await prisma.category.findMany({ orderBy: { id: 'asc' }, take: 4, select: { id: true } })
    ).map((row) => row.id);
    const [noise, litter] = categoryIds as [number, number];

    // The hand-checked day (three days ago, Beijing time), deadlines long passed.
    await insertAll([
      // Grid A, 1: accepted on time, resolved on time, rated GOOD. Complies.
      {
        chain: gridA,
        createdAt: at(1),
        categoryId: noise,
        status: 'CLOSED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(10, true), resolved(130, true), rated(200, 'GOOD')],
      },
      // Grid A, 2: accepted late, resolved on time, rated BAD. Misses (acceptance).
      {
        chain: gridA,
        createdAt: at(2),
        categoryId: noise,
        status: 'CLOSED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(50, false), resolved(290, true), rated(300, 'BAD')],
      },
      // Grid A, 3: never accepted, escalated; both deadlines passed: overdue, open now.
      {
        chain: gridA,
        createdAt: at(23.5),
        categoryId: litter,
        status: 'ASSIGNED',
        overdue: true,
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [escalated(30)],
      },
      // Grid B, 4: accepted on time, resolved on time, then reopened: not resolved on time.
      {
        chain: gridB,
        createdAt: at(5),
        categoryId: litter,
        status: 'REOPENED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(5, true), resolved(65, true), reopened(70)],
      },
      // Grid B, 5: cancelled: counted as created and withdrawn only.
      {
        chain: gridB,
        createdAt: at(6),
        categoryId: noise,
        status: 'CANCELLED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [cancelled(3)],
      },
      // Outside every grid (community only), 6: accepted and resolved on time.
      {
        chain: noGrid,
        createdAt: at(7),
        categoryId: noise,
        status: 'RESOLVED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(20, true), resolved(80, true)],
      },
      // Another community of the street, 7: accepted on time, resolve-by passed unresolved.
      {
        chain: otherCommunity,
        createdAt: at(8),
        categoryId: litter,
        status: 'ACCEPTED',
        overdue: true,
        acceptBy: 30,
        resolveBy: 120,
        events: [accepted(15, true)],
      },
      // The next Beijing day at 00:10 (16:10 UTC the day before at the start): not in the period.
      {
        chain: gridA,
        createdAt: at(24 + 1 / 6),
        categoryId: noise,
        status: 'ASSIGNED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [],
      },
    ]);

    // A random fixture over the last 20 days but away from the hand-checked two
    // days, across the street's communities and grids.
    const random = prng(20261122);
    const afterHandDays = day0.getTime() + 2 * DAY;
    const chains = [gridA, gridB, noGrid, otherCommunity];
    const tickets: FixtureTicket[] = [];
    for (let index = 0; index < 400; index++) {
      const createdAt =
        random() < 0.75
          ? new Date(day0.getTime() - 1 - Math.floor(random() * 17 * DAY))
          : new Date(afterHandDays + Math.floor(random() * (now - afterHandDays)));
      tickets.push(randomTicket(random, chains[index % chains.length]!, createdAt));
    }
    await insertAll(tickets);
  });
  afterAll(() => system?.close());

  it('gives the community and each of its grids the hand-checked figures', async () => {
    const reply = await overview(dispatcher, { regionId: gridA.communityId, ...handPeriod });
    expect(reply.status).toBe(200);
    const { total, children } = reply.body;
    expect(reply.body.timeZone).toBe('Asia/Shanghai');
    expect(total.region).toMatchObject({ id: gridA.communityId, level: 'COMMUNITY' });
    // 1, 2, 3 (grid A), 4, 5 (grid B), 6 (no grid).
    expect(total.figures.counts).toEqual({
      created: 6,
      withdrawn: 1,
      accepted: 4,
      resolved: 4,
      reopened: 1,
      rated: 2,
      overdue: 2,
    });
    expect(total.figures.response).toEqual({ rate: 3 / 5, numerator: 3, denominator: 5 });
    expect(total.figures.resolution).toEqual({ rate: 3 / 5, numerator: 3, denominator: 5 });
    expect(total.figures.satisfaction).toEqual({ rate: 0.5, numerator: 1, denominator: 2 });
    // Met every deadline: 1, 6. Due: 1, 2, 3, 4 (reopened and now overdue), 6.
    expect(total.figures.compliance).toEqual({ rate: 2 / 5, numerator: 2, denominator: 5 });
    // Accept: 10, 50, 5, 20 min; resolve: 130, 290, 65, 80 min.
    expect(total.figures.averages).toEqual({ acceptMinutes: 21.3, resolveMinutes: 141.3 });

    const byId = new Map(children.map((child) => [child.region.id, child]));
    const a = byId.get(gridA.gridId!)!;
    const b = byId.get(gridB.gridId!)!;
    expect(a.region.level).toBe('GRID');
    expect(a.figures.counts).toMatchObject({ created: 3, accepted: 2, resolved: 2, overdue: 1 });
    expect(a.figures.response).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 });
    expect(a.figures.resolution).toEqual({ rate: 2 / 3, numerator: 2, denominator: 3 });
    expect(a.figures.satisfaction).toEqual({ rate: 0.5, numerator: 1, denominator: 2 });
    expect(a.figures.compliance).toEqual({ rate: 1 / 3, numerator: 1, denominator: 3 });
    expect(b.figures.counts).toMatchObject({ created: 2, withdrawn: 1, reopened: 1, overdue: 1 });
    expect(b.figures.response).toEqual({ rate: 1, numerator: 1, denominator: 1 });
    expect(b.figures.resolution).toEqual({ rate: 0, numerator: 0, denominator: 1 });
    // Every grid of the community is listed, with or without tickets.
    const gridCount = await prisma.region.count({ where: { parentId: gridA.communityId } });
    expect(children).toHaveLength(gridCount);
    const others = children.filter((child) => child !== a && child !== b);
    expect(others.every((child) => child.figures.counts.created === 0)).toBe(true);
    expect(others.every((child) => child.figures.response.rate === null)).toBe(true);

    // Categories: noise 1, 2, 5, 6; litter 3, 4.
    const noiseCode = (await prisma.category.findUniqueOrThrow({ where: { id: categoryIds[0]! } }))
      .code;
    expect(reply.body.categories.find((row) => row.categoryCode === noiseCode)).toEqual({
      categoryCode: noiseCode,
      created: 4,
      resolved: 3,
      overdue: 0,
    });
  });

  it('ranks the communities of a street, the other community included', async () => {
    const reply = await overview(dispatcher, { regionId: gridA.streetId, ...handPeriod });
    expect(reply.status).toBe(200);
    expect(reply.body.total.region.level).toBe('STREET');
    expect(reply.body.total.figures.counts.created).toBe(7);
    const other = reply.body.children.find((row) => row.region.id === otherCommunity.communityId)!;
    expect(other.figures.counts).toMatchObject({ created: 1, accepted: 1, overdue: 1 });
    expect(other.figures.response).toEqual({ rate: 1, numerator: 1, denominator: 1 });
    expect(other.figures.resolution).toEqual({ rate: 0, numerator: 0, denominator: 1 });
    const mine = reply.body.children.find((row) => row.region.id === gridA.communityId)!;
    expect(mine.figures.counts.created).toBe(6);
  });

  it('aggregates in SQL exactly what core computes from the timelines, region by region', async () => {
    const service = new StatsService(prisma);
    const from = new Date(now - 21 * DAY);
    const to = new Date(now + DAY);
    for (const regionId of [gridA.streetId, gridA.communityId]) {
      const reply = await overview(dispatcher, {
        regionId,
        from: from.toISOString(),
        to: to.toISOString(),
      });
      expect(reply.status).toBe(200);
      const asOf = new Date(reply.body.asOf);
      const rows = [reply.body.total, ...reply.body.children];
      let compared = 0;
      for (const row of rows) {
        const histories = await service.histories(row.region, { from, to, asOf });
        expect(row.figures).toEqual(computeFigures(histories, { from, to, asOf }));
        if (row.figures.counts.created > 0) compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(3);
    }
    // The random fixture does exercise every branch.
    const street = await overview(dispatcher, {
      regionId: gridA.streetId,
      from: from.toISOString(),
      to: to.toISOString(),
    });
    const counts = street.body.total.figures.counts;
    expect(counts.created).toBeGreaterThan(400);
    expect(counts.withdrawn).toBeGreaterThan(0);
    expect(counts.reopened).toBeGreaterThan(0);
    expect(counts.overdue).toBeGreaterThan(0);
    expect(street.body.total.figures.compliance.denominator).toBeGreaterThan(0);
  });

  it('buckets the trend by Beijing day and hour, each bucket its own cohort', async () => {
    const days = await trend(dispatcher, {
      regionId: gridA.communityId,
      from: day0.toISOString(),
      to: new Date(day0.getTime() + 2 * DAY).toISOString(),
      bucket: 'day',
    });
    expect(days.status).toBe(200);
    expect(days.body.points.map((point) => point.start)).toEqual([
      day0.toISOString(),
      new Date(day0.getTime() + DAY).toISOString(),
    ]);
    const service = new StatsService(prisma);
    const asOf = new Date(days.body.asOf);
    for (const point of days.body.points) {
      const bucket = { from: new Date(point.start), to: new Date(Date.parse(point.start) + DAY) };
      const histories = await service.histories(
        { id: gridA.communityId, level: 'COMMUNITY' },
        { ...bucket, asOf },
      );
      const expected = computeFigures(histories, { ...bucket, asOf });
      expect(point).toEqual({
        start: point.start,
        created: expected.counts.created,
        resolved: expected.counts.resolved,
        overdue: expected.counts.overdue,
        response: expected.response,
        resolution: expected.resolution,
        satisfaction: expected.satisfaction,
      });
    }
    // The hand-checked days hold exactly their community tickets: six, then one.
    expect(days.body.points.map((point) => point.created)).toEqual([6, 1]);

    const hours = await trend(community, { ...handPeriod, bucket: 'hour' });
    expect(hours.status).toBe(200);
    expect(hours.body.regionId).toBe(gridA.communityId);
    expect(hours.body.points).toHaveLength(24);
    // The ticket created at 23:30 Beijing time lies in the last hour bucket.
    const last = hours.body.points[23]!;
    expect(last.start).toBe(bucketStart(at(23.5), 'hour').toISOString());
    expect(last).toMatchObject({ created: 1, resolved: 0, overdue: 1 });
    expect(hours.body.points.reduce((sum, point) => sum + point.created, 0)).toBe(6);
  });

  it('counts the open and overdue tickets now, whenever created', async () => {
    const reply = await overview(community, handPeriod);
    expect(reply.status).toBe(200);
    expect(reply.body.total.region.id).toBe(gridA.communityId);
    const open = await prisma.ticket.count({
      where: {
        communityId: gridA.communityId,
        status: { in: ['NEW', 'ASSIGNED', 'ACCEPTED', 'IN_PROGRESS', 'PENDING', 'REOPENED'] },
      },
    });
    expect(reply.body.total.current.open).toBe(open);
    const a = reply.body.children.find((row) => row.region.id === gridA.gridId)!;
    const openA = await prisma.ticket.count({
      where: {
        gridId: gridA.gridId,
        status: { in: ['NEW', 'ASSIGNED', 'ACCEPTED', 'IN_PROGRESS', 'PENDING', 'REOPENED'] },
      },
    });
    expect(a.current.open).toBe(openA);
    expect(a.current.overdue).toBeGreaterThanOrEqual(1);
  });

  it('keeps to the caller’s scope: 403 outside it, 401 signed out, staff only', async () => {
    const outside = await overview(community, {
      regionId: otherCommunity.communityId,
      ...handPeriod,
    });
    expect(outside.status).toBe(403);
    expect(outside.body.error?.code).toBe('FORBIDDEN');
    expect((await overview(member, { regionId: gridA.communityId, ...handPeriod })).status).toBe(
      403,
    );
    expect((await trend(community, { regionId: gridA.streetId, ...handPeriod })).status).toBe(403);
    expect((await overview(member, handPeriod)).status).toBe(200);
    expect((await overview(volunteer, handPeriod)).status).toBe(403);
    expect((await overview(null, handPeriod)).status).toBe(401);
    expect((await overview(dispatcher, { regionId: 2_000_000_000, ...handPeriod })).status).toBe(
      404,
    );
  });

  it('answers 400 to bad parameters', async () => {
    const bad: Record<string, string | number>[] = [
      { from: handPeriod.from },
      { ...handPeriod, regionId: 'abc' },
      { ...handPeriod, regionId: -3 },
      { from: handPeriod.to, to: handPeriod.from },
      { from: '2026-03-01', to: '2026-03-02' },
      { ...handPeriod, extra: 1 },
      { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    ];
    for (const query of bad) {
      const reply = await overview(dispatcher, query);
      expect(reply.status, JSON.stringify(query)).toBe(400);
      expect(reply.body.error?.code).toBe('VALIDATION_FAILED');
    }
    expect((await trend(dispatcher, { ...handPeriod, bucket: 'week' })).status).toBe(400);
    const longHours = await trend(dispatcher, {
      from: '2026-01-01T00:00:00+08:00',
      to: '2026-02-15T00:00:00+08:00',
      bucket: 'hour',
    });
    expect(longHours.status).toBe(400);
    const longDays = await trend(dispatcher, {
      from: '2026-01-01T00:00:00+08:00',
      to: '2026-02-15T00:00:00+08:00',
      bucket: 'day',
    });
    expect(longDays.status).toBe(200);
    expect(longDays.body.points).toHaveLength(45);
  });
});
