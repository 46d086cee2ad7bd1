import { describe, expect, it } from 'vitest';
import type { LatLng, LocationReport, RegionLevel, SkillDto } from '@gridline/core';
import type { RegionNode } from '@gridline/db';
import { HttpError } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { FieldUser } from '../positions/ports.ts';
import type { ReportResult } from '../positions/position-service.ts';
import {
  UsernameTakenError,
  type NewVolunteer,
  type StatusChange,
  type TeamDto,
  type VolunteerListFilter,
  type VolunteerLocatorWriter,
  type VolunteerPatch,
  type VolunteerRecord,
  type VolunteerRepository,
} from './ports.ts';
import { VolunteerService, type VolunteerPositions } from './volunteer-service.ts';

/** city 1 > district 2 > street 3 > communities 4 and 5 > grid 6 (in 4). */
const NODES: Array<[number, RegionLevel, number | null]> = [
  [1, 'CITY', null],
  [2, 'DISTRICT', 1],
  [3, 'STREET', 2],
  [4, 'COMMUNITY', 3],
  [5, 'COMMUNITY', 3],
  [6, 'GRID', 4],
];
const byId = new Map<number, RegionNode>(
  NODES.map(([id, level, parentId]) => [
    id,
    { id, code: String(id), name: `r${id}`, nameEn: null, level, parentId, centroid: null },
  ]),
);
const regions = {
  get: (id: number) => byId.get(id),
  isWithin(regionId: number, ancestorId: number) {
    for (let node = byId.get(regionId); node; ) {
      if (node.id === ancestorId) return true;
      node = node.parentId === null ? undefined : byId.get(node.parentId);
    }
    return false;
  },
};

const SKILLS: SkillDto[] = [
  { code: 'MEDICAL', nameZh: '医疗护理', nameEn: 'Medical' },
  { code: 'DRIVING', nameZh: '驾车接送', nameEn: 'Driving' },
];

class FakeRepository implements VolunteerRepository {
  volunteers = new Map<number, VolunteerRecord>();
  teamRows = new Map<number, TeamDto & { memberIds: Set<number> }>([
    [10, { id: 10, name: '银发互助队', communityId: 4, members: 0, memberIds: new Set() }],
  ]);
  audits: StatusChange[] = [];
  creates = 0;
  nextId = 100;
  taken = new Set(['member']);
  raceOnCreate = false;

  async skills() {
    return SKILLS;
  }
  async existingTeams(ids: readonly number[]) {
    return ids.filter((id) => this.teamRows.has(id));
  }
  async usernameTaken(username: string) {
    return this.taken.has(username.toLowerCase());
  }
  async create(volunteer: NewVolunteer) {
    this.creates++;
    if (this.raceOnCreate) throw new UsernameTakenError();
    const userId = this.nextId++;
    this.taken.add(volunteer.username.toLowerCase());
    this.volunteers.set(userId, {
      userId,
      username: volunteer.username,
      displayName: volunteer.displayName,
      phone: volunteer.phone,
      status: 'PENDING',
      homeCommunityId: volunteer.homeCommunityId,
      skills: [...volunteer.skills],
      teams: [],
      onDuty: false,
      balance: { minutes: 0, points: 0 },
      createdAt: new Date(),
    });
    for (const teamId of volunteer.teamIds) await this.join(teamId, userId);
    return userId;
  }
  async find(userId: number) {
    const record = this.volunteers.get(userId);
    if (!record) return null;
    const teams = [...this.teamRows.values()]
      .filter((team) => team.memberIds.has(userId))
      .map((team) => ({ id: team.id, name: team.name, leader: false }));
    return { ...record, teams };
  }
  async fieldInfo(userId: number) {
    const record = this.volunteers.get(userId);
    return record ? { ...record } : null;
  }
  async update(userId: number, patch: VolunteerPatch) {
    const record = this.volunteers.get(userId)!;
    const awaitingApproval =
      record.status === 'APPROVED' &&
      patch.homeCommunityId !== undefined &&
      patch.homeCommunityId !== record.homeCommunityId;
    this.volunteers.set(userId, {
      ...record,
      ...patch,
      ...(awaitingApproval ? { status: 'PENDING' } : {}),
    } as VolunteerRecord);
    return { awaitingApproval };
  }
  async list(filter: VolunteerListFilter) {
    return [...this.volunteers.values()]
      .filter(
        (record) =>
          (filter.communityId === undefined || record.homeCommunityId === filter.communityId) &&
          (filter.regionId === null ||
            (record.homeCommunityId !== null &&
              regions.isWithin(record.homeCommunityId, filter.regionId))) &&
          (filter.status === undefined || record.status === filter.status),
      )
      .slice(0, filter.limit);
  }
  async setStatus(change: StatusChange) {
    const record = this.volunteers.get(change.userId)!;
    if (record.status === change.to) return false;
    this.volunteers.set(change.userId, {
      ...record,
      status: change.to,
      onDuty: change.to === 'SUSPENDED' ? false : record.onDuty,
    });
    this.audits.push(change);
    return true;
  }
  async teams() {
    return [...this.teamRows.values()].map((team) => this.#dto(team.id)!);
  }
  async team(id: number) {
    return this.#dto(id);
  }
  async createTeam(team: { name: string; communityId: number }) {
    const id = this.teamRows.size + 10;
    this.teamRows.set(id, { id, ...team, members: 0, memberIds: new Set() });
    return this.#dto(id)!;
  }
  async join(teamId: number, userId: number) {
    this.teamRows.get(teamId)?.memberIds.add(userId);
  }
  async leave(teamId: number, userId: number) {
    this.teamRows.get(teamId)?.memberIds.delete(userId);
  }
  #dto(id: number): TeamDto | null {
    const team = this.teamRows.get(id);
    if (!team) return null;
    return { id, name: team.name, communityId: team.communityId, members: team.memberIds.size };
  }
}

class FakePositions implements VolunteerPositions {
  onDuty = new Set<number>();
  reports: Array<{ user: FieldUser; report: LocationReport }> = [];
  dutyCalls: Array<{ user: FieldUser; onDuty: boolean }> = [];
  async isOnDuty(user: FieldUser) {
    return this.onDuty.has(user.id);
  }
  async setDuty(user: FieldUser, onDuty: boolean) {
    this.dutyCalls.push({ user, onDuty });
    if (onDuty) this.onDuty.add(user.id);
    else this.onDuty.delete(user.id);
    return { onDuty };
  }
  async report(user: FieldUser, report: LocationReport): Promise<ReportResult> {
    if (!this.onDuty.has(user.id)) throw new HttpError('CONFLICT', 'Go on duty first');
    this.reports.push({ user, report });
    return {
      pushed: true,
      position: {
        userId: user.id,
        role: 'VOLUNTEER',
        displayName: user.displayName,
        regionId: user.regionId,
        lat: report.lat,
        lng: report.lng,
        accuracy: report.accuracy ?? null,
        at: '2026-11-22T08:00:00.000Z',
        onDuty: true,
      },
    };
  }
}

class FakeLocator implements VolunteerLocatorWriter {
  calls: string[] = [];
  updates: Array<{ userId: number; skills: readonly string[]; position: LatLng; at: Date }> = [];
  prunes: Date[] = [];
  async update(
    volunteer: { userId: number; skills: readonly string[] },
    position: LatLng,
    at: Date,
  ) {
    this.calls.push(`update:${volunteer.userId}`);
    this.updates.push({ ...volunteer, position, at });
    return true;
  }
  async setSkills(userId: number, skills: readonly string[]) {
    this.calls.push(`skills:${userId}:${skills.join(',')}`);
    return true;
  }
  async remove(userId: number) {
    this.calls.push(`remove:${userId}`);
  }
  async prune(before: Date) {
    this.prunes.push(before);
    return 0;
  }
}

class FakeClock {
  ms = Date.parse('2026-11-22T08:00:00Z');
  now = () => new Date(this.ms);
}

const auth = (
  id: number,
  role: AuthContext['user']['role'],
  regionId: number | null,
): AuthContext => ({
  sessionId: `s${id}`,
  regionLevel: regionId === null ? null : (byId.get(regionId)?.level ?? null),
  user: { id, username: `u${id}`, displayName: `User ${id}`, role, regionId },
});

function setup() {
  const repository = new FakeRepository();
  const positions = new FakePositions();
  const locator = new FakeLocator();
  const clock = new FakeClock();
  const hits: string[] = [];
  let limited = false;
  const sessions: number[] = [];
  const service = new VolunteerService({
    repository,
    hasher: { hash: async (password) => `hashed:${password}`, verify: async () => true },
    limiter: {
      hit: async (key) => {
        hits.push(key);
        return !limited;
      },
      reset: async () => undefined,
    },
    sessions: {
      create: async (userId) => {
        sessions.push(userId);
        return { token: `token-${userId}`, expiresAt: new Date(clock.ms + 3_600_000) };
      },
    },
    positions,
    locator,
    regions: () => regions,
    clock,
  });
  return {
    service,
    repository,
    positions,
    locator,
    clock,
    hits,
    sessions,
    limit: () => {
      limited = true;
    },
  };
}

const registration = {
  username: 'xiaoli',
  password: 'secret-pass',
  displayName: '小李',
  phone: '13912345678',
  homeCommunityId: 4,
  skills: ['MEDICAL', 'DRIVING'],
  teamIds: [10],
};

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

async function registered(s: ReturnType<typeof setup>) {
  const { user } = await s.service.register(registration, { ip: '10.0.0.1' });
  return { id: user.id, me: auth(user.id, 'VOLUNTEER', 4) };
}

describe('VolunteerService registration', () => {
  it('creates a pending volunteer with skills and teams, hashed password, and a session', async () => {
    const s = setup();
    const result = await s.service.register(registration, { ip: '10.0.0.1' });
    expect(result.user).toMatchObject({ username: 'xiaoli', role: 'VOLUNTEER', regionId: 4 });
    expect(result.volunteer).toMatchObject({
      status: 'PENDING',
      skills: ['MEDICAL', 'DRIVING'],
      teams: [{ id: 10, name: '银发互助队', leader: false }],
      phone: '13912345678',
      onDuty: false,
    });
    expect(result.session.token).toBe(`token-${result.user.id}`);
    expect(s.sessions).toEqual([result.user.id]);
    expect(s.hits).toEqual(['register:ip:10.0.0.1']);
  });

  it.each([
    ['an unknown skill', { skills: ['MEDICAL', 'JUGGLING'] }, 'skills'],
    ['a grid as home community', { homeCommunityId: 6 }, 'homeCommunityId'],
    ['an unknown community', { homeCommunityId: 999 }, 'homeCommunityId'],
    ['an unknown team', { teamIds: [10, 77] }, 'teamIds'],
    ['a short password', { password: 'short' }, 'password'],
  ])('refuses %s with 400 and writes nothing', async (_name, change, path) => {
    const s = setup();
    const error = await failure(s.service.register({ ...registration, ...change }, { ip: 'a' }));
    expect(error.status).toBe(400);
    expect(JSON.stringify(error.details)).toContain(path);
    expect(s.repository.creates).toBe(0);
    expect(s.sessions).toEqual([]);
  });

  it('answers 409 for a taken username, also when it is taken meanwhile', async () => {
    const s = setup();
    const taken = await failure(
      s.service.register({ ...registration, username: 'Member' }, { ip: 'a' }),
    );
    expect(taken.status).toBe(409);
    expect(s.repository.creates).toBe(0);
    s.repository.raceOnCreate = true;
    expect((await failure(s.service.register(registration, { ip: 'a' }))).status).toBe(409);
    expect(s.sessions).toEqual([]);
  });

  it('is rate limited per client address', async () => {
    const s = setup();
    s.limit();
    expect((await failure(s.service.register(registration, { ip: 'a' }))).status).toBe(429);
    expect(s.repository.creates).toBe(0);
  });
});

describe('VolunteerService approval and duty', () => {
  it('keeps a pending volunteer off duty and off the map (403 with the status)', async () => {
    const s = setup();
    const { me } = await registered(s);
    const duty = await failure(s.service.setDuty(me, true));
    expect(duty.status).toBe(403);
    expect(duty.details).toEqual({ status: 'PENDING' });
    expect((await failure(s.service.report(me, { lat: 41.1, lng: 123 }))).status).toBe(403);
    expect((await failure(s.service.duty(me))).status).toBe(403);
    expect(s.positions.dutyCalls).toEqual([]);
    expect(s.locator.calls).toEqual([]);
  });

  it('lets only community staff or admins whose region holds the home community decide', async () => {
    const s = setup();
    const { id } = await registered(s);
    const otherCommunity = auth(2, 'COMMUNITY_STAFF', 5);
    expect((await failure(s.service.decide(otherCommunity, id, 'approve', null))).status).toBe(403);
    const dispatcher = auth(3, 'DISPATCHER', 1);
    expect((await failure(s.service.decide(dispatcher, id, 'approve', null))).status).toBe(403);
    expect(s.repository.audits).toEqual([]);

    const own = auth(4, 'COMMUNITY_STAFF', 4);
    const approved = await s.service.decide(own, id, 'approve', '10.0.0.9');
    expect(approved.status).toBe('APPROVED');
    expect(s.repository.audits).toMatchObject([
      { userId: id, to: 'APPROVED', actorId: 4, ip: '10.0.0.9' },
    ]);
    expect((await failure(s.service.decide(own, id, 'approve', null))).status).toBe(409);
    // A street office's staff of the same street is not community staff: 403 by role.
    expect(
      (await failure(s.service.decide(auth(5, 'GRID_MEMBER', 6), id, 'suspend', null))).status,
    ).toBe(403);
  });

  it('puts an approved volunteer on the map and in the locator, and takes them out off duty', async () => {
    const s = setup();
    const { id, me } = await registered(s);
    await s.service.decide(auth(9, 'ADMIN', null), id, 'approve', null);
    // Not on duty yet: the position service refuses, the locator is not touched.
    expect((await failure(s.service.report(me, { lat: 41.1, lng: 123 }))).status).toBe(409);
    expect(s.locator.updates).toEqual([]);

    expect(await s.service.setDuty(me, true)).toEqual({ onDuty: true });
    expect(s.positions.dutyCalls[0]!.user).toEqual({
      id,
      role: 'VOLUNTEER',
      displayName: '小李',
      regionId: 4,
    });
    const result = await s.service.report(me, { lat: 41.1, lng: 123.01, accuracy: 8 });
    expect(result.position).toMatchObject({ userId: id, role: 'VOLUNTEER', regionId: 4 });
    expect(s.locator.updates).toEqual([
      {
        userId: id,
        skills: ['MEDICAL', 'DRIVING'],
        position: { lat: 41.1, lng: 123.01 },
        at: new Date('2026-11-22T08:00:00.000Z'),
      },
    ]);
    expect(await s.service.duty(me)).toEqual({ onDuty: true });

    await s.service.setDuty(me, false);
    expect(s.locator.calls.at(-1)).toBe(`remove:${id}`);
    expect(await s.service.duty(me)).toEqual({ onDuty: false });
  });

  it('suspending takes the volunteer off duty and out of the locator; reports then get 403', async () => {
    const s = setup();
    const { id, me } = await registered(s);
    const staff = auth(4, 'COMMUNITY_STAFF', 4);
    await s.service.decide(staff, id, 'approve', null);
    await s.service.setDuty(me, true);
    await s.service.report(me, { lat: 41.1, lng: 123 });

    const suspended = await s.service.decide(staff, id, 'suspend', null);
    expect(suspended.status).toBe('SUSPENDED');
    expect(s.positions.onDuty.has(id)).toBe(false);
    expect(s.locator.calls.at(-1)).toBe(`remove:${id}`);
    const error = await failure(s.service.report(me, { lat: 41.1, lng: 123 }));
    expect(error.status).toBe(403);
    expect(error.details).toEqual({ status: 'SUSPENDED' });
    expect(s.locator.updates).toHaveLength(1);
  });

  it('prunes old locator positions at most once a minute', async () => {
    const s = setup();
    const { id, me } = await registered(s);
    await s.service.decide(auth(9, 'ADMIN', null), id, 'approve', null);
    await s.service.setDuty(me, true);
    await s.service.report(me, { lat: 41.1, lng: 123 });
    s.clock.ms += 30_000;
    await s.service.report(me, { lat: 41.1, lng: 123 });
    expect(s.locator.prunes).toHaveLength(1);
    s.clock.ms += 31_000;
    await s.service.report(me, { lat: 41.1, lng: 123 });
    expect(s.locator.prunes).toHaveLength(2);
    expect(s.locator.prunes[1]!.getTime()).toBe(s.clock.ms - 60 * 60_000);
  });
});

describe('VolunteerService profile, list and teams', () => {
  it('changes skills in the locator at once and refuses unknown ones untouched', async () => {
    const s = setup();
    const { id, me } = await registered(s);
    const profile = await s.service.patch(me, { skills: ['DRIVING'], displayName: '李四' });
    expect(profile).toMatchObject({ skills: ['DRIVING'], displayName: '李四' });
    expect(s.locator.calls).toEqual([`skills:${id}:DRIVING`]);
    expect((await failure(s.service.patch(me, { skills: ['NOPE'] }))).status).toBe(400);
    expect((await failure(s.service.patch(me, {}))).status).toBe(400);
    expect((await s.service.profile(me)).skills).toEqual(['DRIVING']);
  });

  it('puts an approved volunteer who moves to another community back to pending, off duty', async () => {
    const s = setup();
    const { id, me } = await registered(s);
    await s.service.decide(auth(9, 'ADMIN', null), id, 'approve', null);
    await s.service.setDuty(me, true);
    // Another name is no move: still approved.
    expect((await s.service.patch(me, { displayName: '李四' })).status).toBe('APPROVED');
    expect((await s.service.patch(me, { homeCommunityId: 4 })).status).toBe('APPROVED');
    const moved = await s.service.patch(me, { homeCommunityId: 5 });
    expect(moved).toMatchObject({ status: 'PENDING', homeCommunityId: 5 });
    expect(s.positions.dutyCalls.at(-1)).toMatchObject({ onDuty: false, user: { regionId: 4 } });
    expect(s.locator.calls.at(-1)).toBe(`remove:${id}`);
    expect((await failure(s.service.setDuty(me, true))).status).toBe(403);
  });

  it('lists volunteers in the caller region, phones masked except for their community staff', async () => {
    const s = setup();
    const { id } = await registered(s);
    const staff = await s.service.list(auth(4, 'COMMUNITY_STAFF', 4), { limit: 10 });
    expect(staff.volunteers.map((v) => [v.userId, v.phone])).toEqual([[id, '13912345678']]);
    const dispatcher = await s.service.list(auth(3, 'DISPATCHER', 3), { limit: 10 });
    expect(dispatcher.volunteers.map((v) => v.phone)).toEqual(['139****5678']);
    const other = await s.service.list(auth(2, 'COMMUNITY_STAFF', 5), { limit: 10 });
    expect(other.volunteers).toEqual([]);
    const outside = await failure(
      s.service.list(auth(2, 'COMMUNITY_STAFF', 5), { communityId: 4, limit: 10 }),
    );
    expect(outside.status).toBe(403);
    const volunteer = await failure(s.service.list(auth(id, 'VOLUNTEER', 4), { limit: 10 }));
    expect(volunteer.status).toBe(403);
  });

  it('creates teams in scope and lets volunteers join and leave', async () => {
    const s = setup();
    const { me } = await registered(s);
    const staff = auth(4, 'COMMUNITY_STAFF', 4);
    const team = await s.service.createTeam(staff, { name: '青年先锋队' });
    expect(team).toMatchObject({ communityId: 4, members: 0 });
    expect((await failure(s.service.createTeam(staff, { name: 'x', communityId: 5 }))).status).toBe(
      403,
    );
    expect((await failure(s.service.createTeam(staff, { name: 'x', communityId: 6 }))).status).toBe(
      400,
    );
    expect((await failure(s.service.createTeam(me, { name: 'x' }))).status).toBe(403);

    expect((await s.service.join(me, team.id)).members).toBe(1);
    expect((await s.service.profile(me)).teams.map((t) => t.id)).toEqual([10, team.id]);
    await s.service.leave(me, team.id);
    expect((await s.service.profile(me)).teams.map((t) => t.id)).toEqual([10]);
    expect((await failure(s.service.join(me, 999))).status).toBe(404);
  });
});
