import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatesReport, TicketStatus } from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { StatsService } from '../../server/src/stats/stats-service.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Chain {
  gridId: number;
  communityId: number;
  streetId: number;
  districtId: number;
}

interface FixtureEvent {
  type: string;
  /** Minutes after the ticket's creation. */
  after: number;
  data?: Prisma.InputJsonObject;
  toStatus: TicketStatus;
}

interface FixtureTicket {
  chain: Chain;
  createdAt: Date;
  status: TicketStatus;
  /** Minutes after creation; null: none. */
  acceptBy: number | null;
  resolveBy: number | null;
  events: FixtureEvent[];
}

const accepted = (after: number, onTime?: boolean): FixtureEvent => ({
  type: 'ticket.accepted',
  after,
  data:
    onTime === undefined ? { action: 'accept', level: 0 } : { action: 'accept', level: 0, onTime },
  toStatus: 'ACCEPTED',
});
const resolved = (after: number, onTime: boolean): FixtureEvent => ({
  type: 'ticket.resolved',
  after,
  data: { action: 'resolve', note: '已处理', onTime },
  toStatus: 'RESOLVED',
});
const rated = (after: number, rating: 'GOOD' | 'BAD', toStatus: TicketStatus): FixtureEvent => ({
  type: 'ticket.updated',
  after,
  data: { action: 'rated', rating, comment: null },
  toStatus,
});

/**
 * Rates of the tickets created in [from, to), as the API answers them. The
 * fixture (below) is written so that every figure can be checked by hand.
 */
describe('GET /api/stats/rates against the real services', () => {
  let system: TestSystem;
  let prisma: PrismaClient;
  let dispatcher: Session;
  let community: Session;
  let member: Session;
  let volunteer: Session;
  let mine: Chain;
  let otherCommunityId: number;
  let otherDistrictChain: Chain;
  const now = Date.now();
  const from = new Date(now - 7 * 24 * HOUR);
  const to = new Date(now + HOUR);
  /** `hours` after the start of the period. */
  const at = (hours: number) => new Date(from.getTime() + hours * HOUR);

  async function rates(
    session: Session | null,
    query: Record<string, string | number>,
  ): Promise<{ status: number; body: RatesReport & { error?: { code: string } } }> {
    const params = new URLSearchParams(
      Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
    );
    const response = await fetch(`${system.baseUrl}/api/stats/rates?${params.toString()}`, {
      headers: session ? { cookie: session.cookie } : {},
    });
    return {
      status: response.status,
      body: (await response.json()) as RatesReport & { error?: { code: string } },
    };
  }
  const period = { from: from.toISOString(), to: to.toISOString() };

  async function insert(ticket: FixtureTicket, index: number): Promise<void> {
    const category = await prisma.category.findFirstOrThrow({ orderBy: { id: 'asc' } });
    const minutes = (after: number | null) =>
      after === null ? null : new Date(ticket.createdAt.getTime() + after * MINUTE);
    const row = await prisma.ticket.create({
      data: {
        code: `GL-RATES-${index}`,
        trackingTokenHash: `rates-${index}`,
        channel: 'WEB',
        categoryId: category.id,
        priority: 'NORMAL',
        status: ticket.status,
        description: `三率测试工单 ${index}`,
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
    for (const event of timeline) {
      await prisma.ticketEvent.create({
        data: {
          ticketId: row.id,
          type: event.type,
          toStatus: event.toStatus,
          payload: event.data ?? {},
          createdAt: minutes(event.after)!,
        },
      });
    }
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

    const gridId = member.user.regionId!;
    const parentOf = async (id: number) =>
      (await prisma.region.findUniqueOrThrow({ where: { id }, select: { parentId: true } }))
        .parentId!;
    const communityId = await parentOf(gridId);
    const streetId = await parentOf(communityId);
    mine = { gridId, communityId, streetId, districtId: await parentOf(streetId) };
    expect(community.user.regionId).toBe(communityId);

    const sibling = await prisma.region.findFirstOrThrow({
      where: { level: 'GRID', parentId: communityId, id: { not: gridId } },
    });
    const otherCommunity = await prisma.region.findFirstOrThrow({
      where: { level: 'COMMUNITY', id: { not: communityId } },
    });
    otherCommunityId = otherCommunity.id;
    const farGrid = await prisma.region.findFirstOrThrow({
      where: { level: 'GRID', parent: { parent: { parentId: { not: mine.districtId } } } },
      select: {
        id: true,
        parent: { select: { id: true, parent: { select: { id: true, parentId: true } } } },
      },
    });
    otherDistrictChain = {
      gridId: farGrid.id,
      communityId: farGrid.parent!.id,
      streetId: farGrid.parent!.parent!.id,
      districtId: farGrid.parent!.parent!.parentId!,
    };

    const siblingChain = { ...mine, gridId: sibling.id };
    const tickets: FixtureTicket[] = [
      // A: accepted on time (10 min), resolved on time (360 min), closed, rated GOOD.
      {
        chain: mine,
        createdAt: at(1),
        status: 'CLOSED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [
          accepted(10, true),
          resolved(360, true),
          { type: 'ticket.closed', after: 400, data: { action: 'close' }, toStatus: 'CLOSED' },
          rated(420, 'GOOD', 'CLOSED'),
        ],
      },
      // B: accepted late (60 min), resolved late (2880 min), rated BAD.
      {
        chain: mine,
        createdAt: at(2),
        status: 'RESOLVED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(60, false), resolved(2880, false), rated(2900, 'BAD', 'RESOLVED')],
      },
      // C: never accepted (escalated once), both deadlines passed: overdue.
      {
        chain: mine,
        createdAt: at(3),
        status: 'ASSIGNED',
        acceptBy: 90,
        resolveBy: 24 * 60,
        events: [
          {
            type: 'ticket.escalated',
            after: 30,
            data: { reason: 'accept-deadline', fromLevel: 0, toLevel: 1 },
            toStatus: 'ASSIGNED',
          },
        ],
      },
      // D: created a minute ago: due for nothing yet.
      {
        chain: mine,
        createdAt: new Date(now - MINUTE),
        status: 'ASSIGNED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [],
      },
      // E: accepted on time (5 min), resolved on time (240 min), rated BAD; reopened
      // (new deadlines), accepted and resolved again, re-rated GOOD.
      {
        chain: mine,
        createdAt: at(4),
        status: 'RESOLVED',
        acceptBy: 24 * 60 + 30,
        resolveBy: 48 * 60,
        events: [
          accepted(5, true),
          resolved(240, true),
          rated(300, 'BAD', 'RESOLVED'),
          {
            type: 'ticket.reopened',
            after: 24 * 60,
            data: { action: 'reopen', reason: '噪音仍在' },
            toStatus: 'REOPENED',
          },
          accepted(24 * 60 + 20, true),
          resolved(34 * 60, true),
          rated(34 * 60 + 30, 'GOOD', 'RESOLVED'),
        ],
      },
      // F: created before the period: not counted.
      {
        chain: mine,
        createdAt: at(-24),
        status: 'CLOSED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(10, true), resolved(60, true), rated(90, 'GOOD', 'RESOLVED')],
      },
      // G: cancelled: withdrawn, not judged.
      {
        chain: mine,
        createdAt: at(5),
        status: 'CANCELLED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [
          {
            type: 'ticket.closed',
            after: 120,
            data: { action: 'cancel', reason: '重复报告' },
            toStatus: 'CANCELLED',
          },
        ],
      },
      // I: the other grid of the community; accepted at 45 min with no onTime flag
      // (late against the 30-min accept-by), never resolved: overdue.
      {
        chain: siblingChain,
        createdAt: at(7),
        status: 'ACCEPTED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(45)],
      },
      // H: another district: accepted (20 min) and resolved (120 min) on time, rated GOOD.
      {
        chain: otherDistrictChain,
        createdAt: at(6),
        status: 'RESOLVED',
        acceptBy: 30,
        resolveBy: 24 * 60,
        events: [accepted(20, true), resolved(120, true), rated(150, 'GOOD', 'RESOLVED')],
      },
    ];
    for (const [index, ticket] of tickets.entries()) await insert(ticket, index);
  });
  afterAll(() => system?.close());

  // Community (A B C D E G I): response A E / A B C E I; resolution A / A B C E I;
  // satisfaction A E / A B E. Minutes to accept (10 + 60 + 5 + 45) / 4, to resolve (360 + 2880 + 240) / 3.
  const communityFigures = {
    response: { rate: 0.4, numerator: 2, denominator: 5 },
    resolution: { rate: 0.2, numerator: 1, denominator: 5 },
    satisfaction: { rate: 2 / 3, numerator: 2, denominator: 3 },
    counts: {
      created: 7,
      withdrawn: 1,
      accepted: 4,
      resolved: 3,
      reopened: 1,
      rated: 3,
      overdue: 2,
    },
    averages: { acceptMinutes: 30, resolveMinutes: 1160 },
  };

  it("gives a city dispatcher the exact rates of the member's community", async () => {
    const reply = await rates(dispatcher, { regionId: mine.communityId, ...period });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      regionId: mine.communityId,
      ...period,
      ...communityFigures,
    });
    const asOf = Date.parse(reply.body.asOf);
    expect(asOf).toBeGreaterThanOrEqual(now);
    expect(asOf).toBeLessThanOrEqual(Date.now());
  });

  it('defaults to the caller’s home region: the community for community staff, the city for the dispatcher', async () => {
    const own = await rates(community, period);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ regionId: mine.communityId, ...communityFigures });

    // The city adds H from another district.
    const city = await rates(dispatcher, period);
    expect(city.status).toBe(200);
    expect(city.body.regionId).toBe(dispatcher.user.regionId);
    expect(city.body).toMatchObject({
      response: { rate: 0.5, numerator: 3, denominator: 6 },
      resolution: { rate: 2 / 6, numerator: 2, denominator: 6 },
      satisfaction: { rate: 0.75, numerator: 3, denominator: 4 },
      counts: {
        created: 8,
        withdrawn: 1,
        accepted: 5,
        resolved: 4,
        reopened: 1,
        rated: 4,
        overdue: 2,
      },
      averages: { acceptMinutes: 28, resolveMinutes: 900 },
    });
  });

  it('selects by the level of the region asked about: grid, street, district', async () => {
    // The member's grid holds A B C D E G (not I).
    const grid = await rates(member, period);
    expect(grid.status).toBe(200);
    expect(grid.body).toMatchObject({
      regionId: mine.gridId,
      response: { numerator: 2, denominator: 4 },
      resolution: { numerator: 1, denominator: 4 },
      satisfaction: { numerator: 2, denominator: 3 },
      counts: { created: 6, overdue: 1 },
    });
    for (const regionId of [mine.streetId, mine.districtId]) {
      const reply = await rates(dispatcher, { regionId, ...period });
      expect(reply.body).toMatchObject(communityFigures);
    }
    const far = await rates(dispatcher, { regionId: otherDistrictChain.districtId, ...period });
    expect(far.body).toMatchObject({
      response: { rate: 1, numerator: 1, denominator: 1 },
      resolution: { rate: 1, numerator: 1, denominator: 1 },
      satisfaction: { rate: 1, numerator: 1, denominator: 1 },
      counts: { created: 1 },
    });
  });

  it('answers null rates for a period with no tickets', async () => {
    const reply = await rates(dispatcher, {
      regionId: mine.communityId,
      from: '2025-01-01T00:00:00+08:00',
      to: '2025-02-01T00:00:00+08:00',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      from: '2024-12-31T16:00:00.000Z',
      to: '2025-01-31T16:00:00.000Z',
      response: { rate: null, numerator: 0, denominator: 0 },
      resolution: { rate: null, numerator: 0, denominator: 0 },
      satisfaction: { rate: null, numerator: 0, denominator: 0 },
      averages: { acceptMinutes: null, resolveMinutes: null },
    });
  });

  it('computes the same figures in the service, straight from PostgreSQL', async () => {
    const service = new StatsService(prisma, { now: () => new Date() });
    const report = await service.rates({ id: mine.communityId, level: 'COMMUNITY' }, { from, to });
    expect(report).toMatchObject({ regionId: mine.communityId, ...period, ...communityFigures });
    // As of 7 h 15 min into the period, D did not exist yet, G was cancelled and
    // I, 15 minutes old, was not yet due: response A E / A B C E.
    const early = new StatsService(prisma, { now: () => at(7.25) });
    const before = await early.rates({ id: mine.communityId, level: 'COMMUNITY' }, { from, to });
    expect(before.asOf).toBe(at(7.25).toISOString());
    expect(before.counts).toMatchObject({ created: 6, withdrawn: 1, accepted: 3 });
    expect(before.response).toEqual({ rate: 0.5, numerator: 2, denominator: 4 });
  });

  it('refuses a region outside the caller’s scope with 403, and an unknown region with 404', async () => {
    const reply = await rates(community, { regionId: otherCommunityId, ...period });
    expect(reply.status).toBe(403);
    expect(reply.body.error?.code).toBe('FORBIDDEN');
    expect((await rates(member, { regionId: mine.communityId, ...period })).status).toBe(403);
    expect((await rates(community, { regionId: mine.gridId, ...period })).status).toBe(200);
    expect((await rates(dispatcher, { regionId: 2_000_000_000, ...period })).status).toBe(404);
  });

  it('answers 400 for a bad query', async () => {
    const bad: Record<string, string>[] = [
      { from: period.to, to: period.from },
      { from: period.from, to: period.from },
      { from: '2026-11-01T00:00:00', to: '2026-11-02T00:00:00' },
      { from: '2026-11-01', to: '2026-11-02' },
      { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' },
      { to: period.to },
      { ...period, regionId: 'abc' },
      { ...period, level: 'GRID' },
    ];
    for (const query of bad) {
      const reply = await rates(dispatcher, query);
      expect(reply.status, JSON.stringify(query)).toBe(400);
      expect(reply.body.error?.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 401 to anonymous callers and 403 to volunteers', async () => {
    const anonymous = await rates(null, period);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe('UNAUTHENTICATED');
    expect((await rates(volunteer, period)).status).toBe(403);
  });
});
