import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketEventPayload, TicketSummary } from '@gridline/core';
import { startServerProcess, type ServerProcess } from './support/processes.ts';
import {
  DEMO_PASSWORD,
  openSocket,
  recordEvents,
  sessionAt,
  startSystem,
  waitFor,
  type ClientSocket,
  type Session,
  type TestSystem,
} from './support/system.ts';

// TIME_SCALE 600: a normal ticket's 30-minute accept deadline passes in 3 s, and the
// community then has 3 s of its own before the street is called in.
const TIME_SCALE = 600;

/** Signs in on one particular server; the session (in PostgreSQL) is good on every server. */
async function loginOn(baseUrl: string, username: string): Promise<Session> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (response.status !== 200)
    throw new Error(`login ${username} on ${baseUrl}: ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { user } = (await response.json()) as { user: Session['user'] };
  return sessionAt({ cookie, user }, baseUrl);
}

describe('two server processes behind one Redis', () => {
  let system: TestSystem;
  let serverB: ServerProcess | undefined;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    // Server A (in-process) with the workers; server B a real child process
    // (server/src/main.ts) on the same database and REDIS_PREFIX.
    system = await startSystem({ timeScale: TIME_SCALE });
    serverB = await startServerProcess({
      databaseUrl: system.databaseUrl,
      redisPrefix: system.redisPrefix,
      timeScale: TIME_SCALE,
    });
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    const how = await serverB?.stop();
    await system?.close();
    if (serverB && how !== 'exit 0') {
      console.warn(`[multi-server] server B ended with ${how}:\n${serverB.output()}`);
    }
  });

  it('delivers the same events to sockets on either server: created, escalated by the workers, accepted on the other', async () => {
    const b = serverB!;
    // Sign in crosswise: the member on A, the community staffer on B; their sockets
    // go to the other server.
    const member = await system.login('member');
    const communityOnB = await loginOn(b.baseUrl, 'community');
    const memberSocket = await openSocket(b.baseUrl, { cookie: member.cookie }, sockets);
    const communitySocket = await openSocket(
      system.baseUrl,
      { cookie: communityOnB.cookie },
      sockets,
    );
    const memberEvents = recordEvents(memberSocket);
    const communityEvents = recordEvents(communitySocket);
    expect((await communityOnB.get<{ user: { username: string } }>('/api/me')).body.user).toEqual(
      expect.objectContaining({ username: 'community' }),
    );
    expect((await sessionAt(member, b.baseUrl).get('/api/me')).status).toBe(200);

    // A report filed on A.
    const region = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const created = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        description: '两台服务器: 楼下施工噪音',
        location: region.body.region.centroid,
        address: '和平街道健身社区',
        priority: 'NORMAL',
      }),
    });
    expect(created.status).toBe(201);
    const { ticket } = (await created.json()) as { ticket: TicketSummary };
    expect(ticket.assigneeId).toBe(member.user.id);

    const of = (events: TicketEventPayload[], type: string) =>
      events.find((event) => event.ticket.id === ticket.id && event.type === type);

    // A publishes; B's member socket hears it through the Socket.IO Redis adapter.
    const assigned = await waitFor(
      () => of(memberEvents, 'ticket.assigned'),
      5000,
      'ticket.assigned on B',
    );
    expect(assigned.ticket.assigneeId).toBe(member.user.id);
    expect(of(memberEvents, 'ticket.created')?.eventId).toBeLessThan(assigned.eventId);

    // Nobody accepts: the workers escalate and push through the Redis emitter; the
    // community socket on A hears it, and so does the member's grid room on B.
    const escalated = await waitFor(
      () => of(communityEvents, 'ticket.escalated'),
      3000 + 5000,
      'ticket.escalated on A',
    );
    expect(escalated.ticket.assigneeId).toBe(communityOnB.user.id);
    expect(escalated.data).toMatchObject({ fromLevel: 0, toLevel: 1, reason: 'accept-deadline' });
    await waitFor(() => of(memberEvents, 'ticket.escalated'), 2000, 'ticket.escalated on B');

    // The community accepts on B (before its own 3 s deadline): both servers' sockets hear it.
    const accepted = await communityOnB.post<{ ticket: TicketSummary }>(
      `/api/tickets/${ticket.id}/accept`,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.ticket.status).toBe('ACCEPTED');
    await waitFor(() => of(communityEvents, 'ticket.accepted'), 2000, 'ticket.accepted on A');
    await waitFor(() => of(memberEvents, 'ticket.accepted'), 2000, 'ticket.accepted on B');

    // Both sockets saw the whole timeline, in order, each event exactly once, with the
    // ids PostgreSQL gave them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const timeline = await system.server.prisma.ticketEvent.findMany({
      where: { ticketId: ticket.id },
      orderBy: { id: 'asc' },
      select: { id: true, type: true },
    });
    expect(timeline.map((event) => event.type)).toEqual([
      'ticket.created',
      'ticket.assigned',
      'ticket.escalated',
      'ticket.accepted',
    ]);
    for (const events of [memberEvents, communityEvents]) {
      const seen = events
        .filter((event) => event.ticket.id === ticket.id)
        .map((event) => ({ id: event.eventId, type: event.type }));
      expect(seen).toEqual(timeline);
    }
    expect(of(communityEvents, 'ticket.accepted')?.ticket.version).toBe(
      accepted.body.ticket.version,
    );
  });

  it('forgets a session signed out on one server on the other at once, though it was cached there', async () => {
    const b = serverB!;
    const dispatcher = await system.login('dispatcher');
    const onB = sessionAt(dispatcher, b.baseUrl);
    // B answers from its cache from now on (sessions are cached for 5 s).
    expect((await onB.get('/api/me')).status).toBe(200);
    expect((await onB.get('/api/me')).status).toBe(200);
    expect((await dispatcher.post('/api/auth/logout')).status).toBeLessThan(300);
    const signedOutAt = Date.now();
    for (;;) {
      const status = (await onB.get('/api/me')).status;
      if (status === 401) break;
      expect(status).toBe(200);
      // Well before the cache would have let go of it on its own.
      expect(Date.now() - signedOutAt).toBeLessThan(2000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // And on A, where it was signed out, at once.
    expect((await dispatcher.get('/api/me')).status).toBe(401);
  });
});
