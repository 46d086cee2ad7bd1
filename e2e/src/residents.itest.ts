import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MyTicket, TicketSummary, TrackedEventPayload, TrackView } from '@gridline/core';
import { startSystem, waitFor, type Session, type TestSystem } from './support/system.ts';

describe('resident accounts: a mobile number and a password, to list my tickets', () => {
  let system: TestSystem;
  let member: Session;
  let where: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem();
    member = await system.login('member');
    await member.post('/api/members/me/duty', { onDuty: true });
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(() => system?.close());

  const register = (body: unknown) =>
    fetch(`${system.baseUrl}/api/residents/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const users = () => system.server.prisma.user.count();

  it('registers with a mobile number, refuses bad and taken ones, and signs in by the number', async () => {
    const before = await users();
    for (const body of [
      { phone: '0412-2345678', password: 'secret123' },
      { phone: '1381234', password: 'secret123' },
      { phone: '13812345678', password: 'short' },
      { phone: '13812345678', password: 'secret123', role: 'ADMIN' },
    ]) {
      expect((await register(body)).status).toBe(400);
    }
    expect(await users()).toBe(before);
    const created = await register({
      phone: '138 1234 5678',
      password: 'secret123',
      displayName: '李阿姨',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const { user } = (await created.json()) as { user: { role: string; username: string } };
    expect(user).toMatchObject({ role: 'RESIDENT', username: '13812345678' });
    expect((await register({ phone: '13812345678', password: 'other1234' })).status).toBe(409);
    expect(await users()).toBe(before + 1);
    const session = await system.login('13812345678', 'secret123');
    expect(session.user.role).toBe('RESIDENT');
  });

  it('lists what I reported and follow, opens them without the link, and hears them live', async () => {
    await register({ phone: '13912340000', password: 'secret123' });
    const me = await system.login('13912340000', 'secret123');
    const mine = await me.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'NOISE',
      description: '我家楼上装修',
      location: where,
    });
    expect(mine.status).toBe(201);
    const theirs = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ categoryCode: 'GARBAGE', description: '垃圾', location: where }),
    }).then(async (r) => ((await r.json()) as { ticket: TicketSummary }).ticket);
    expect((await me.post(`/api/tickets/${theirs.id}/follow`)).status).toBe(201);

    const listed = await me.get<{ tickets: MyTicket[] }>('/api/me/tickets');
    expect(listed.body.tickets.map((ticket) => [ticket.code, ticket.relation])).toEqual([
      [mine.body.ticket.code, 'reported'],
      [theirs.code, 'followed'],
    ]);

    const own = await me.get<TrackView>(`/api/track/${mine.body.ticket.code}`);
    expect(own.status).toBe(200);
    expect(own.body.holder).toBe('reporter');
    const followed = await me.get<TrackView>(`/api/track/${theirs.code}`);
    expect(followed.body.holder).toBe('follower');

    // Another resident, staff and strangers cannot open them without the link.
    await register({ phone: '13700000000', password: 'secret123' });
    const other = await system.login('13700000000', 'secret123');
    expect((await other.get(`/api/track/${mine.body.ticket.code}`)).status).toBe(404);
    expect((await member.get(`/api/track/${mine.body.ticket.code}`)).status).toBe(400);
    expect((await fetch(`${system.baseUrl}/api/track/${mine.body.ticket.code}`)).status).toBe(400);
    expect((await member.get('/api/me/tickets')).status).toBe(403);
    expect((await fetch(`${system.baseUrl}/api/me/tickets`)).status).toBe(401);

    const socket = await me.socket();
    const heard: TrackedEventPayload[] = [];
    socket.on('ticket.tracked', (payload) => heard.push(payload));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await member.post(`/api/tickets/${mine.body.ticket.id}/accept`, {})).status).toBe(200);
    await waitFor(
      () => heard.find((event) => event.code === mine.body.ticket.code),
      5000,
      'the accept',
    );
    await member.post(`/api/tickets/${mine.body.ticket.id}/resolve`, { note: '已协调' });
    const rated = await me.post<{ ticket: { status: string } }>(
      `/api/track/${mine.body.ticket.code}/rate`,
      { rating: 'GOOD' },
    );
    expect(rated.status).toBe(200);
    expect(rated.body.ticket.status).toBe('CLOSED');
  });
});
