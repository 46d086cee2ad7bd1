import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import {
  DEMO_PASSWORD,
  openSocket,
  startSystem,
  type Session,
  type TestSystem,
} from './support/system.ts';

type Who =
  | 'anonymous'
  | 'reporter'
  | 'otherResident'
  | 'volunteer'
  | 'member'
  | 'farMember'
  | 'community'
  | 'otherCommunity'
  | 'cityDispatcher'
  | 'otherDistrictDispatcher'
  | 'admin';

/**
 * Every route and room, with every role in and out of scope: the expected
 * status for each. Ticket T lies in `member`'s grid of 健身社区 (铁东区);
 * the "far" and "other" users belong elsewhere in the city.
 */
const EXPECTED: Array<{ what: string; expect: Record<Who, number> }> = [
  {
    what: 'GET /api/tickets',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 200,
      community: 200,
      otherCommunity: 200,
      cityDispatcher: 200,
      otherDistrictDispatcher: 200,
      admin: 200,
    },
  },
  {
    what: 'GET /api/tickets/T',
    expect: {
      anonymous: 401,
      reporter: 200,
      otherResident: 404,
      volunteer: 404,
      member: 200,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'GET /api/regions/GRID',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'GET /api/regions',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 200,
      community: 200,
      otherCommunity: 200,
      cityDispatcher: 200,
      otherDistrictDispatcher: 200,
      admin: 200,
    },
  },
  {
    what: 'GET /api/events',
    expect: {
      anonymous: 401,
      reporter: 200,
      otherResident: 200,
      volunteer: 200,
      member: 200,
      farMember: 200,
      community: 200,
      otherCommunity: 200,
      cityDispatcher: 200,
      otherDistrictDispatcher: 200,
      admin: 200,
    },
  },
  {
    what: 'GET /api/stats/rates COMMUNITY',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 403,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'GET /api/admin/open311/keys',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 403,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 403,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'POST /api/tickets/T/accept',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 404,
      volunteer: 404,
      member: 200,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 403,
      otherDistrictDispatcher: 403,
      admin: 403,
    },
  },
  {
    what: 'POST /api/tickets/T/escalate',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 404,
      volunteer: 404,
      member: 403,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'POST /api/tickets/T/cancel',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 404,
      volunteer: 404,
      member: 403,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'room ticket:T',
    expect: {
      anonymous: 401,
      reporter: 200,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  {
    what: 'room region:GRID',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 403,
      community: 200,
      otherCommunity: 403,
      cityDispatcher: 200,
      otherDistrictDispatcher: 403,
      admin: 200,
    },
  },
  // A resident opens their own ticket by session; everyone else needs the link's token (400 without).
  {
    what: 'GET /api/track/CODE',
    expect: {
      anonymous: 400,
      reporter: 200,
      otherResident: 404,
      volunteer: 400,
      member: 400,
      farMember: 400,
      community: 400,
      otherCommunity: 400,
      cityDispatcher: 400,
      otherDistrictDispatcher: 400,
      admin: 400,
    },
  },
  {
    what: 'GET /api/me/tickets',
    expect: {
      anonymous: 401,
      reporter: 200,
      otherResident: 200,
      volunteer: 403,
      member: 403,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 403,
      otherDistrictDispatcher: 403,
      admin: 403,
    },
  },
  {
    what: 'GET /api/me/notifications',
    expect: {
      anonymous: 401,
      reporter: 200,
      otherResident: 200,
      volunteer: 200,
      member: 200,
      farMember: 200,
      community: 200,
      otherCommunity: 200,
      cityDispatcher: 200,
      otherDistrictDispatcher: 200,
      admin: 200,
    },
  },
  {
    what: 'GET /api/public/tickets',
    expect: {
      anonymous: 200,
      reporter: 200,
      otherResident: 200,
      volunteer: 200,
      member: 200,
      farMember: 200,
      community: 200,
      otherCommunity: 200,
      cityDispatcher: 200,
      otherDistrictDispatcher: 200,
      admin: 200,
    },
  },
  // Tracking rooms are joined at the handshake with a token, never by room.join.
  {
    what: 'room track:T',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 403,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 403,
      otherDistrictDispatcher: 403,
      admin: 403,
    },
  },
  {
    what: 'room user:MEMBER',
    expect: {
      anonymous: 401,
      reporter: 403,
      otherResident: 403,
      volunteer: 403,
      member: 200,
      farMember: 403,
      community: 403,
      otherCommunity: 403,
      cityDispatcher: 403,
      otherDistrictDispatcher: 403,
      admin: 403,
    },
  },
];

describe('who may do what', () => {
  let system: TestSystem;
  const sessions = new Map<Who, Session>();
  let gridId: number;
  let communityId: number;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    const prisma = system.server.prisma;
    const passwordHash = await hash(DEMO_PASSWORD);
    await prisma.user.createMany({
      data: [
        { username: 'resident-a', displayName: '居民甲', role: 'RESIDENT', passwordHash },
        { username: 'resident-b', displayName: '居民乙', role: 'RESIDENT', passwordHash },
      ],
    });
    const member = await prisma.user.findUniqueOrThrow({
      where: { username: 'member' },
      include: { region: true },
    });
    gridId = member.regionId!;
    communityId = member.region!.parentId!;
    const far = await prisma.user.findFirstOrThrow({
      where: {
        role: 'GRID_MEMBER',
        region: { parent: { parent: { parent: { code: '210303' } } } },
      },
    });
    const otherCommunity = await prisma.user.findFirstOrThrow({
      where: { role: 'COMMUNITY_STAFF', regionId: { not: communityId } },
    });
    const usernames: Array<[Who, string]> = [
      ['reporter', 'resident-a'],
      ['otherResident', 'resident-b'],
      ['volunteer', 'volunteer'],
      ['member', 'member'],
      ['farMember', far.username],
      ['community', 'community'],
      ['otherCommunity', otherCommunity.username],
      ['cityDispatcher', 'dispatcher'],
      ['otherDistrictDispatcher', 'dsp-210303'],
      ['admin', 'admin'],
    ];
    for (const [who, username] of usernames) sessions.set(who, await system.login(username));
  });
  afterAll(() => system?.close());

  async function newTicket(): Promise<TicketSummary> {
    const grid = await sessions
      .get('member')!
      .get<{ region: { centroid: { lat: number; lng: number } } }>(`/api/regions/${gridId}`);
    const response = await sessions
      .get('reporter')!
      .post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'NOISE',
        description: '权限测试',
        location: grid.body.region.centroid,
      });
    return response.body.ticket;
  }

  async function attempt(who: Who, what: string, ticket: TicketSummary): Promise<number> {
    const session = sessions.get(who);
    const memberId = sessions.get('member')!.user.id;
    const [verb, rawPath] = what.split(' ') as [string, string];
    if (verb === 'room') {
      if (!session) {
        return openSocket(system.baseUrl, {}).then(
          () => 200,
          () => 401,
        );
      }
      const room = rawPath
        .replace('T', String(ticket.id))
        .replace('GRID', String(gridId))
        .replace('MEMBER', String(memberId));
      const socket = await session.socket();
      const result = await socket.emitWithAck('room.join', room);
      socket.disconnect();
      return result.ok ? 200 : 403;
    }
    const finalUrl =
      rawPath === '/api/stats/rates'
        ? `/api/stats/rates?regionId=${communityId}&from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z`
        : rawPath
            .replace('/T', `/${ticket.id}`)
            .replace('GRID', String(gridId))
            .replace('CODE', ticket.code);
    const body = what.endsWith('/cancel') ? { reason: '测试' } : {};
    if (!session) {
      const response = await fetch(`${system.baseUrl}${finalUrl}`, {
        method: verb,
        headers: { 'content-type': 'application/json' },
        body: verb === 'POST' ? JSON.stringify(body) : undefined,
      });
      return response.status;
    }
    const response =
      verb === 'GET' ? await session.get(finalUrl) : await session.post(finalUrl, body);
    return response.status;
  }

  for (const row of EXPECTED) {
    it(row.what, async () => {
      const actual: Partial<Record<Who, number>> = {};
      const who = Object.keys(row.expect) as Who[];
      // Refusals first, on one ticket; each permitted actor then acts on a fresh one,
      // so that a state change by one does not decide the answer for the next.
      const shared = await newTicket();
      for (const actor of who.filter((w) => row.expect[w] !== 200))
        actual[actor] = await attempt(actor, row.what, shared);
      for (const actor of who.filter((w) => row.expect[w] === 200))
        actual[actor] = await attempt(actor, row.what, await newTicket());
      expect(actual).toEqual(row.expect);
    });
  }
});
