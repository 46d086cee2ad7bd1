import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  earned,
  type AssignmentSummary,
  type LatLng,
  type TaskEventPayload,
  type TaskSummary,
} from '@gridline/core';
import { findResponsibleUser } from '@gridline/db';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';
import {
  VolunteerPositions,
  memberPlace,
  mintSessions,
  offsetPoint,
  volunteerNames,
} from './support/tasks.ts';

// TIME_SCALE 200: an offer lasts 1.5 s, a no-show is called 4.5 s after the start,
// check-in opens 9 s before it, a home visit alerts 9 s after its expected end.
const TIME_SCALE = 200;

interface Reply {
  task?: TaskSummary;
  assignment?: AssignmentSummary;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe('check-in, check-out and their timers', () => {
  let system: TestSystem;
  let staff: Session;
  let where: LatLng;
  let volunteers: Session[];
  let positions: VolunteerPositions;
  let nextVolunteer = 0;

  /** Volunteers of their own for one test, placed around `at` with one skill. */
  const crew = async (count: number, at: LatLng, skill: string): Promise<Session[]> => {
    const chosen = volunteers.slice(nextVolunteer, nextVolunteer + count);
    nextVolunteer += count;
    await positions.place(
      chosen.map((volunteer, n) => ({
        userId: volunteer.user.id,
        at: offsetPoint(at, 10 + n * 5, n * 30),
        skills: [skill],
      })),
    );
    return chosen;
  };

  const createTask = async (body: Record<string, unknown>): Promise<TaskSummary> => {
    const created = await staff.post<Reply>('/api/tasks', {
      title: 'presence',
      location: where,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
      offerBatch: 1,
      radiusM: 200,
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.task!;
  };

  beforeAll(async () => {
    system = await startSystem({ timeScale: TIME_SCALE, reconcileIntervalMs: 1000 });
    // Community staff of 健身社区 create the tasks: the member's grid lies in it.
    staff = await system.login('community');
    where = await memberPlace(await system.login('member'));
    volunteers = await mintSessions(system, volunteerNames(30, 201));
    positions = new VolunteerPositions(system);
  });
  afterAll(async () => {
    await positions?.close();
    await system?.close();
  });

  it('checks in and out only within the geofence: 199 m yes, 201 m no', async () => {
    const [volunteer] = await crew(1, where, 'HAIRCUT');
    const task = await createTask({ skills: ['HAIRCUT'], pointsPerHour: 60 });
    expect((await volunteer!.post<Reply>(`/api/tasks/${task.id}/accept`, {})).status).toBe(200);

    const outside = await volunteer!.post<Reply>(
      `/api/tasks/${task.id}/check-in`,
      offsetPoint(where, 201, 135),
    );
    expect(outside.status).toBe(422);
    expect(outside.body.error?.details).toMatchObject({
      reason: 'geofence',
      distanceM: 201,
      geofenceM: 200,
    });
    const inside = await volunteer!.post<Reply>(
      `/api/tasks/${task.id}/check-in`,
      offsetPoint(where, 199, 135),
    );
    expect(inside.status).toBe(200);
    expect(inside.body.assignment).toMatchObject({ status: 'CHECKED_IN' });
    expect(inside.body.task?.status).toBe('IN_PROGRESS');

    const away = await volunteer!.post<Reply>(
      `/api/tasks/${task.id}/check-out`,
      offsetPoint(where, 201, 300),
    );
    expect(away.status).toBe(422);
    expect(away.body.error?.details).toMatchObject({ reason: 'geofence', distanceM: 201 });
    const out = await volunteer!.post<Reply>(
      `/api/tasks/${task.id}/check-out`,
      offsetPoint(where, 199, 300),
    );
    expect(out.status).toBe(200);
    expect(out.body.assignment).toMatchObject({ status: 'CHECKED_OUT' });
    expect(out.body.task?.status).toBe('COMPLETED');
    const ledger = await system.server.prisma.pointsLedger.findMany({ where: { taskId: task.id } });
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ volunteerId: volunteer!.user.id, reason: 'task' });
    // Checked out: again is a conflict, not a second ledger row.
    const twice = await volunteer!.post<Reply>(`/api/tasks/${task.id}/check-out`, where);
    expect(twice.status).toBe(409);
  });

  it('checks in only within the time window', async () => {
    const [early, late] = await crew(2, where, 'KNIFE_SHARPENING');
    // Starts in a minute: check-in opens 30 (scaled: 9 s) before, so not yet.
    const future = await createTask({
      skills: ['KNIFE_SHARPENING'],
      startsAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await early!.post<Reply>(`/api/tasks/${future.id}/accept`, {})).status).toBe(200);
    const tooEarly = await early!.post<Reply>(`/api/tasks/${future.id}/check-in`, where);
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body.error?.details).toMatchObject({ reason: 'window' });
    expect(Date.parse(String(tooEarly.body.error?.details?.opens))).toBe(
      Date.parse(future.startsAt) - (30 * 60_000) / TIME_SCALE,
    );

    // Ends in 2 s: accepted now, checked in after the end.
    const endsAt = Date.now() + 2_000;
    const ending = await createTask({
      skills: ['KNIFE_SHARPENING'],
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
    });
    const offered = await system.server.prisma.taskAssignment.findFirst({
      where: { taskId: ending.id },
    });
    const holder = offered?.volunteerId === late!.user.id ? late! : early!;
    expect((await holder.post<Reply>(`/api/tasks/${ending.id}/accept`, {})).status).toBe(200);
    await sleep(endsAt + 100 - Date.now());
    const tooLate = await holder.post<Reply>(`/api/tasks/${ending.id}/check-in`, where);
    expect(tooLate.status).toBe(422);
    expect(tooLate.body.error?.details).toMatchObject({
      reason: 'window',
      closes: new Date(endsAt).toISOString(),
    });
  });

  it('calls a no-show, frees the slot and offers it to the next volunteer', async () => {
    const [first, second] = await crew(2, where, 'TUTORING');
    const firstSocket = await first!.socket();
    const seen: TaskEventPayload[] = [];
    firstSocket.on('task.updated', (event) => seen.push(event));
    const task = await createTask({ skills: ['TUTORING'] });
    const accepted = await first!.post<Reply>(`/api/tasks/${task.id}/accept`, {});
    expect(accepted.status).toBe(200);
    expect(accepted.body.task).toMatchObject({ status: 'FILLED', filledSlots: 1 });

    const prisma = system.server.prisma;
    const rows = await eventually(
      async () => {
        const all = await prisma.taskAssignment.findMany({
          where: { taskId: task.id },
          orderBy: { id: 'asc' },
        });
        return all.length === 2 && all;
      },
      20_000,
      'the no-show and the next offer',
    );
    expect(rows.map((row) => [row.volunteerId, row.status, row.slot])).toEqual([
      [first!.user.id, 'NO_SHOW', null],
      [second!.user.id, 'OFFERED', null],
    ]);
    const now = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(now).toMatchObject({ status: 'OFFERING', filledSlots: 0 });
    await eventually(
      async () =>
        seen.some((event) => event.task.id === task.id && event.data.action === 'no-show'),
      5_000,
      'the no-show on the volunteer socket',
    );
    // Too late to check in now.
    expect((await first!.post<Reply>(`/api/tasks/${task.id}/check-in`, where)).status).toBe(409);
  });

  it('alerts the grid member when a home visit is not checked out in time; the check-out records the visit', async () => {
    const prisma = system.server.prisma;
    const home = await prisma.careRecipient.findFirstOrThrow({
      where: { communityId: staff.user.regionId! },
      orderBy: { id: 'asc' },
    });
    const at = { lat: home.lat, lng: home.lng };
    const [visitor] = await crew(1, at, 'ELDERLY_CARE');
    const staffSocket = await staff.socket();
    const staffSeen: TaskEventPayload[] = [];
    staffSocket.on('task.updated', (event) => staffSeen.push(event));

    const task = await createTask({
      title: '探访 / Visit',
      skills: ['ELDERLY_CARE'],
      location: at,
      careRecipientId: home.id,
      durationMinutes: 5,
    });
    expect(task.careRecipientFirstName).toBe(home.firstName);
    // Offered, not yet holding: no name.
    const offered = await visitor!.get<Reply>(`/api/tasks/${task.id}`);
    expect(offered.status).toBe(200);
    expect(offered.body.task?.careRecipientFirstName).toBeNull();
    const accepted = await visitor!.post<Reply>(`/api/tasks/${task.id}/accept`, {});
    expect(accepted.status).toBe(200);
    expect(accepted.body.task?.careRecipientFirstName).toBe(home.firstName);
    expect(
      (await visitor!.post<Reply>(`/api/tasks/${task.id}/check-in`, offsetPoint(at, 20, 0))).status,
    ).toBe(200);

    const alert = await eventually(
      async () =>
        prisma.taskEvent.findFirst({
          where: { taskId: task.id, payload: { path: ['action'], equals: 'safety-alert' } },
        }),
      30_000,
      'the safety alert',
    );
    const city = await prisma.region.findFirstOrThrow({ where: { level: 'CITY' } });
    const stored = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    const responsible = await findResponsibleUser(prisma, stored, 0, city.id);
    expect(responsible).not.toBeNull();
    expect(alert.payload).toMatchObject({
      volunteerId: visitor!.user.id,
      notifyUserId: responsible,
    });
    await eventually(
      async () =>
        staffSeen.some(
          (event) => event.task.id === task.id && event.data.action === 'safety-alert',
        ),
      5_000,
      'the alert on the staff socket',
    );
    // Once per visit, even with the reconciler running every second.
    await sleep(2_500);
    expect(
      await prisma.taskEvent.count({
        where: { taskId: task.id, payload: { path: ['action'], equals: 'safety-alert' } },
      }),
    ).toBe(1);

    const before = Date.now();
    const out = await visitor!.post<Reply>(`/api/tasks/${task.id}/check-out`, at);
    expect(out.status).toBe(200);
    expect(out.body.task?.status).toBe('COMPLETED');
    const visited = await prisma.careRecipient.findUniqueOrThrow({ where: { id: home.id } });
    expect(visited.lastVisitAt?.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(await prisma.pointsLedger.count({ where: { taskId: task.id } })).toBe(1);
  }, 60_000);

  it('credits every volunteer of concurrent check-outs: the ledger sums to what each earned', async () => {
    const SLOTS = 10;
    const team = await crew(SLOTS, where, 'CLEANING');
    const task = await createTask({
      skills: ['CLEANING'],
      slots: SLOTS,
      offerBatch: SLOTS,
      pointsPerHour: 600,
    });
    const accepts = await Promise.all(
      team.map((volunteer) => volunteer.post<Reply>(`/api/tasks/${task.id}/accept`, {})),
    );
    expect(accepts.map((reply) => reply.status)).toEqual(team.map(() => 200));
    const checkIns = await Promise.all(
      team.map((volunteer) => volunteer.post<Reply>(`/api/tasks/${task.id}/check-in`, where)),
    );
    expect(checkIns.map((reply) => reply.status)).toEqual(team.map(() => 200));
    await sleep(1_200);
    const checkOuts = await Promise.all(
      team.map((volunteer) => volunteer.post<Reply>(`/api/tasks/${task.id}/check-out`, where)),
    );
    expect(checkOuts.map((reply) => reply.status)).toEqual(team.map(() => 200));

    const prisma = system.server.prisma;
    const row = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.status).toBe('COMPLETED');
    const assignments = await prisma.taskAssignment.findMany({ where: { taskId: task.id } });
    expect(assignments).toHaveLength(SLOTS);
    const expected = assignments.reduce(
      (sum, assignment) => {
        const credit = earned(row, assignment.checkInAt!, assignment.checkOutAt!, TIME_SCALE);
        return { minutes: sum.minutes + credit.minutes, points: sum.points + credit.points };
      },
      { minutes: 0, points: 0 },
    );
    const ledger = await prisma.pointsLedger.aggregate({
      where: { taskId: task.id },
      _sum: { minutes: true, points: true },
      _count: { _all: true },
    });
    expect(ledger._count._all).toBe(SLOTS);
    expect(ledger._sum).toEqual(expected);
    expect(expected.points).toBeGreaterThan(0);
    expect(
      await prisma.taskEvent.count({
        where: { taskId: task.id, payload: { path: ['action'], equals: 'completed' } },
      }),
    ).toBe(1);
  });
});
