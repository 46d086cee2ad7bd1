import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GridIndex,
  type RegionLevel,
  type Role,
  type TaskEventPayload,
  type TaskSummary,
  type TaskTimerJob,
  type TicketSummary,
} from '@gridline/core';
import {
  RegionDirectory,
  TaskConflict,
  toTaskSummary,
  type NewTask,
  type TaskChange,
  type TaskWithRelations,
  type TaskAssignmentModel as TaskAssignment,
} from '@gridline/db';
import { HttpError } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { IdempotencyRecord } from '../tickets/ports.ts';
import { canonicalJson } from '../tickets/ticket-service.ts';
import type { CascadeStep, TaskDirectory, TaskRepository } from './ports.ts';
import { TaskService } from './task-service.ts';

// A city 1 > district 10 > street 20 > community 30 > grid 40 (a small square), and a
// second community 31 with grid 41 further east.
const square = (lng: number, lat: number, size = 0.01) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lng, lat],
      [lng + size, lat],
      [lng + size, lat + size],
      [lng, lat + size],
      [lng, lat],
    ] as Array<[number, number]>,
  ],
});
const node = (id: number, level: RegionLevel, parentId: number | null) => ({
  id,
  code: String(id),
  name: `r${id}`,
  nameEn: null,
  level,
  parentId,
  centroid: null,
});
const directory = new RegionDirectory(
  [
    node(1, 'CITY', null),
    node(10, 'DISTRICT', 1),
    node(20, 'STREET', 10),
    node(30, 'COMMUNITY', 20),
    node(31, 'COMMUNITY', 20),
    node(40, 'GRID', 30),
    node(41, 'GRID', 31),
  ],
  new GridIndex([
    { id: 40, boundary: square(123.0, 41.0) },
    { id: 41, boundary: square(123.1, 41.0) },
  ]),
);
const IN_GRID_40 = { lat: 41.005, lng: 123.005 };
const IN_GRID_41 = { lat: 41.005, lng: 123.105 };
const NOW = new Date('2026-11-22T10:00:00.000Z');
const HOUR = 3_600_000;

const as = (role: Role, regionId: number | null, regionLevel: RegionLevel | null, id = 7) =>
  ({
    sessionId: 's',
    regionLevel,
    user: { id, username: 'u', displayName: 'U', role, regionId },
  }) satisfies AuthContext;
const member = as('GRID_MEMBER', 40, 'GRID', 7);
const volunteer = as('VOLUNTEER', null, null, 501);

function taskRow(overrides: Partial<TaskWithRelations> = {}): TaskWithRelations {
  return {
    id: 5,
    title: 't',
    description: '',
    ticketId: null,
    careRecipientId: null,
    lat: IN_GRID_40.lat,
    lng: IN_GRID_40.lng,
    address: null,
    gridId: 40,
    communityId: 30,
    streetId: 20,
    districtId: 10,
    startsAt: NOW,
    endsAt: new Date(NOW.getTime() + HOUR),
    durationMinutes: 30,
    slots: 1,
    filledSlots: 0,
    offerBatch: 5,
    pointsPerHour: 10,
    status: 'OFFERING',
    offerRound: 0,
    radiusM: 1000,
    version: 1,
    createdById: 7,
    createdAt: NOW,
    updatedAt: NOW,
    skills: [],
    careRecipient: null,
    ...overrides,
  };
}

function assignmentRow(overrides: Partial<TaskAssignment> = {}): TaskAssignment {
  return {
    id: 9,
    taskId: 5,
    volunteerId: 501,
    status: 'ACCEPTED',
    slot: 1,
    round: 0,
    offeredAt: NOW,
    expiresAt: new Date(NOW.getTime() + 300_000),
    acceptedAt: NOW,
    checkInAt: null,
    checkOutAt: null,
    distanceM: 50,
    safetyAlertedAt: null,
    version: 2,
    ...overrides,
  };
}

const change = (
  task: TaskSummary,
  extra: Partial<TaskChange> = {},
  event: Partial<TaskEventPayload> = {},
): TaskChange => ({
  task,
  events: [
    {
      eventId: 1,
      type: 'task.updated',
      at: NOW.toISOString(),
      actorId: 7,
      data: {},
      task,
      ...event,
    },
  ],
  timers: [],
  staleTimers: [],
  ...extra,
});

/** An in-memory task repository: answers with fixtures and records what it was asked. */
class FakeTasks implements TaskRepository {
  row: TaskWithRelations | null = taskRow();
  assignment: TaskAssignment | null = assignmentRow();
  created: NewTask[] = [];
  calls: string[] = [];
  acceptResult: TaskChange | TaskConflict | null = null;

  async create(task: NewTask) {
    this.created.push(task);
    this.calls.push('create');
    return change(toTaskSummary(taskRow({ status: 'OPEN' })), {
      timers: [],
    });
  }
  async accept() {
    this.calls.push('accept');
    if (this.acceptResult instanceof TaskConflict) throw this.acceptResult;
    return this.acceptResult ?? change(toTaskSummary(taskRow()));
  }
  async decline() {
    this.calls.push('decline');
    return change(toTaskSummary(taskRow()));
  }
  async checkIn(_t: number, _v: number, _n: Date, at: { distanceM: number }) {
    this.calls.push(`check-in ${at.distanceM}`);
    return change(toTaskSummary(taskRow({ status: 'IN_PROGRESS' })));
  }
  async checkOut(_t: number, _v: number, _n: Date, at: { distanceM: number }) {
    this.calls.push(`check-out ${at.distanceM}`);
    return change(toTaskSummary(taskRow({ status: 'COMPLETED' })));
  }
  async cancel() {
    this.calls.push('cancel');
    return change(toTaskSummary(taskRow({ status: 'CANCELLED' })));
  }
  async reoffer() {
    this.calls.push('reoffer');
    return change(toTaskSummary(taskRow({ status: 'OPEN' })));
  }
  async find() {
    return this.row;
  }
  async summary() {
    return this.row && toTaskSummary(this.row);
  }
  async assignmentOf() {
    return this.assignment;
  }
  async detail() {
    return this.row && { task: toTaskSummary(this.row), assignments: [] };
  }
  async timeline() {
    return [];
  }
  async list() {
    return { tasks: [], nextCursor: null };
  }
  async myTasks() {
    return { offers: [], active: [], history: [] };
  }
}

function setup(options: { cascadeFails?: boolean } = {}) {
  const tasks = new FakeTasks();
  const log: string[] = [];
  const scheduled: TaskTimerJob[] = [];
  const cancelled: string[] = [];
  const idempotency = new Map<string, IdempotencyRecord>();
  const cascade: CascadeStep = {
    async step(taskId) {
      log.push(`step ${taskId}`);
      if (options.cascadeFails) throw new Error('redis down');
      const task = toTaskSummary(taskRow());
      return change(task, {
        timers: [
          { kind: 'offer-expiry', taskId, assignmentId: 9, version: 1, dueAt: NOW.toISOString() },
        ],
      });
    },
  };
  const places: TaskDirectory = {
    async unknownSkills(codes) {
      return codes.filter((code) => code !== 'REPAIRS');
    },
    async careRecipient(id) {
      return id === 3
        ? { id, communityId: 30, gridId: 40 }
        : id === 4
          ? { id, communityId: 31, gridId: 41 }
          : null;
    },
    async visibleTicket(ticketId) {
      if (ticketId !== 12) throw new HttpError('NOT_FOUND', 'Ticket not found');
      return {
        ticket: { id: 12, code: 'T-12', location: IN_GRID_40, address: '1号楼' } as TicketSummary,
        description: 'leaking pipe',
      };
    },
    async noteVolunteersAsked(ticketId, taskId) {
      log.push(`noted ${ticketId} ${taskId}`);
    },
  };
  const service = new TaskService({
    tasks,
    cascade,
    directory: places,
    regions: () => directory,
    publisher: { publish: (c) => log.push(`publish ${c.events.length}`) },
    timers: {
      async schedule(jobs) {
        log.push('schedule');
        scheduled.push(...jobs);
      },
      async cancel(ids) {
        cancelled.push(...ids);
      },
    },
    idempotency: {
      async find(scope, key) {
        return idempotency.get(`${scope} ${key}`) ?? null;
      },
    },
    clock: { now: () => NOW },
    timeScale: 1,
    geofenceM: 200,
    onError: (_error, what) => log.push(`error ${what}`),
  });
  return { service, tasks, log, scheduled, cancelled, idempotency };
}

const body = (overrides: Record<string, unknown> = {}) => ({
  title: 'Fix the light',
  location: IN_GRID_40,
  startsAt: NOW.toISOString(),
  endsAt: new Date(NOW.getTime() + HOUR).toISOString(),
  durationMinutes: 30,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

/** A point `metres` due north of `from` (the same sphere as distanceMetres). */
const north = (from: { lat: number; lng: number }, metres: number) => ({
  lat: from.lat + (metres / 6_371_008.8) * (180 / Math.PI),
  lng: from.lng,
});

describe('creating tasks', () => {
  it('creates the task with its regions, offers it, then pushes and schedules after both commits', async () => {
    const { service, tasks, log, scheduled } = setup();
    const reply = await service.create(body({ skills: ['REPAIRS'] }), { auth: member });
    expect(reply.status).toBe(201);
    expect(tasks.created[0]).toMatchObject({
      gridId: 40,
      communityId: 30,
      streetId: 20,
      districtId: 10,
      createdById: 7,
      skills: ['REPAIRS'],
    });
    expect(log).toEqual(['step 5', 'publish 1', 'publish 1', 'schedule']);
    expect(scheduled.map((job) => job.kind)).toEqual(['offer-expiry']);
  });

  it.each([
    ['a volunteer', 403, volunteer],
    ['a dispatcher', 403, as('DISPATCHER', 20, 'STREET')],
    ['a grid member of another grid', 403, as('GRID_MEMBER', 41, 'GRID')],
    ['community staff of the community', 201, as('COMMUNITY_STAFF', 30, 'COMMUNITY')],
    ['an admin', 201, as('ADMIN', null, null)],
  ])('answers %s creating one in grid 40: %s', async (_who, status, auth) => {
    const { service } = setup();
    const reply = service.create(body(), { auth });
    if (status === 201) expect((await reply).status).toBe(201);
    else expect((await failure(reply)).status).toBe(status);
  });

  it('refuses unknown skills, windows already over, care recipients elsewhere', async () => {
    const { service } = setup();
    const skills = await failure(service.create(body({ skills: ['FLYING'] }), { auth: member }));
    expect(skills).toMatchObject({ code: 'UNPROCESSABLE' });
    const over = await failure(
      service.create(
        body({
          startsAt: new Date(NOW.getTime() - 2 * HOUR).toISOString(),
          endsAt: new Date(NOW.getTime() - HOUR).toISOString(),
        }),
        { auth: member },
      ),
    );
    expect(over).toMatchObject({ code: 'UNPROCESSABLE' });
    expect(
      await failure(service.create(body({ careRecipientId: 4 }), { auth: member })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await failure(service.create(body({ careRecipientId: 99 }), { auth: member })),
    ).toMatchObject({ code: 'UNPROCESSABLE' });
    expect((await service.create(body({ careRecipientId: 3 }), { auth: member })).status).toBe(201);
    expect(
      await failure(service.create(body({ location: IN_GRID_41 }), { auth: member })),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('replays an Idempotency-Key with the same body; 422 with another', async () => {
    const { service, tasks, idempotency } = setup();
    const first = body();
    const reply = await service.create(first, { auth: member, idempotencyKey: 'key-12345' });
    expect(reply.status).toBe(201);
    // The store writes the record in the task's transaction; here, by hand.
    idempotency.set('POST /api/tasks user:7 key-12345', {
      requestHash: createHash('sha256').update(canonicalJson(first)).digest('hex'),
      status: 201,
      response: { taskId: 5 },
    });
    const again = await service.create(first, { auth: member, idempotencyKey: 'key-12345' });
    expect(again.status).toBe(201);
    expect(tasks.created).toHaveLength(1);
    const other = await failure(
      service.create(body({ title: 'other' }), { auth: member, idempotencyKey: 'key-12345' }),
    );
    expect(other).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
  });

  it('still answers 201 when the first offers fail after the commit (the reconciler redoes them)', async () => {
    const { service, log } = setup({ cascadeFails: true });
    const reply = await service.create(body(), { auth: member });
    expect(reply.status).toBe(201);
    expect(log).toContain('error offer cascade step');
  });

  it('asks volunteers for a ticket: the task takes its place and description, and the ticket notes it', async () => {
    const { service, tasks, log } = setup();
    const reply = await service.askVolunteers(12, member, { skills: ['REPAIRS'] });
    expect(reply.status).toBe(201);
    expect(tasks.created[0]).toMatchObject({
      ticketId: 12,
      description: 'leaking pipe',
      lat: IN_GRID_40.lat,
      address: '1号楼',
      startsAt: NOW,
      endsAt: new Date(NOW.getTime() + 2 * HOUR),
    });
    expect(tasks.created[0]?.title).toContain('T-12');
    expect(log).toContain('noted 12 5');
    expect(await failure(service.askVolunteers(13, member, {}))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('accepting', () => {
  it('answers 409 to those after the last slot, 403 to volunteers not approved, 404 to those never offered', async () => {
    const { service, tasks } = setup();
    tasks.acceptResult = new TaskConflict('Every slot of this task is taken', 'filled');
    expect(await failure(service.act(5, 'accept', volunteer, {}))).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'filled' },
    });
    tasks.acceptResult = new TaskConflict('no', 'not-approved');
    expect((await failure(service.act(5, 'accept', volunteer, {}))).status).toBe(403);
    tasks.acceptResult = new TaskConflict('no', 'no-offer');
    expect((await failure(service.act(5, 'accept', volunteer, {}))).status).toBe(404);
    expect((await failure(service.act(5, 'accept', member, {}))).status).toBe(403);
  });

  it('pushes the win and schedules its no-show timer, dropping the stale offer timer', async () => {
    const { service, tasks, log, scheduled, cancelled } = setup();
    const task = toTaskSummary(taskRow({ status: 'FILLED', filledSlots: 1 }));
    const noShow: TaskTimerJob = {
      kind: 'no-show',
      taskId: 5,
      assignmentId: 9,
      version: 2,
      dueAt: NOW.toISOString(),
    };
    tasks.acceptResult = change(task, { timers: [noShow], staleTimers: ['offer-expiry-9-1'] });
    const result = await service.act(5, 'accept', volunteer, {});
    expect(result.task.status).toBe('FILLED');
    expect(log).toEqual(['publish 1', 'schedule']);
    expect(scheduled).toEqual([noShow]);
    expect(cancelled).toEqual(['offer-expiry-9-1']);
  });

  it('offers the next volunteer after a decline', async () => {
    const { service, log } = setup();
    await service.act(5, 'decline', volunteer, {});
    expect(log).toEqual(['step 5', 'publish 1', 'publish 1', 'schedule']);
  });
});

describe('check-in and check-out', () => {
  it.each([
    [199, 200],
    [199.9, 200],
    [201, 422],
  ])('at %s m from the task: %s', async (metres, status) => {
    const { service, tasks } = setup();
    const at = north(IN_GRID_40, metres);
    const attempt = service.act(5, 'check-in', volunteer, at);
    if (status === 200) {
      await attempt;
      expect(tasks.calls).toEqual([`check-in ${Math.round(metres)}`]);
    } else {
      expect(await failure(attempt)).toMatchObject({
        status: 422,
        details: { reason: 'geofence', distanceM: metres, geofenceM: 200 },
      });
      expect(tasks.calls).toEqual([]);
    }
  });

  it.each([
    ['when check-in opens (30 minutes before the start)', -30 * 60_000, true],
    ['a millisecond before it opens', -30 * 60_000 - 1, false],
    ['at the end of the window', HOUR, true],
    ['a millisecond after the end', HOUR + 1, false],
  ])('checks in %s: %s', async (_when, offsetMs, allowed) => {
    const { service, tasks } = setup();
    // The clock stands still at NOW; the task moves around it.
    tasks.row = taskRow({
      startsAt: new Date(NOW.getTime() - offsetMs),
      endsAt: new Date(NOW.getTime() - offsetMs + HOUR),
    });
    const attempt = service.act(5, 'check-in', volunteer, IN_GRID_40);
    if (allowed) await attempt;
    else
      expect(await failure(attempt)).toMatchObject({ status: 422, details: { reason: 'window' } });
  });

  it('checks out until two hours after the end, not after', async () => {
    const { service, tasks } = setup();
    const checkedIn = assignmentRow({
      status: 'CHECKED_IN',
      checkInAt: new Date(NOW.getTime() - 3 * HOUR),
    });
    tasks.assignment = checkedIn;
    tasks.row = taskRow({
      startsAt: new Date(NOW.getTime() - 4 * HOUR),
      endsAt: new Date(NOW.getTime() - 2 * HOUR),
    });
    await service.act(5, 'check-out', volunteer, IN_GRID_40);
    tasks.row = taskRow({
      startsAt: new Date(NOW.getTime() - 4 * HOUR),
      endsAt: new Date(NOW.getTime() - 2 * HOUR - 1),
    });
    expect(await failure(service.act(5, 'check-out', volunteer, IN_GRID_40))).toMatchObject({
      status: 422,
      details: { reason: 'window' },
    });
  });

  it('answers 409 when the place is not in the state the action starts from, 404 without one', async () => {
    const { service, tasks } = setup();
    tasks.assignment = assignmentRow({ status: 'NO_SHOW', slot: null });
    expect((await failure(service.act(5, 'check-in', volunteer, IN_GRID_40))).status).toBe(409);
    expect((await failure(service.act(5, 'check-out', volunteer, IN_GRID_40))).status).toBe(409);
    tasks.assignment = null;
    expect((await failure(service.act(5, 'check-in', volunteer, IN_GRID_40))).status).toBe(404);
  });
});

describe('who sees a task', () => {
  it('shows a volunteer their own place, with the care recipient first name only while holding it', async () => {
    const { service, tasks } = setup();
    tasks.row = taskRow({ careRecipientId: 3, careRecipient: { firstName: '秀英' } });
    tasks.assignment = assignmentRow({ status: 'OFFERED' });
    const offered = (await service.view(5, volunteer)) as { task: TaskSummary };
    expect(offered.task.careRecipientFirstName).toBeNull();
    tasks.assignment = assignmentRow({ status: 'ACCEPTED' });
    const holding = (await service.view(5, volunteer)) as { task: TaskSummary };
    expect(holding.task.careRecipientFirstName).toBe('秀英');
    tasks.assignment = assignmentRow({ status: 'DECLINED' });
    expect((await failure(service.view(5, volunteer))).status).toBe(404);
  });

  it('lets staff in scope and volunteers offered or holding it join the task room', async () => {
    const { service, tasks } = setup();
    expect(await service.canJoinRoom(5, member)).toBe(true);
    expect(await service.canJoinRoom(5, as('GRID_MEMBER', 41, 'GRID', 8))).toBe(false);
    expect(await service.canJoinRoom(5, as('DISPATCHER', 20, 'STREET', 8))).toBe(true);
    expect(await service.canJoinRoom(5, as('RESIDENT', null, null, 8))).toBe(false);
    tasks.assignment = assignmentRow({ status: 'OFFERED' });
    expect(await service.canJoinRoom(5, volunteer)).toBe(true);
    tasks.assignment = assignmentRow({ status: 'EXPIRED' });
    expect(await service.canJoinRoom(5, volunteer)).toBe(false);
    expect((await failure(service.view(5, as('GRID_MEMBER', 41, 'GRID', 8)))).status).toBe(403);
  });

  it('lets staff in scope cancel or reoffer; a reoffer runs a cascade step', async () => {
    const { service, tasks, log } = setup();
    await service.act(5, 'reoffer', member, {});
    expect(log).toEqual(['step 5', 'publish 1', 'publish 1', 'schedule']);
    expect(
      (await failure(service.act(5, 'cancel', as('GRID_MEMBER', 41, 'GRID', 8), {}))).status,
    ).toBe(403);
    expect((await failure(service.act(5, 'cancel', volunteer, {}))).status).toBe(403);
    await service.act(5, 'cancel', member, { reason: 'rain' });
    expect(tasks.calls).toEqual(['reoffer', 'cancel']);
  });
});
