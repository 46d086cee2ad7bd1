import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCommonEnv,
  positionsResponseSchema,
  positionUpdatedSchema,
  type FieldPosition,
  type LatLng,
  type PositionUpdatedPayload,
  type TicketSummary,
} from '@gridline/core';
import {
  startSystem,
  waitFor,
  type ClientSocket,
  type Session,
  type TestSystem,
} from './support/system.ts';

const redisUrl = parseCommonEnv(process.env).redisUrl;

function recordPositions(socket: ClientSocket): PositionUpdatedPayload[] {
  const seen: PositionUpdatedPayload[] = [];
  socket.on('position.updated', (payload) => seen.push(positionUpdatedSchema.parse(payload)));
  return seen;
}

describe('grid member duty and live positions', () => {
  let system: TestSystem;
  let redis: Redis;
  let member: Session;
  let dispatcher: Session;
  let community: Session;
  let otherDistrict: Session;
  let volunteer: Session;
  let centroid: LatLng;

  const positionsOf = async (session: Session, query = '') => {
    const response = await session.get(`/api/positions${query}`);
    expect(response.status).toBe(200);
    return positionsResponseSchema.parse(response.body).positions;
  };
  const mine = (positions: FieldPosition[]) => positions.find((p) => p.userId === member.user.id);
  const geoKey = () => `${system.redisPrefix}:positions:geo`;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    [member, dispatcher, community, otherDistrict, volunteer] = await Promise.all([
      system.login('member'),
      system.login('dispatcher'),
      system.login('community'),
      system.login('dsp-210303'),
      system.login('volunteer'),
    ]);
    const grid = await member.get<{ region: { centroid: LatLng } }>(
      `/api/regions/${member.user.regionId}`,
    );
    centroid = grid.body.region.centroid;
  });
  afterAll(async () => {
    redis?.disconnect();
    await system?.close();
  });

  it('on duty, a reported position reaches a dispatcher socket and the positions list', async () => {
    const socket = await dispatcher.socket();
    const pushed = recordPositions(socket);
    // A ticket of the member's counts as their load.
    const ticket = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'ROAD_DAMAGE',
      channel: 'PATROL',
      description: '井盖缺失',
      location: centroid,
    });
    expect(ticket.status).toBe(201);

    expect((await member.post('/api/members/me/duty', { onDuty: true })).body).toEqual({
      onDuty: true,
    });
    expect((await member.get('/api/members/me/duty')).body).toEqual({ onDuty: true });
    const at = { lat: centroid.lat + 0.0001, lng: centroid.lng - 0.0001 };
    const first = await member.post<{ pushed: boolean }>('/api/members/me/location', {
      ...at,
      accuracy: 8,
    });
    expect(first.status).toBe(200);
    expect(first.body.pushed).toBe(true);

    const event = await waitFor(
      () => pushed.find((p) => p.userId === member.user.id),
      5000,
      'position.updated',
    );
    expect(event).toMatchObject({
      role: 'GRID_MEMBER',
      regionId: member.user.regionId,
      lat: at.lat,
      lng: at.lng,
      accuracy: 8,
      onDuty: true,
      openTickets: 1,
    });

    // Redis holds it (GEO set), and the city, its grid and its community see it.
    const [stored] = await redis.geopos(geoKey(), String(member.user.id));
    expect(Number(stored?.[1])).toBeCloseTo(at.lat, 4);
    expect(mine(await positionsOf(dispatcher))).toMatchObject({ lat: at.lat, openTickets: 1 });
    expect(mine(await positionsOf(dispatcher, `?regionId=${member.user.regionId}`))).toBeDefined();
    expect(mine(await positionsOf(community))).toBeDefined();
    expect(mine(await positionsOf(otherDistrict))).toBeUndefined();

    // Within the throttle window: Redis moves, no push; then off duty pushes at once.
    const moved = { lat: centroid.lat + 0.0005, lng: centroid.lng };
    const second = await member.post<{ pushed: boolean }>('/api/members/me/location', moved);
    expect(second.body.pushed).toBe(false);
    expect(mine(await positionsOf(dispatcher))).toMatchObject(moved);
    expect((await member.post('/api/members/me/duty', { onDuty: false })).status).toBe(200);
    const off = await waitFor(
      () => pushed.find((p) => p.userId === member.user.id && !p.onDuty),
      5000,
      'off-duty position.updated',
    );
    expect(off).toMatchObject({ lat: moved.lat, lng: moved.lng });
    // Socket.IO keeps order per connection: the throttled report was never pushed.
    expect(pushed.filter((p) => p.userId === member.user.id).map((p) => p.onDuty)).toEqual([
      true,
      false,
    ]);
  });

  it('off duty: 409 on location, no position, and intake skips the member', async () => {
    expect((await member.post('/api/members/me/duty', { onDuty: false })).status).toBe(200);
    expect((await member.get('/api/members/me/duty')).body).toEqual({ onDuty: false });
    const refused = await member.post<{ error: { code: string } }>('/api/members/me/location', {
      lat: centroid.lat,
      lng: centroid.lng,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(await redis.geopos(geoKey(), String(member.user.id))).toEqual([null]);
    expect(mine(await positionsOf(dispatcher))).toBeUndefined();

    const post = () =>
      fetch(`${system.baseUrl}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ categoryCode: 'NOISE', description: '噪音', location: centroid }),
      }).then(async (r) => ((await r.json()) as { ticket: TicketSummary }).ticket);
    expect((await post()).assigneeId).not.toBe(member.user.id);
    await member.post('/api/members/me/duty', { onDuty: true });
    expect((await post()).assigneeId).toBe(member.user.id);
  });

  it('bad input: 400 and nothing changes', async () => {
    await member.post('/api/members/me/duty', { onDuty: true });
    const good = { lat: centroid.lat, lng: centroid.lng };
    expect((await member.post('/api/members/me/location', good)).status).toBe(200);
    const before = mine(await positionsOf(dispatcher));
    expect(before).toBeDefined();

    for (const body of [
      { lat: 91, lng: 123 },
      { lat: 89, lng: 123 }, // beyond what Redis GEO can index
      { lat: 41, lng: 181 },
      { lat: '41', lng: 123 },
      { lat: 41 },
      { lat: 41, lng: 123, accuracy: -1 },
      { lat: 41, lng: 123, extra: true },
      null,
    ]) {
      const response = await member.post<{ error: { code: string } }>(
        '/api/members/me/location',
        body,
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const raw = await fetch(`${system.baseUrl}/api/members/me/location`, {
      method: 'POST',
      headers: { cookie: member.cookie, 'content-type': 'application/json' },
      body: '{"lat": NaN}',
    });
    expect(raw.status).toBe(400);
    expect(mine(await positionsOf(dispatcher))).toEqual(before);

    for (const body of [{ onDuty: 'no' }, {}, { onDuty: false, extra: 1 }]) {
      expect((await member.post('/api/members/me/duty', body)).status).toBe(400);
    }
    expect((await member.get('/api/members/me/duty')).body).toEqual({ onDuty: true });
    expect(mine(await positionsOf(dispatcher))).toEqual(before);
  });

  it('only grid members report; only supervisors in scope read positions', async () => {
    const location = { lat: centroid.lat, lng: centroid.lng };
    for (const session of [dispatcher, community, volunteer]) {
      expect((await session.post('/api/members/me/duty', { onDuty: true })).status).toBe(403);
      expect((await session.post('/api/members/me/location', location)).status).toBe(403);
    }
    const anonymous = await fetch(`${system.baseUrl}/api/members/me/duty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ onDuty: true }),
    });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${system.baseUrl}/api/positions`)).status).toBe(401);

    expect((await member.get('/api/positions')).status).toBe(403);
    expect((await volunteer.get('/api/positions')).status).toBe(403);
    expect(
      (await otherDistrict.get(`/api/positions?regionId=${member.user.regionId}`)).status,
    ).toBe(403);
    expect((await dispatcher.get('/api/positions?regionId=99999999')).status).toBe(404);
    expect((await dispatcher.get('/api/positions?regionId=abc')).status).toBe(400);
  });
});
