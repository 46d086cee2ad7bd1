import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OFFER_ROUNDS,
  offerRadius,
  type LatLng,
  type TaskEventPayload,
  type TaskSummary,
} from '@gridline/core';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';
import {
  VolunteerPositions,
  memberPlace,
  mintSessions,
  offsetPoint,
  redisUrl,
  volunteerNames,
  wipeRedisPrefix,
} from './support/tasks.ts';

// TIME_SCALE 300: an offer's 5 minutes pass in 1 s. The reconciler runs every second,
// so the timers Redis loses are back within one pass.
const TIME_SCALE = 300;
const RADIUS_M = 500;

/** Task events a socket receives. */
function taskEvents(socket: Awaited<ReturnType<Session['socket']>>): TaskEventPayload[] {
  const seen: TaskEventPayload[] = [];
  for (const name of ['task.offered', 'task.updated', 'task.filled'] as const) {
    socket.on(name, (payload: TaskEventPayload) => seen.push(payload));
  }
  return seen;
}

describe('the offer cascade', () => {
  let system: TestSystem;
  let member: Session;
  let where: LatLng;
  let volunteers: Session[];
  let positions: VolunteerPositions;
  let redis: Redis;

  beforeAll(async () => {
    system = await startSystem({ timeScale: TIME_SCALE, reconcileIntervalMs: 1000 });
    member = await system.login('member');
    // On duty: the grid's member is who a handed-over task goes to.
    expect((await member.post('/api/members/me/duty', { onDuty: true })).status).toBe(200);
    where = await memberPlace(member);
    volunteers = await mintSessions(system, volunteerNames(6, 101));
    positions = new VolunteerPositions(system);
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await positions?.close();
    await system?.close();
  });

  // Round radii 500, 1000, 2000 m. Two volunteers in the first circle, one in each
  // of the next two, one beyond every round, and one next door without the skill.
  const layout = () => {
    const [near, second, middle, far, beyond, unskilled] = volunteers as [
      Session,
      Session,
      Session,
      Session,
      Session,
      Session,
    ];
    return {
      order: [near, second, middle, far],
      beyond,
      unskilled,
      places: [
        { userId: near.user.id, at: offsetPoint(where, 100, 10), skills: ['REPAIRS'] },
        {
          userId: second.user.id,
          at: offsetPoint(where, 300, 100),
          skills: ['REPAIRS', 'COOKING'],
        },
        { userId: middle.user.id, at: offsetPoint(where, 800, 200), skills: ['REPAIRS'] },
        { userId: far.user.id, at: offsetPoint(where, 1_500, 300), skills: ['REPAIRS'] },
        { userId: beyond.user.id, at: offsetPoint(where, 5_000, 45), skills: ['REPAIRS'] },
        { userId: unskilled.user.id, at: offsetPoint(where, 50, 0), skills: ['COOKING'] },
      ],
    };
  };

  it('offers the next volunteer on expiry, widens the radius, then hands the task to the grid member; a Redis flush in the middle changes nothing', async () => {
    expect(offerRadius(RADIUS_M, OFFER_ROUNDS - 1)).toBe(2_000);
    const { order, beyond, unskilled, places } = layout();
    await positions.place(places);
    const memberSocket = await member.socket();
    const memberSeen = taskEvents(memberSocket);
    const nearSocket = await order[0]!.socket();
    const nearSeen = taskEvents(nearSocket);

    const created = await member.post<{ task: TaskSummary }>('/api/tasks', {
      title: '修理楼道灯 / Fix the stairwell light',
      skills: ['REPAIRS'],
      location: where,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
      offerBatch: 1,
      radiusM: RADIUS_M,
    });
    expect(created.status).toBe(201);
    const task = created.body.task;
    expect(task).toMatchObject({ status: 'OFFERING', offerRound: 0, radiusM: RADIUS_M });
    const prisma = system.server.prisma;
    const offers = () =>
      prisma.taskAssignment.findMany({ where: { taskId: task.id }, orderBy: { id: 'asc' } });

    // The nearest qualified volunteer is offered first, live, on their own socket.
    await eventually(
      async () =>
        nearSeen.some((event) => event.type === 'task.offered' && event.task.id === task.id),
      5_000,
      'the first offer on the volunteer socket',
    );
    expect((await offers()).map((offer) => offer.volunteerId)).toEqual([order[0]!.user.id]);

    // Once the second volunteer's offer is out, Redis loses everything (timers and
    // positions); the phones report again, and the reconciler rebuilds the timers.
    await eventually(async () => (await offers()).length >= 2, 10_000, 'the second offer');
    const wiped = await wipeRedisPrefix(redis, system.redisPrefix);
    expect(wiped).toBeGreaterThan(0);
    await positions.place(places);

    const handed = await eventually(
      async () => {
        const row = await prisma.task.findUniqueOrThrow({ where: { id: task.id } });
        return row.status === 'HANDED_OVER' && row;
      },
      30_000,
      'the handover',
    );
    expect(handed.offerRound).toBe(OFFER_ROUNDS - 1);

    const final = await offers();
    // Nearest first, each once, widening the circle round by round; never the one
    // beyond the last radius, never the one without the skill.
    expect(final.map((offer) => offer.volunteerId)).toEqual(order.map((v) => v.user.id));
    expect(final.map((offer) => offer.round)).toEqual([0, 0, 1, 2]);
    expect(final.every((offer) => offer.status === 'EXPIRED')).toBe(true);
    // Distances as the locator measured them (GEO hashes are good to a metre or so).
    [100, 300, 800, 1_500].forEach((metres, n) =>
      expect(Math.abs((final[n]?.distanceM ?? -1) - metres)).toBeLessThanOrEqual(2),
    );
    const asked = new Set(final.map((offer) => offer.volunteerId));
    expect(asked.has(beyond.user.id)).toBe(false);
    expect(asked.has(unskilled.user.id)).toBe(false);

    const events = await prisma.taskEvent.findMany({
      where: { taskId: task.id },
      orderBy: { id: 'asc' },
    });
    const actions = events.map((event) => (event.payload as { action?: string }).action);
    expect(actions.filter((action) => action === 'widened')).toHaveLength(OFFER_ROUNDS - 1);
    expect(actions.filter((action) => action === 'expired')).toHaveLength(4);
    expect(actions.at(-1)).toBe('handed-over');
    expect(events.at(-1)!.payload).toMatchObject({ notifyUserId: member.user.id });

    // The grid member is told, live.
    const told = await eventually(
      async () =>
        memberSeen.find(
          (event) => event.task.id === task.id && event.data.action === 'handed-over',
        ),
      5_000,
      'the handover on the member socket',
    );
    expect(told.task.status).toBe('HANDED_OVER');
    // The first volunteer saw their offer expire.
    expect(
      nearSeen.some((event) => event.task.id === task.id && event.data.action === 'expired'),
    ).toBe(true);

    // The grid member asks again from the first round: everyone asked already was
    // asked once; the one beyond the radius moves in and is offered the task.
    await positions.place([
      { userId: beyond.user.id, at: offsetPoint(where, 50, 90), skills: ['REPAIRS'] },
    ]);
    const again = await member.post<{ task: TaskSummary }>(`/api/tasks/${task.id}/reoffer`, {});
    expect(again.status).toBe(200);
    expect(again.body.task).toMatchObject({ status: 'OFFERING', offerRound: 0 });
    const latest = await offers();
    expect(latest.at(-1)).toMatchObject({
      volunteerId: beyond.user.id,
      status: 'OFFERED',
      round: 0,
    });
    const won = await beyond.post<{ task: TaskSummary }>(`/api/tasks/${task.id}/accept`, {});
    expect(won.status).toBe(200);
    expect(won.body.task).toMatchObject({ status: 'FILLED', filledSlots: 1 });
  }, 90_000);

  it('declining offers the next volunteer at once', async () => {
    const { order, places } = layout();
    await positions.place(places);
    const created = await member.post<{ task: TaskSummary }>('/api/tasks', {
      title: 'decline',
      skills: ['REPAIRS'],
      location: where,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
      offerBatch: 1,
      radiusM: RADIUS_M,
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const first = await order[0]!.post(`/api/tasks/${taskId}/decline`, {});
    expect(first.status).toBe(200);
    const rows = await system.server.prisma.taskAssignment.findMany({
      where: { taskId },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((row) => [row.volunteerId, row.status])).toEqual([
      [order[0]!.user.id, 'DECLINED'],
      [order[1]!.user.id, 'OFFERED'],
    ]);
    // The decliner cannot take it back.
    expect((await order[0]!.post(`/api/tasks/${taskId}/accept`, {})).status).toBe(409);
  });

  it('asks volunteers for a ticket; lists the task for staff in scope; guards its socket room', async () => {
    const { order, beyond, places } = layout();
    await positions.place(places);
    const ticket = await member.post<{ ticket: { id: number } }>('/api/tickets', {
      categoryCode: 'NOISE',
      description: '楼道灯坏了 / The stairwell light is broken',
      location: where,
    });
    expect(ticket.status).toBe(201);
    const asked = await member.post<{ task: TaskSummary }>(
      `/api/tickets/${ticket.body.ticket.id}/ask-volunteers`,
      { skills: ['REPAIRS'], durationMinutes: 30, offerBatch: 2, radiusM: RADIUS_M },
    );
    expect(asked.status).toBe(201);
    expect(asked.body.task).toMatchObject({
      ticketId: ticket.body.ticket.id,
      status: 'OFFERING',
      description: '楼道灯坏了 / The stairwell light is broken',
    });
    const taskId = asked.body.task.id;
    // The nearest takes it at once (offers last a second here).
    const won = await order[0]!.post<{ task: TaskSummary }>(`/api/tasks/${taskId}/accept`, {});
    expect(won.status).toBe(200);
    const detail = await member.get<{ timeline: Array<{ data: { action?: string } }> }>(
      `/api/tickets/${ticket.body.ticket.id}`,
    );
    expect(detail.body.timeline.some((event) => event.data.action === 'volunteers-asked')).toBe(
      true,
    );

    const listed = await member.get<{ tasks: TaskSummary[] }>(
      `/api/tasks?ticketId=${ticket.body.ticket.id}`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.tasks.map((task) => task.id)).toEqual([taskId]);
    // Staff see who was offered it, by name, whatever their community.
    const staffView = await member.get<{
      assignments: Array<{ volunteerId: number; volunteerName: string; status: string }>;
    }>(`/api/tasks/${taskId}`);
    const winner = staffView.body.assignments.find((row) => row.volunteerId === order[0]!.user.id);
    const winnerUser = await system.server.prisma.user.findUniqueOrThrow({
      where: { id: order[0]!.user.id },
    });
    expect(winner).toMatchObject({ status: 'ACCEPTED', volunteerName: winnerUser.displayName });
    const dispatcher = await system.login('dispatcher');
    expect(
      (
        await dispatcher.get<{ tasks: TaskSummary[] }>(
          `/api/tasks?ticketId=${ticket.body.ticket.id}`,
        )
      ).body.tasks,
    ).toHaveLength(1);
    expect((await order[0]!.get('/api/tasks')).status).toBe(403);

    // The task room: staff in scope and the volunteers offered or holding it; nobody else.
    const join = async (session: Session) => {
      const socket = await session.socket();
      return new Promise<boolean>((resolve) =>
        socket.emit('room.join', `task:${taskId}`, (result) => resolve(result.ok)),
      );
    };
    expect(await join(member)).toBe(true);
    expect(await join(order[0]!)).toBe(true);
    expect(await join(beyond)).toBe(false);
    // The holder sees the task; a volunteer never offered it does not.
    expect((await order[0]!.get(`/api/tasks/${taskId}`)).status).toBe(200);
    expect((await beyond.get(`/api/tasks/${taskId}`)).status).toBe(404);
    const mine = await order[0]!.get<{ active: Array<{ task: TaskSummary }> }>(
      '/api/volunteers/me/tasks',
    );
    expect(mine.body.active.map((item) => item.task.id)).toContain(taskId);
  });
});
