import { hash } from '@node-rs/argon2';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARE_VISITS_QUEUE,
  careVisitSchedulerId,
  parseCommonEnv,
  visitEveryMs,
  type CareRecipientDto,
  type CareVisitJob,
  type OverdueVisitsResponse,
} from '@gridline/core';
import type { CareRecipientModel as CareRecipient, PrismaClient } from '@gridline/db';
import { DeviceKeys, loadConfig } from '@gridline/server';
import {
  DEMO_PASSWORD,
  eventually,
  startSystem,
  type Session,
  type TestSystem,
} from './support/system.ts';

const DAY = 86_400_000;
const redisUrl = parseCommonEnv(process.env).redisUrl;

interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** PATCH and DELETE, which the session helper does not have. */
async function send<T = unknown>(
  system: TestSystem,
  session: Session | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const response = await fetch(`${system.baseUrl}${path}`, {
    method,
    headers: {
      ...(session ? { cookie: session.cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

type Detail = { careRecipient: CareRecipientDto };

describe('care recipients: the registry kept by community staff', () => {
  let system: TestSystem;
  let prisma: PrismaClient;
  let community: Session;
  let otherCommunity: Session;
  let volunteer: Session;
  let resident: Session;
  let member: Session;
  let dispatcher: Session;
  let otherDistrict: Session;
  let admin: Session;
  let homes: CareRecipient[];
  let elsewhere: CareRecipient;
  let communityId: number;
  const keys = new DeviceKeys(loadConfig({}).deviceSecret);

  const newHousehold = () => ({
    householdName: '测试张家',
    firstName: '桂芳',
    kind: 'DISABLED',
    address: '健身社区99号楼1单元101室',
    location: { lat: homes[0]!.lat, lng: homes[0]!.lng },
    contacts: [{ name: '张伟', relation: '子女', phone: '139-0413-0000' }],
    visitEveryDays: 7,
  });
  const writes = async () => ({
    households: await prisma.careRecipient.count(),
    devices: await prisma.device.count({ where: { active: true } }),
    audit: await prisma.auditLog.count({ where: { action: { not: 'read' } } }),
  });

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    prisma = system.server.prisma;
    await prisma.user.create({
      data: {
        username: 'care-resident',
        displayName: '居民',
        role: 'RESIDENT',
        passwordHash: await hash(DEMO_PASSWORD),
      },
    });
    community = await system.login('community');
    communityId = community.user.regionId!;
    const otherStaff = await prisma.user.findFirstOrThrow({
      where: { role: 'COMMUNITY_STAFF', regionId: { not: communityId } },
      orderBy: { id: 'asc' },
    });
    [otherCommunity, volunteer, resident, member, dispatcher, otherDistrict, admin] =
      await Promise.all([
        system.login(otherStaff.username),
        system.login('volunteer'),
        system.login('care-resident'),
        system.login('member'),
        system.login('dispatcher'),
        system.login('dsp-210303'),
        system.login('admin'),
      ]);
    homes = await prisma.careRecipient.findMany({ where: { communityId }, orderBy: { id: 'asc' } });
    elsewhere = await prisma.careRecipient.findFirstOrThrow({
      where: { communityId: { not: communityId } },
    });
  });
  afterAll(() => system?.close());

  it('registers a household for community staff, audited, and refuses everyone else', async () => {
    const before = await writes();
    expect((await volunteer.post('/api/care-recipients', newHousehold())).status).toBe(403);
    expect((await resident.post('/api/care-recipients', newHousehold())).status).toBe(403);
    expect((await member.post('/api/care-recipients', newHousehold())).status).toBe(403);
    expect((await dispatcher.post('/api/care-recipients', newHousehold())).status).toBe(403);
    expect(
      (await otherCommunity.post('/api/care-recipients', { ...newHousehold(), communityId }))
        .status,
    ).toBe(403);
    // Their own community, but the point is in ours.
    expect((await otherCommunity.post('/api/care-recipients', newHousehold())).status).toBe(422);
    expect((await send(system, null, 'POST', '/api/care-recipients', newHousehold())).status).toBe(
      401,
    );
    expect(await writes()).toEqual(before);

    const created = await community.post<Detail>('/api/care-recipients', newHousehold());
    expect(created.status).toBe(201);
    const household = created.body.careRecipient;
    expect(household).toMatchObject({
      communityId,
      gridId: homes[0]!.gridId,
      kind: 'DISABLED',
      visitEveryDays: 7,
      contacts: [{ name: '张伟', relation: '子女', phone: '13904130000' }],
      devices: [],
    });
    const entry = await prisma.auditLog.findFirstOrThrow({
      where: { entity: 'care_recipient', entityId: String(household.id), action: 'create' },
    });
    expect(entry.actorId).toBe(community.user.id);
    expect(JSON.stringify(entry.details)).not.toContain('13904130000');
  });

  it('answers 400 for bad input and 422 for a point outside the community, writing nothing', async () => {
    const before = await writes();
    const bad = [
      { ...newHousehold(), kind: 'RICH' },
      { ...newHousehold(), extra: true },
      { ...newHousehold(), householdName: '' },
      { ...newHousehold(), visitEveryDays: 0 },
      { ...newHousehold(), location: { lat: 91, lng: 0 } },
      { ...newHousehold(), contacts: [{ name: '张伟', relation: '子女', phone: 'call me' }] },
      { ...newHousehold(), contacts: [{ name: '张伟', phone: '13904130000' }] },
    ];
    for (const body of bad) {
      const reply = await community.post<{ error: { code: string } }>('/api/care-recipients', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.code).toBe('VALIDATION_FAILED');
    }
    const outside = await community.post<{ error: { code: string } }>('/api/care-recipients', {
      ...newHousehold(),
      location: { lat: elsewhere.lat, lng: elsewhere.lng },
    });
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('UNPROCESSABLE');
    expect(
      (
        await community.post('/api/care-recipients', {
          ...newHousehold(),
          communityId: elsewhere.communityId,
        })
      ).status,
    ).toBe(403);
    const grid = await prisma.region.findFirstOrThrow({ where: { level: 'GRID' } });
    expect(
      (await admin.post('/api/care-recipients', { ...newHousehold(), communityId: grid.id }))
        .status,
    ).toBe(422);
    expect(await writes()).toEqual(before);
  });

  it('answers a repeated Idempotency-Key with the first household', async () => {
    const body = { ...newHousehold(), householdName: '幂等李家' };
    const headers = { 'idempotency-key': 'care-create-0001' };
    const first = await community.post<Detail>('/api/care-recipients', body, headers);
    const again = await community.post<Detail>('/api/care-recipients', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.careRecipient.id).toBe(first.body.careRecipient.id);
    expect(await prisma.careRecipient.count({ where: { householdName: '幂等李家' } })).toBe(1);
    const other = await community.post(
      '/api/care-recipients',
      { ...body, firstName: '别人' },
      headers,
    );
    expect(other.status).toBe(422);
  });

  it('changes a household in scope, audited before and after; others get 403 or 404', async () => {
    const target = homes[1]!;
    const path = `/api/care-recipients/${target.id}`;
    const before = await writes();
    expect((await send(system, otherCommunity, 'PATCH', path, { notes: 'x' })).status).toBe(403);
    expect((await send(system, member, 'PATCH', path, { notes: 'x' })).status).toBe(403);
    expect((await send(system, volunteer, 'PATCH', path, { notes: 'x' })).status).toBe(404);
    expect((await send(system, resident, 'PATCH', path, { notes: 'x' })).status).toBe(404);
    expect((await send(system, community, 'PATCH', path, {})).status).toBe(400);
    expect((await send(system, community, 'PATCH', path, { communityId: 1 })).status).toBe(400);
    expect(
      (
        await send(system, community, 'PATCH', path, {
          location: { lat: elsewhere.lat, lng: elsewhere.lng },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await send(system, community, 'PATCH', path, {
          lastVisitAt: new Date(Date.now() + DAY).toISOString(),
        })
      ).status,
    ).toBe(422);
    expect(
      (await send(system, community, 'PATCH', '/api/care-recipients/999999', { notes: 'x' }))
        .status,
    ).toBe(404);
    expect(await writes()).toEqual(before);
    expect(await prisma.careRecipient.findUniqueOrThrow({ where: { id: target.id } })).toEqual(
      target,
    );

    const moved = homes.find((home) => home.gridId !== target.gridId) ?? homes[2]!;
    const changed = await send<Detail>(system, community, 'PATCH', path, {
      visitEveryDays: 5,
      location: { lat: moved.lat, lng: moved.lng },
      notes: '独居，耳背，请敲门大声些',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.careRecipient).toMatchObject({
      visitEveryDays: 5,
      lat: moved.lat,
      gridId: moved.gridId,
      notes: '独居，耳背，请敲门大声些',
      householdName: target.householdName,
    });
    const entry = await prisma.auditLog.findFirstOrThrow({
      where: { entity: 'care_recipient', entityId: String(target.id), action: 'update' },
    });
    expect(entry).toMatchObject({
      actorId: community.user.id,
      details: {
        before: { visitEveryDays: target.visitEveryDays, notes: null },
        after: { visitEveryDays: 5, notes: '独居，耳背，请敲门大声些', gridId: moved.gridId },
      },
    });
  });

  it('registers and deactivates call buttons; the button calls while active, audited each time', async () => {
    const household = (
      await community.post<Detail>('/api/care-recipients', {
        ...newHousehold(),
        householdName: '按钮赵家',
      })
    ).body.careRecipient;
    const devices = `/api/care-recipients/${household.id}/devices`;
    const call = (deviceId: string) =>
      fetch(`${system.baseUrl}/api/devices/${deviceId}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-device-key': keys.keyFor(deviceId) },
        body: JSON.stringify({ service: 'MEALS' }),
      });

    expect((await call('CB-CARE-01')).status).toBe(404);
    const before = await writes();
    expect((await otherCommunity.post(devices, { deviceId: 'CB-CARE-01' })).status).toBe(403);
    expect((await volunteer.post(devices, { deviceId: 'CB-CARE-01' })).status).toBe(404);
    expect((await resident.post(devices, { deviceId: 'CB-CARE-01' })).status).toBe(404);
    expect((await community.post(devices, { deviceId: 'no spaces' })).status).toBe(400);
    expect((await community.post(devices, {})).status).toBe(400);
    // A button active on another household stays there.
    const seeded = await prisma.device.findFirstOrThrow({ where: { active: true } });
    expect((await community.post(devices, { deviceId: seeded.id })).status).toBe(409);
    expect(await writes()).toEqual(before);

    const added = await community.post<Detail>(devices, { deviceId: 'CB-CARE-01' });
    expect(added.status).toBe(201);
    expect(added.body.careRecipient.devices).toEqual([
      { id: 'CB-CARE-01', active: true, lastSeenAt: null },
    ]);
    expect((await community.post(devices, { deviceId: 'CB-CARE-01' })).status).toBe(200);
    const called = await call('CB-CARE-01');
    expect(called.status).toBe(201);
    const { ticket } = (await called.json()) as { ticket: { location: unknown; address: string } };
    expect(ticket).toMatchObject({
      location: { lat: household.lat, lng: household.lng },
      address: household.address,
    });

    const one = `${devices}/CB-CARE-01`;
    expect((await send(system, otherCommunity, 'DELETE', one)).status).toBe(403);
    expect((await send(system, volunteer, 'DELETE', one)).status).toBe(404);
    expect((await send(system, community, 'DELETE', `${devices}/CB-NOT-HERE`)).status).toBe(404);
    const off = await send<Detail>(system, community, 'DELETE', one);
    expect(off.status).toBe(200);
    expect(off.body.careRecipient.devices).toEqual([
      expect.objectContaining({ id: 'CB-CARE-01', active: false }),
    ]);
    expect((await call('CB-CARE-01')).status).toBe(404);

    const entries = await prisma.auditLog.findMany({
      where: { entity: 'care_recipient', entityId: String(household.id) },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((entry) => [entry.action, entry.actorId])).toEqual([
      ['create', community.user.id],
      ['device.add', community.user.id],
      ['device.deactivate', community.user.id],
    ]);
  });

  it('audits every read: the list and each household', async () => {
    const target = homes[2]!;
    const count = () =>
      prisma.auditLog.count({
        where: { entity: 'care_recipient', action: 'read', actorId: community.user.id },
      });
    const before = await count();
    expect((await community.get(`/api/care-recipients/${target.id}`)).status).toBe(200);
    expect((await community.get('/api/care-recipients')).status).toBe(200);
    expect(await count()).toBe(before + 2);
    expect((await volunteer.get(`/api/care-recipients/${target.id}`)).status).toBe(404);
    expect((await resident.get(`/api/care-recipients/${target.id}`)).status).toBe(404);
    expect((await otherCommunity.get(`/api/care-recipients/${target.id}`)).status).toBe(403);
    expect(await count()).toBe(before + 2);
    const entry = await prisma.auditLog.findFirstOrThrow({
      where: { entity: 'care_recipient', action: 'read', entityId: String(target.id) },
    });
    expect(entry.actorId).toBe(community.user.id);
  });

  it('lists overdue visits, most overdue first, to staff and dispatchers in scope, audited', async () => {
    const now = Date.now();
    const cadenced = homes.filter((home) => home.visitEveryDays !== null).slice(3, 6);
    expect(cadenced).toHaveLength(3);
    const [late, later, none] = cadenced as [CareRecipient, CareRecipient, CareRecipient];
    // `later` is 9 days and a half overdue, `late` 4 and a half; `none` has no cadence any more.
    const since = (home: CareRecipient, days: number) =>
      new Date(now - visitEveryMs(home.visitEveryDays!, 1) - days * DAY - DAY / 2);
    await prisma.careRecipient.update({
      where: { id: late.id },
      data: { lastVisitAt: since(late, 4) },
    });
    await prisma.careRecipient.update({
      where: { id: later.id },
      data: { lastVisitAt: since(later, 9) },
    });
    await prisma.careRecipient.update({
      where: { id: none.id },
      data: { lastVisitAt: since(none, 30), visitEveryDays: null },
    });
    await prisma.careRecipient.update({
      where: { id: elsewhere.id },
      data: { lastVisitAt: new Date(now - 400 * DAY), visitEveryDays: 3 },
    });

    const reply = await community.get<OverdueVisitsResponse>('/api/care-recipients/overdue-visits');
    expect(reply.status).toBe(200);
    expect(reply.body.truncated).toBe(false);
    expect(reply.body.overdue).toEqual([
      {
        id: later.id,
        communityId,
        householdName: later.householdName,
        firstName: later.firstName,
        address: later.address,
        dueAt: new Date(
          since(later, 9).getTime() + visitEveryMs(later.visitEveryDays!, 1),
        ).toISOString(),
        daysOverdue: 9,
      },
      expect.objectContaining({ id: late.id, daysOverdue: 4 }),
    ]);
    const read = await prisma.auditLog.findFirstOrThrow({
      where: { entity: 'care_recipient', action: 'read', actorId: community.user.id },
      orderBy: { id: 'desc' },
    });
    expect(read.details).toEqual({
      view: 'overdue-visits',
      regionId: communityId,
      ids: [later.id, late.id],
    });

    const city = await dispatcher.get<OverdueVisitsResponse>('/api/care-recipients/overdue-visits');
    expect(city.status).toBe(200);
    expect(city.body.overdue.map((row) => row.id)).toEqual([elsewhere.id, later.id, late.id]);
    expect(city.body.overdue[0]!.daysOverdue).toBe(397);
    const scoped = await dispatcher.get<OverdueVisitsResponse>(
      `/api/care-recipients/overdue-visits?communityId=${communityId}`,
    );
    expect(scoped.body.overdue.map((row) => row.id)).toEqual([later.id, late.id]);

    expect(
      (await otherDistrict.get(`/api/care-recipients/overdue-visits?communityId=${communityId}`))
        .status,
    ).toBe(403);
    expect(
      (await otherCommunity.get(`/api/care-recipients/overdue-visits?communityId=${communityId}`))
        .status,
    ).toBe(403);
    for (const session of [member, volunteer, resident]) {
      expect((await session.get('/api/care-recipients/overdue-visits')).status).toBe(403);
    }
    expect((await community.get('/api/care-recipients/overdue-visits?communityId=x')).status).toBe(
      400,
    );
  });
});

describe('care visit schedules in the workers', () => {
  let system: TestSystem;
  let prisma: PrismaClient;
  let redis: Redis;
  let queue: Queue<CareVisitJob>;

  const repeatKey = () => `${system.redisPrefix}:bull:${CARE_VISITS_QUEUE}:repeat`;
  const schedulerIds = async () => (await redis.zrange(repeatKey(), 0, '-1')).sort();

  beforeAll(async () => {
    // No periodic sync during the test: each sync here is the test's own.
    system = await startSystem({ reconcileIntervalMs: 600_000 });
    prisma = system.server.prisma;
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    queue = new Queue<CareVisitJob>(CARE_VISITS_QUEUE, {
      connection: redis,
      prefix: `${system.redisPrefix}:bull`,
    });
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await system?.close();
  });

  it('keeps one scheduler per household with a cadence, under the run’s prefix', async () => {
    const cadenced = await prisma.careRecipient.findMany({
      where: { visitEveryDays: { not: null } },
      orderBy: { id: 'asc' },
    });
    expect(cadenced.length).toBeGreaterThan(2);
    // The workers synced on start.
    expect(await schedulerIds()).toEqual(
      cadenced.map((row) => careVisitSchedulerId(row.id)).sort(),
    );
    const first = cadenced[0]!;
    const scheduler = await queue.getJobScheduler(careVisitSchedulerId(first.id));
    expect(scheduler?.every).toBe(visitEveryMs(first.visitEveryDays!, 1));
    // Not due yet (registered minutes ago): the first visit waits for the cadence.
    expect(scheduler?.next).toBeGreaterThan(Date.now() + DAY);

    const [dropped, changed] = [cadenced[1]!, cadenced[2]!];
    await prisma.careRecipient.update({
      where: { id: dropped.id },
      data: { visitEveryDays: null },
    });
    await prisma.careRecipient.update({ where: { id: changed.id }, data: { visitEveryDays: 30 } });
    const result = await system.workers!.syncVisitSchedules();
    expect(result).toEqual({ created: 0, updated: 1, removed: 1, kept: cadenced.length - 2 });
    expect(await schedulerIds()).not.toContain(careVisitSchedulerId(dropped.id));
    expect((await queue.getJobScheduler(careVisitSchedulerId(changed.id)))?.every).toBe(30 * DAY);
    // Nothing else in Redis knows these schedulers.
    expect(await redis.keys(`bull:${CARE_VISITS_QUEUE}:*`)).toEqual([]);
  });

  it('makes one visit task when an overdue household’s scheduler fires, and no second one', async () => {
    const template = await prisma.careRecipient.findFirstOrThrow({ orderBy: { id: 'asc' } });
    const staff = await prisma.user.findFirstOrThrow({
      where: { role: 'COMMUNITY_STAFF', regionId: template.communityId },
      orderBy: { id: 'asc' },
    });
    const overdue = await prisma.careRecipient.create({
      data: {
        communityId: template.communityId,
        gridId: template.gridId,
        householdName: '逾期孙家',
        firstName: '玉珍',
        kind: 'ELDERLY_ALONE',
        address: '测试地址1号',
        lat: template.lat,
        lng: template.lng,
        visitEveryDays: 7,
        createdAt: new Date(Date.now() - 30 * DAY),
      },
    });
    const result = await system.workers!.syncVisitSchedules();
    expect(result?.created).toBe(1);
    const task = await eventually(
      () =>
        prisma.task.findFirst({
          where: { careRecipientId: overdue.id },
          include: { skills: { include: { skill: true } } },
        }),
      15_000,
      'the visit task',
    );
    expect(task).toMatchObject({
      title: '探访 玉珍',
      lat: template.lat,
      lng: template.lng,
      address: '测试地址1号',
      durationMinutes: 60,
      slots: 1,
      createdById: staff.id,
      communityId: template.communityId,
      gridId: template.gridId,
    });
    expect(task.skills.map((row) => row.skill.code)).toEqual(['ELDERLY_CARE']);
    expect(task.endsAt.getTime() - task.startsAt.getTime()).toBe(DAY);

    // Another firing while the visit is open (a duplicate, or the next slot) makes nothing.
    const again = await queue.add(
      'care-visit',
      { careRecipientId: overdue.id },
      { jobId: 'again-1' },
    );
    const outcome = await eventually(
      async () => {
        const job = await queue.getJob(again.id!);
        return job?.finishedOn ? job.returnvalue : null;
      },
      15_000,
      'the second firing',
    );
    expect(outcome).toEqual({ kind: 'task-exists' });
    await system.workers!.syncVisitSchedules();
    expect(await prisma.task.count({ where: { careRecipientId: overdue.id } })).toBe(1);
  });
});
