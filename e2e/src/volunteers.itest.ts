import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCommonEnv,
  positionsResponseSchema,
  VOLUNTEER_POSITION_MAX_AGE_MS,
  type LatLng,
  type SkillDto,
  type UserDto,
  type VolunteerProfile,
} from '@gridline/core';
import { RedisVolunteerLocator } from '@gridline/db';
import { sessionAt, startSystem, type Session, type TestSystem } from './support/system.ts';

const redisUrl = parseCommonEnv(process.env).redisUrl;

interface ErrorReply {
  error: { code: string; message: string; details?: unknown };
}
interface Registered {
  user: UserDto;
  volunteer: VolunteerProfile;
}

describe('volunteer registration, approval, duty and position', () => {
  let system: TestSystem;
  let redis: Redis;
  let locator: RedisVolunteerLocator;
  let community: Session;
  let otherCommunity: Session;
  let dispatcher: Session;
  let homeCommunityId: number;
  let homeTeamId: number;
  let gridId: number;
  let centroid: LatLng;

  const register = async (body: Record<string, unknown>) => {
    const response = await fetch(`${system.baseUrl}/api/volunteers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      body: (await response.json()) as Registered & ErrorReply,
    };
  };
  const patch = async (session: Session, body: unknown) => {
    const response = await fetch(`${system.baseUrl}/api/volunteers/me`, {
      method: 'PATCH',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { volunteer: VolunteerProfile },
    };
  };
  const registration = (username: string) => ({
    username,
    password: 'helping-hands',
    displayName: '王志愿',
    phone: '13812345678',
    homeCommunityId,
    skills: ['MEDICAL', 'DRIVING'],
    teamIds: [homeTeamId],
  });
  const counts = async () => {
    const prisma = system.server.prisma;
    return {
      users: await prisma.user.count(),
      volunteers: await prisma.volunteer.count(),
      skills: await prisma.volunteerSkill.count(),
      teams: await prisma.teamMember.count(),
      sessions: await prisma.session.count(),
    };
  };
  const nearest = (skills: string[]) =>
    locator.nearest(
      {
        ...centroid,
        radiusM: 2_000,
        skills,
        limit: 50,
        maxAgeMs: VOLUNTEER_POSITION_MAX_AGE_MS,
      },
      new Date(),
    );
  const positionsOf = async (session: Session) => {
    const response = await session.get('/api/positions');
    expect(response.status).toBe(200);
    return positionsResponseSchema.parse(response.body).positions;
  };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    locator = new RedisVolunteerLocator(redis, system.redisPrefix);
    [community, dispatcher] = await Promise.all([
      system.login('community'),
      system.login('dispatcher'),
    ]);
    homeCommunityId = community.user.regionId!;
    const prisma = system.server.prisma;
    const other = await prisma.region.findFirstOrThrow({
      where: { level: 'COMMUNITY', id: { not: homeCommunityId } },
      orderBy: { id: 'asc' },
    });
    otherCommunity = await system.login(`cs-${other.code}`);
    homeTeamId = (await prisma.team.findFirstOrThrow({ where: { communityId: homeCommunityId } }))
      .id;
    const grid = await prisma.region.findFirstOrThrow({
      where: { parentId: homeCommunityId, level: 'GRID' },
    });
    gridId = grid.id;
    centroid = { lat: grid.centroidLat!, lng: grid.centroidLng! };
  });
  afterAll(async () => {
    redis?.disconnect();
    await system?.close();
  });

  it('lists the skill catalogue to anyone', async () => {
    const response = await fetch(`${system.baseUrl}/api/skills`);
    const { skills } = (await response.json()) as { skills: SkillDto[] };
    expect(response.status).toBe(200);
    expect(skills.map((skill) => skill.code)).toEqual(
      expect.arrayContaining(['ELDERLY_CARE', 'MEDICAL', 'HAIRCUT', 'KNIFE_SHARPENING']),
    );
    expect(skills.find((skill) => skill.code === 'MEDICAL')).toMatchObject({ nameZh: '医疗护理' });
  });

  it('registers, waits for its own community, goes on duty and shows on the map and in the locator', async () => {
    const created = await register(registration('wang-helper'));
    expect(created.status).toBe(201);
    expect(created.cookie).toMatch(/^gl_session=/);
    expect(created.body.user).toMatchObject({ username: 'wang-helper', role: 'VOLUNTEER' });
    expect(created.body.volunteer).toMatchObject({
      status: 'PENDING',
      homeCommunityId,
      skills: ['DRIVING', 'MEDICAL'],
      teams: [{ id: homeTeamId, leader: false }],
      phone: '13812345678',
      balance: { minutes: 0, points: 0 },
    });
    const id = created.body.user.id;
    const me = sessionAt({ cookie: created.cookie, user: created.body.user }, system.baseUrl);
    expect((await me.get<{ user: UserDto }>('/api/me')).body.user.id).toBe(id);
    const stored = await system.server.prisma.user.findUniqueOrThrow({ where: { id } });
    expect(stored.passwordHash).toMatch(/^\$argon2/);
    expect(stored.regionId).toBe(homeCommunityId);

    // Pending: no duty, no position (403 with a reason the page can show).
    const duty = await me.post<ErrorReply>('/api/volunteers/me/duty', { onDuty: true });
    expect(duty.status).toBe(403);
    expect(duty.body.error).toMatchObject({ code: 'FORBIDDEN', details: { status: 'PENDING' } });
    expect((await me.post('/api/volunteers/me/location', centroid)).status).toBe(403);
    expect((await me.get('/api/volunteers/me/duty')).status).toBe(403);
    expect(
      (await system.server.prisma.volunteer.findUniqueOrThrow({ where: { userId: id } })).onDuty,
    ).toBe(false);

    // Staff lists: their own community's staff see the registration with the phone, others do not.
    const pending = await community.get<{ volunteers: VolunteerProfile[] }>(
      '/api/volunteers?status=PENDING',
    );
    expect(pending.status).toBe(200);
    expect(pending.body.volunteers.find((v) => v.userId === id)?.phone).toBe('13812345678');
    const elsewhere = await otherCommunity.get<{ volunteers: VolunteerProfile[] }>(
      '/api/volunteers?status=PENDING',
    );
    expect(elsewhere.body.volunteers.some((v) => v.userId === id)).toBe(false);
    expect(
      (await otherCommunity.get(`/api/volunteers?communityId=${homeCommunityId}`)).status,
    ).toBe(403);
    const city = await dispatcher.get<{ volunteers: VolunteerProfile[] }>(
      `/api/volunteers?communityId=${homeCommunityId}&status=PENDING`,
    );
    expect(city.body.volunteers.find((v) => v.userId === id)?.phone).toBe('138****5678');

    // Another community's staff may not approve; nothing changes, nothing is audited.
    const refused = await otherCommunity.post<ErrorReply>(`/api/volunteers/${id}/approve`);
    expect(refused.status).toBe(403);
    expect((await dispatcher.post(`/api/volunteers/${id}/approve`)).status).toBe(403);
    const audit = () =>
      system.server.prisma.auditLog.findMany({
        where: { entity: 'volunteer', entityId: String(id) },
      });
    expect(await audit()).toEqual([]);

    const approved = await community.post<{ volunteer: VolunteerProfile }>(
      `/api/volunteers/${id}/approve`,
    );
    expect(approved.status).toBe(200);
    expect(approved.body.volunteer.status).toBe('APPROVED');
    expect(await audit()).toMatchObject([{ action: 'approve', actorId: community.user.id }]);
    expect((await community.post(`/api/volunteers/${id}/approve`)).status).toBe(409);

    // On duty: durable flags, the dispatcher's map, the locator.
    expect((await me.post('/api/volunteers/me/duty', { onDuty: true })).body).toEqual({
      onDuty: true,
    });
    const flags = await system.server.prisma.volunteer.findUniqueOrThrow({
      where: { userId: id },
      include: { user: true },
    });
    expect([flags.onDuty, flags.user.onDuty]).toEqual([true, true]);
    const at = { lat: centroid.lat + 0.0002, lng: centroid.lng };
    const reported = await me.post<{ pushed: boolean }>('/api/volunteers/me/location', {
      ...at,
      accuracy: 10,
    });
    expect(reported.status).toBe(200);
    const onMap = (await positionsOf(dispatcher)).find((p) => p.userId === id);
    expect(onMap).toMatchObject({ role: 'VOLUNTEER', regionId: homeCommunityId, lat: at.lat });
    expect((await positionsOf(community)).some((p) => p.userId === id)).toBe(true);
    expect((await positionsOf(otherCommunity)).some((p) => p.userId === id)).toBe(false);

    const found = (await nearest(['MEDICAL'])).find((hit) => hit.userId === id);
    expect(found?.distanceM).toBeLessThan(30);
    expect((await nearest(['MEDICAL', 'DRIVING'])).some((hit) => hit.userId === id)).toBe(true);
    expect((await nearest(['HAIRCUT'])).some((hit) => hit.userId === id)).toBe(false);

    // New skills count for offers at once.
    const changed = await patch(me, { skills: ['HAIRCUT'] });
    expect(changed.status).toBe(200);
    expect(changed.body.volunteer.skills).toEqual(['HAIRCUT']);
    expect((await nearest(['HAIRCUT'])).some((hit) => hit.userId === id)).toBe(true);
    expect((await nearest(['MEDICAL'])).some((hit) => hit.userId === id)).toBe(false);

    // Off duty: off the map, out of the locator, flags down.
    expect((await me.post('/api/volunteers/me/duty', { onDuty: false })).status).toBe(200);
    expect((await positionsOf(dispatcher)).some((p) => p.userId === id)).toBe(false);
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(false);
    expect(
      (await system.server.prisma.volunteer.findUniqueOrThrow({ where: { userId: id } })).onDuty,
    ).toBe(false);
    expect((await me.post('/api/volunteers/me/location', centroid)).status).toBe(409);
  });

  it('moving to another community asks its staff to approve again, off duty meanwhile', async () => {
    const created = await register(registration('zhou-helper'));
    const id = created.body.user.id;
    const me = sessionAt({ cookie: created.cookie, user: created.body.user }, system.baseUrl);
    await community.post(`/api/volunteers/${id}/approve`);
    await me.post('/api/volunteers/me/duty', { onDuty: true });
    expect((await me.post('/api/volunteers/me/location', centroid)).status).toBe(200);
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(true);

    const newHome = otherCommunity.user.regionId!;
    const moved = await patch(me, { homeCommunityId: newHome });
    expect(moved.status).toBe(200);
    expect(moved.body.volunteer).toMatchObject({
      status: 'PENDING',
      homeCommunityId: newHome,
      onDuty: false,
    });
    const row = await system.server.prisma.volunteer.findUniqueOrThrow({ where: { userId: id } });
    expect(row).toMatchObject({ status: 'PENDING', onDuty: false, approvedById: null });
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(false);
    expect((await positionsOf(dispatcher)).some((p) => p.userId === id)).toBe(false);
    expect((await me.post('/api/volunteers/me/duty', { onDuty: true })).status).toBe(403);

    // The old community's staff no longer decide; the new one's approve.
    expect((await community.post(`/api/volunteers/${id}/approve`)).status).toBe(403);
    const approved = await otherCommunity.post<{ volunteer: VolunteerProfile }>(
      `/api/volunteers/${id}/approve`,
    );
    expect(approved.body.volunteer.status).toBe('APPROVED');
    expect((await me.post('/api/volunteers/me/duty', { onDuty: true })).status).toBe(200);
  });

  it('suspending takes a volunteer on duty off the map and out of the locator at once', async () => {
    const created = await register(registration('li-helper'));
    const id = created.body.user.id;
    const me = sessionAt({ cookie: created.cookie, user: created.body.user }, system.baseUrl);
    await community.post(`/api/volunteers/${id}/approve`);
    await me.post('/api/volunteers/me/duty', { onDuty: true });
    expect((await me.post('/api/volunteers/me/location', centroid)).status).toBe(200);
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(true);

    expect((await otherCommunity.post(`/api/volunteers/${id}/suspend`)).status).toBe(403);
    const suspended = await community.post<{ volunteer: VolunteerProfile }>(
      `/api/volunteers/${id}/suspend`,
    );
    expect(suspended.body.volunteer).toMatchObject({ status: 'SUSPENDED', onDuty: false });
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(false);
    expect((await positionsOf(dispatcher)).some((p) => p.userId === id)).toBe(false);
    const report = await me.post<ErrorReply>('/api/volunteers/me/location', centroid);
    expect(report.status).toBe(403);
    expect(report.body.error.details).toEqual({ status: 'SUSPENDED' });
    expect((await nearest([])).some((hit) => hit.userId === id)).toBe(false);
  });

  it('refuses bad registrations with 400 (409 for a taken name) and writes nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ ...registration('bad-skill'), skills: ['MEDICAL', 'JUGGLING'] }, 400],
      [{ ...registration('bad-home'), homeCommunityId: gridId }, 400],
      [{ ...registration('bad-home2'), homeCommunityId: 999_999 }, 400],
      [{ ...registration('bad-team'), teamIds: [999_999] }, 400],
      [{ ...registration('bad-phone'), phone: '12345' }, 400],
      [{ ...registration('x'), username: 'a b' }, 400],
      [{ ...registration('short-pw'), password: 'short' }, 400],
      [{ ...registration('extra'), role: 'ADMIN' }, 400],
      [{ ...registration('Wang-Helper') }, 409],
      [{ ...registration('member') }, 409],
    ];
    for (const [body, status] of cases) {
      const response = await register(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.cookie).toBe('');
    }
    expect(await counts()).toEqual(before);
  });

  it('lets volunteers join and leave teams; staff create teams in their community only', async () => {
    const me = await system.login('volunteer');
    const created = await community.post<{ team: { id: number; communityId: number } }>(
      '/api/teams',
      { name: '应急先锋队' },
    );
    expect(created.status).toBe(201);
    expect(created.body.team.communityId).toBe(homeCommunityId);
    expect(
      (await otherCommunity.post('/api/teams', { name: 'x', communityId: homeCommunityId })).status,
    ).toBe(403);
    expect((await me.post('/api/teams', { name: 'x' })).status).toBe(403);
    const teamId = created.body.team.id;

    const joined = await me.post<{ team: { members: number } }>(`/api/teams/${teamId}/join`);
    expect(joined.body.team.members).toBe(1);
    const listed = await me.get<{ teams: Array<{ id: number }> }>(
      `/api/teams?communityId=${homeCommunityId}`,
    );
    expect(listed.body.teams.map((team) => team.id)).toContain(teamId);
    const profile = await me.get<{ volunteer: VolunteerProfile }>('/api/volunteers/me');
    expect(profile.body.volunteer.teams.map((team) => team.id)).toContain(teamId);
    expect((await me.post(`/api/teams/${teamId}/leave`)).status).toBe(200);
    const after = await me.get<{ volunteer: VolunteerProfile }>('/api/volunteers/me');
    expect(after.body.volunteer.teams.map((team) => team.id)).not.toContain(teamId);
    expect((await me.post('/api/teams/999999/join')).status).toBe(404);
  });
});
