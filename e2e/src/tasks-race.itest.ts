import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignmentSummary, LatLng, TaskSummary } from '@gridline/core';
import { startServerProcess, type ServerProcess } from './support/processes.ts';
import { sessionAt, startSystem, type Session, type TestSystem } from './support/system.ts';
import {
  VolunteerPositions,
  memberPlace,
  mintSessions,
  offsetPoint,
  volunteerNames,
} from './support/tasks.ts';

// First accept wins, for tasks: 50 volunteers, each offered every task, accept it at
// once, each request on its own connection. Exactly one winner per slot; everyone
// after gets 409. A fifth of the tasks have several slots. The volunteers are split
// between two server processes on the same database and Redis, as deployed behind a
// load balancer, so each race is decided across processes.
const VOLUNTEERS = 50;
const TASKS = 1_000;
/** Tasks raced at the same time. */
const PARALLEL = 4;
const slotsOf = (n: number) => (n % 5 === 0 ? 1 + (n % 4) + 1 : 1);

interface AcceptReply {
  task?: TaskSummary;
  assignment?: AssignmentSummary;
  error?: { code: string; details?: { reason?: string } };
}

describe('first accept wins a task slot', () => {
  let system: TestSystem;
  let raceServers: ServerProcess[] = [];
  let creator: Session;
  let volunteers: Session[];
  let positions: VolunteerPositions;
  let where: LatLng;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    raceServers = await Promise.all(
      [1, 2].map(() =>
        startServerProcess({ databaseUrl: system.databaseUrl, redisPrefix: system.redisPrefix }),
      ),
    );
    creator = sessionAt(await system.login('member'), raceServers[0]!.baseUrl);
    where = await memberPlace(creator);
    volunteers = (await mintSessions(system, volunteerNames(VOLUNTEERS))).map((volunteer, n) =>
      sessionAt(volunteer, raceServers[n % raceServers.length]!.baseUrl),
    );
    positions = new VolunteerPositions(system);
    await positions.place(
      volunteers.map((volunteer, n) => ({
        userId: volunteer.user.id,
        at: offsetPoint(where, 20 + n * 5, n * 37),
      })),
    );
  });
  afterAll(async () => {
    await positions?.close();
    await Promise.all(raceServers.map((server) => server.stop()));
    await system?.close();
  });

  it(`gives each of ${TASKS} tasks' slots to exactly one of ${VOLUNTEERS} racing volunteers`, async () => {
    const soon = Date.now();
    const create = async (n: number) => {
      const created = await creator.post<{ task: TaskSummary }>('/api/tasks', {
        title: `race ${n}`,
        location: where,
        startsAt: new Date(soon).toISOString(),
        endsAt: new Date(soon + 3 * 3_600_000).toISOString(),
        durationMinutes: 60,
        slots: slotsOf(n),
        offerBatch: VOLUNTEERS,
        radiusM: 1_000,
      });
      expect(created.status).toBe(201);
      // Every volunteer is offered the task when it is created.
      expect(created.body.task.status).toBe('OFFERING');
      return created.body.task;
    };

    const race = async (task: TaskSummary) => {
      const answers = await Promise.all(
        volunteers.map((volunteer) =>
          volunteer.post<AcceptReply>(`/api/tasks/${task.id}/accept`, {}),
        ),
      );
      const winners = answers.filter((answer) => answer.status === 200);
      const losers = answers.filter((answer) => answer.status === 409);
      expect(winners, `task ${task.id}`).toHaveLength(task.slots);
      expect(losers, `task ${task.id}`).toHaveLength(VOLUNTEERS - task.slots);
      for (const loser of losers) expect(loser.body.error?.code).toBe('CONFLICT');
      const slots = winners.map((winner) => winner.body.assignment?.slot).sort();
      expect(slots).toEqual(Array.from({ length: task.slots }, (_, n) => n + 1));
      return task.id;
    };

    const raced: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < TASKS) {
          const n = next++;
          raced.push(await race(await create(n)));
        }
      }),
    );
    expect(raced).toHaveLength(TASKS);

    // What PostgreSQL holds: per task, as many accepted slots as it has, numbered 1..slots,
    // every other offer expired, the task FILLED, one `task.filled` and one accept event per slot.
    const prisma = system.server.prisma;
    const tasks = await prisma.task.findMany({ where: { id: { in: raced } } });
    expect(tasks).toHaveLength(TASKS);
    for (const task of tasks) {
      expect(task.status).toBe('FILLED');
      expect(task.filledSlots).toBe(task.slots);
    }
    const held = await prisma.taskAssignment.groupBy({
      by: ['taskId', 'status'],
      where: { taskId: { in: raced } },
      _count: { _all: true },
      _max: { slot: true },
      _min: { slot: true },
    });
    const slotsById = new Map(tasks.map((task) => [task.id, task.slots]));
    for (const row of held) {
      const slots = slotsById.get(row.taskId)!;
      if (row.status === 'ACCEPTED') {
        expect(row._count._all).toBe(slots);
        expect(row._min.slot).toBe(1);
        expect(row._max.slot).toBe(slots);
      } else {
        expect(row.status).toBe('EXPIRED');
        expect(row._count._all).toBe(VOLUNTEERS - slots);
      }
    }
    const events = await prisma.taskEvent.groupBy({
      by: ['type'],
      where: { taskId: { in: raced }, type: { in: ['task.filled', 'task.offered'] } },
      _count: { _all: true },
    });
    const count = (type: string) => events.find((row) => row.type === type)?._count._all ?? 0;
    expect(count('task.filled')).toBe(TASKS);
    expect(count('task.offered')).toBe(TASKS * VOLUNTEERS);
    const accepted = await prisma.taskEvent.count({
      where: { taskId: { in: raced }, payload: { path: ['action'], equals: 'accepted' } },
    });
    expect(accepted).toBe(tasks.reduce((sum, task) => sum + task.slots, 0));
  }, 900_000);

  it('answers 409 to an accept after the task filled, and 404 to a volunteer never offered it', async () => {
    const created = await creator.post<{ task: TaskSummary }>('/api/tasks', {
      title: 'late accept',
      location: where,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
      offerBatch: 2,
    });
    expect(created.status).toBe(201);
    const offered = await system.server.prisma.taskAssignment.findMany({
      where: { taskId: created.body.task.id },
      orderBy: { id: 'asc' },
    });
    expect(offered.map((row) => row.status)).toEqual(['OFFERED', 'OFFERED']);
    const byId = new Map(volunteers.map((volunteer) => [volunteer.user.id, volunteer]));
    const [first, second] = offered.map((row) => byId.get(row.volunteerId)!);
    const stranger = volunteers.find(
      (volunteer) => !offered.some((row) => row.volunteerId === volunteer.user.id),
    )!;

    const win = await first!.post<AcceptReply>(`/api/tasks/${created.body.task.id}/accept`, {});
    expect(win.status).toBe(200);
    expect(win.body.task?.status).toBe('FILLED');
    const late = await second!.post<AcceptReply>(`/api/tasks/${created.body.task.id}/accept`, {});
    expect(late.status).toBe(409);
    expect(late.body.error?.details?.reason).toBe('filled');
    const again = await first!.post<AcceptReply>(`/api/tasks/${created.body.task.id}/accept`, {});
    expect(again.status).toBe(409);
    const never = await stranger.post<AcceptReply>(`/api/tasks/${created.body.task.id}/accept`, {});
    expect(never.status).toBe(404);
    // Staff cannot accept a volunteer task.
    const staff = await creator.post<AcceptReply>(`/api/tasks/${created.body.task.id}/accept`, {});
    expect(staff.status).toBe(403);
  });
});
