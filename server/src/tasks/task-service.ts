import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  CALL_BUTTON_TITLES,
  DEFAULT_OFFER_BATCH,
  DEFAULT_OFFER_RADIUS_M,
  HOLDING_ASSIGNMENT_STATUSES,
  SERVICE_SKILLS,
  STAFF_TASK_ACTIONS,
  VOLUNTEER_TASK_ACTIONS,
  askVolunteersSchema,
  checkInWindow,
  checkOutWindow,
  createTaskSchema,
  distanceMetres,
  scaledMs,
  taskPresenceSchema,
  tasksQuerySchema,
  withinGeofence,
  type AssignmentStatus,
  type AssignmentSummary,
  type LatLng,
  type MyTasksResponse,
  type Role,
  type StaffTaskAction,
  type TaskSummary,
  type TicketSummary,
  type VolunteerService,
  type VolunteerTaskAction,
} from '@gridline/core';
import {
  Prisma,
  TaskConflict,
  toAssignmentSummary,
  withoutCareName,
  type NewTask,
  type RegionDirectory,
  type TaskChange,
} from '@gridline/db';
import { HttpError, conflict, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { requireRole, requireStaff } from '../auth/middleware.ts';
import { canSeeTask, taskScope } from '../auth/scope.ts';
import type { Clock, IdempotencyRepository } from '../tickets/ports.ts';
import { canonicalJson } from '../tickets/ticket-service.ts';
import type {
  CascadeStep,
  TaskDirectory,
  TaskPublisher,
  TaskRepository,
  TaskTimerScheduler,
} from './ports.ts';

export interface TaskServiceDeps {
  tasks: TaskRepository;
  cascade: CascadeStep;
  directory: TaskDirectory;
  regions: () => RegionDirectory;
  publisher: TaskPublisher;
  timers: TaskTimerScheduler;
  idempotency: IdempotencyRepository;
  clock: Clock;
  timeScale: number;
  /** Metres around the task within which check-in and check-out count. */
  geofenceM: number;
  /** Told about work that failed after the commit (a cascade step, a timer): the reconciler redoes it. */
  onError?: (error: unknown, what: string) => void;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

export type TaskAction = VolunteerTaskAction | StaffTaskAction;
export const TASK_ACTIONS: readonly TaskAction[] = [
  ...VOLUNTEER_TASK_ACTIONS,
  ...STAFF_TASK_ACTIONS,
];

/** What a volunteer or staff member gets back from an action. */
export interface TaskActionResult {
  task: TaskSummary;
  assignment?: AssignmentSummary;
}

/** Who may create tasks (their region must contain the task's place). */
const CREATOR_ROLES: readonly Role[] = ['GRID_MEMBER', 'COMMUNITY_STAFF', 'ADMIN'];
/** Assignments through which a volunteer sees a task. */
const SEEING: readonly AssignmentStatus[] = ['OFFERED', ...HOLDING_ASSIGNMENT_STATUSES];
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const storedCreateSchema = z.object({ taskId: z.number().int() });
const cancelBodySchema = z.strictObject({ reason: z.string().trim().max(500).optional() });
const emptyBodySchema = z.strictObject({});

export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  // --- Creating ---

  async create(
    body: unknown,
    context: { auth: AuthContext | undefined; idempotencyKey?: string },
  ): Promise<HttpReply> {
    const auth = requireRole(context.auth, CREATOR_ROLES);
    const input = parseOr400(createTaskSchema, body);
    const idempotency =
      context.idempotencyKey === undefined
        ? undefined
        : idempotencyScope(auth, context.idempotencyKey, body);
    if (idempotency) {
      const replay = await this.replay(idempotency);
      if (replay) return replay;
    }
    const now = this.deps.clock.now();
    const place = this.placeOf(auth, input.location);
    await this.checkSkills(input.skills);
    if (input.ticketId !== undefined) {
      await this.deps.directory.visibleTicket(input.ticketId, auth);
    }
    if (input.careRecipientId !== undefined)
      await this.checkCareRecipient(auth, input.careRecipientId);
    const startsAt = new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    checkWindowOpen(endsAt, now);
    const task: NewTask = {
      title: input.title,
      description: input.description,
      skills: [...new Set(input.skills)],
      lat: input.location.lat,
      lng: input.location.lng,
      address: input.address ?? null,
      ...place,
      startsAt,
      endsAt,
      durationMinutes: input.durationMinutes,
      slots: input.slots,
      pointsPerHour: input.pointsPerHour,
      ticketId: input.ticketId ?? null,
      careRecipientId: input.careRecipientId ?? null,
      offerBatch: input.offerBatch,
      radiusM: input.radiusM,
      createdById: auth.user.id,
      createdAt: now,
    };
    let created: TaskChange;
    try {
      created = await this.deps.tasks.create(task, idempotency && { ...idempotency, response: {} });
    } catch (error) {
      if (idempotency && isUniqueViolation(error)) {
        const replay = await this.replay(idempotency);
        if (replay) return replay;
      }
      throw error;
    }
    const offered = await this.cascade(created.task.id, now, auth.user.id);
    await this.afterCommit(created, offered);
    return { status: 201, body: { task: (offered ?? created).task } };
  }

  /** `POST /api/tickets/:id/ask-volunteers`: a task at the ticket's place, for its work. */
  async askVolunteers(ticketId: number, auth: AuthContext, body: unknown): Promise<HttpReply> {
    requireRole(auth, CREATOR_ROLES);
    const input = parseOr400(askVolunteersSchema, body ?? {});
    const { ticket, description } = await this.deps.directory.visibleTicket(ticketId, auth);
    const now = this.deps.clock.now();
    const startsAt = input.startsAt ? new Date(input.startsAt) : now;
    // By default the window is twice the work, in the (scaled) time of the demo or test.
    const endsAt = input.endsAt
      ? new Date(input.endsAt)
      : new Date(startsAt.getTime() + 2 * scaledMs(input.durationMinutes, this.deps.timeScale));
    if (endsAt <= startsAt) {
      throw new HttpError('VALIDATION_FAILED', 'Invalid request body', [
        { path: 'endsAt', message: 'endsAt must be after startsAt' },
      ]);
    }
    checkWindowOpen(endsAt, now);
    const place = this.placeOf(auth, ticket.location);
    await this.checkSkills(input.skills);
    const created = await this.deps.tasks.create({
      title: input.title ?? `协助处理工单 ${ticket.code} / Help with ticket ${ticket.code}`,
      description: input.description ?? description,
      skills: [...new Set(input.skills)],
      lat: ticket.location.lat,
      lng: ticket.location.lng,
      address: ticket.address,
      ...place,
      startsAt,
      endsAt,
      durationMinutes: input.durationMinutes,
      slots: input.slots,
      pointsPerHour: input.pointsPerHour,
      ticketId: ticket.id,
      careRecipientId: null,
      offerBatch: input.offerBatch,
      radiusM: input.radiusM,
      createdById: auth.user.id,
      createdAt: now,
    });
    await this.deps.directory
      .noteVolunteersAsked(ticket.id, created.task.id, auth.user.id)
      .catch((error: unknown) => this.deps.onError?.(error, 'ticket note of a task'));
    const offered = await this.cascade(created.task.id, now, auth.user.id);
    await this.afterCommit(created, offered);
    return { status: 201, body: { task: (offered ?? created).task } };
  }

  /**
   * A call button asked for a service volunteers can serve (meals, shopping,
   * company, mobility, cleaning): beside the urgent ticket, a task at the
   * household for the nearest volunteers, on behalf of whoever holds the ticket.
   */
  async fromCallButton(call: {
    ticket: TicketSummary;
    service: VolunteerService;
    careRecipientId: number;
    onBehalfOf: number;
  }): Promise<TaskSummary> {
    const { ticket } = call;
    const routing = this.deps.regions().route(ticket.location);
    if (routing.kind === 'unroutable') {
      throw new HttpError('UNPROCESSABLE', 'No grid covers this place');
    }
    const now = this.deps.clock.now();
    const durationMinutes = 60;
    const created = await this.deps.tasks.create({
      title: `一键呼叫：${CALL_BUTTON_TITLES[call.service].zh} / Call button: ${CALL_BUTTON_TITLES[call.service].en}`,
      description: `工单 ${ticket.code} / Ticket ${ticket.code}`,
      skills: [...SERVICE_SKILLS[call.service]],
      lat: ticket.location.lat,
      lng: ticket.location.lng,
      address: ticket.address,
      ...routing.chain,
      startsAt: now,
      endsAt: new Date(now.getTime() + 4 * scaledMs(durationMinutes, this.deps.timeScale)),
      durationMinutes,
      slots: 1,
      pointsPerHour: 15,
      ticketId: ticket.id,
      careRecipientId: call.careRecipientId,
      offerBatch: DEFAULT_OFFER_BATCH,
      radiusM: DEFAULT_OFFER_RADIUS_M,
      createdById: call.onBehalfOf,
      createdAt: now,
    });
    const offered = await this.cascade(created.task.id, now, call.onBehalfOf);
    await this.afterCommit(created, offered);
    return (offered ?? created).task;
  }

  /** The task's regions, if the creator may place a task there (403 otherwise). */
  private placeOf(
    auth: AuthContext,
    location: LatLng,
  ): Pick<NewTask, 'gridId' | 'communityId' | 'streetId' | 'districtId'> {
    const directory = this.deps.regions();
    const routing = directory.route(location);
    if (routing.kind === 'unroutable') {
      throw new HttpError('UNPROCESSABLE', 'No grid covers this place', [
        { path: 'location', message: 'outside every region' },
      ]);
    }
    const { chain } = routing;
    const place = chain.gridId ?? chain.communityId;
    const mine =
      auth.user.role === 'ADMIN' ||
      (auth.user.regionId !== null &&
        place !== null &&
        directory.isWithin(place, auth.user.regionId));
    if (!mine) throw new HttpError('FORBIDDEN', 'The task lies outside your region');
    return chain;
  }

  private async checkSkills(skills: readonly string[]): Promise<void> {
    const unknown = skills.length === 0 ? [] : await this.deps.directory.unknownSkills(skills);
    if (unknown.length > 0) {
      throw new HttpError(
        'UNPROCESSABLE',
        `Unknown skill${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
        unknown.map((code) => ({ path: 'skills', message: `no skill ${code}` })),
      );
    }
  }

  private async checkCareRecipient(auth: AuthContext, id: number): Promise<void> {
    const home = await this.deps.directory.careRecipient(id);
    if (!home) {
      throw new HttpError('UNPROCESSABLE', 'Unknown care recipient', [
        { path: 'careRecipientId', message: 'no such care recipient' },
      ]);
    }
    const place = home.gridId ?? home.communityId;
    const mine =
      auth.user.role === 'ADMIN' ||
      (auth.user.regionId !== null && this.deps.regions().isWithin(place, auth.user.regionId));
    if (!mine) throw new HttpError('FORBIDDEN', 'The care recipient lives outside your region');
  }

  private async replay(idempotency: IdempotencyScope): Promise<HttpReply | null> {
    const existing = await this.deps.idempotency.find(idempotency.scope, idempotency.key);
    if (!existing) return null;
    if (existing.requestHash !== idempotency.requestHash) {
      throw new HttpError(
        'IDEMPOTENCY_MISMATCH',
        'This Idempotency-Key was used with a different body',
      );
    }
    const { taskId } = storedCreateSchema.parse(existing.response);
    const task = await this.deps.tasks.summary(taskId);
    if (!task) throw notFound('Task');
    return { status: existing.status, body: { task } };
  }

  // --- Acting ---

  async act(
    taskId: number,
    action: TaskAction,
    auth: AuthContext,
    body: unknown,
  ): Promise<TaskActionResult> {
    switch (action) {
      case 'accept':
        return this.accept(taskId, auth, body);
      case 'decline':
        return this.decline(taskId, auth, body);
      case 'check-in':
      case 'check-out':
        return this.presence(taskId, action, auth, body);
      case 'cancel':
      case 'reoffer':
        return this.staffAction(taskId, action, auth, body);
    }
  }

  private async accept(
    taskId: number,
    auth: AuthContext,
    body: unknown,
  ): Promise<TaskActionResult> {
    const volunteer = requireRole(auth, ['VOLUNTEER']).user;
    parseOr400(emptyBodySchema, body ?? {});
    // The accept statement checks the volunteer is approved (a refusal says why: 403).
    const now = this.deps.clock.now();
    const change = await this.deps.tasks
      .accept(taskId, volunteer.id, now)
      .catch((error: unknown) => this.conflictOr(error, taskId, true));
    await this.afterCommit(change);
    return this.mine(change, volunteer.id);
  }

  private async decline(
    taskId: number,
    auth: AuthContext,
    body: unknown,
  ): Promise<TaskActionResult> {
    const volunteer = requireRole(auth, ['VOLUNTEER']).user;
    parseOr400(emptyBodySchema, body ?? {});
    const now = this.deps.clock.now();
    const change = await this.deps.tasks
      .decline(taskId, volunteer.id, now)
      .catch((error: unknown) => this.conflictOr(error, taskId, true));
    if (!change) throw notFound('Task');
    const next = await this.cascade(taskId, now, null);
    await this.afterCommit(change, next);
    return this.mine(change, volunteer.id);
  }

  /** Check-in and check-out: only inside the geofence and the time window. */
  private async presence(
    taskId: number,
    action: 'check-in' | 'check-out',
    auth: AuthContext,
    body: unknown,
  ): Promise<TaskActionResult> {
    const volunteer = requireRole(auth, ['VOLUNTEER']).user;
    const at = parseOr400(taskPresenceSchema, body ?? {});
    const row = await this.deps.tasks.find(taskId);
    const assignment = row && (await this.deps.tasks.assignmentOf(taskId, volunteer.id));
    if (!row || !assignment) throw notFound('Task');
    const expected = action === 'check-in' ? 'ACCEPTED' : 'CHECKED_IN';
    if (assignment.status !== expected) {
      throw conflict(`You cannot ${action} while your place is ${assignment.status}`, {
        reason: 'assignment',
        assignment: toAssignmentSummary(assignment),
      });
    }
    const now = this.deps.clock.now();
    const window =
      action === 'check-in'
        ? checkInWindow(row, this.deps.timeScale)
        : checkOutWindow(row, assignment.checkInAt ?? now, this.deps.timeScale);
    if (now < window.opens || now > window.closes) {
      throw new HttpError(
        'UNPROCESSABLE',
        action === 'check-in'
          ? '不在签到时间内 / Check-in is not open now'
          : '不在签退时间内 / Check-out is not open now',
        {
          reason: 'window',
          opens: window.opens.toISOString(),
          closes: window.closes.toISOString(),
        },
      );
    }
    const place = { lat: row.lat, lng: row.lng };
    const distanceM = Math.round(distanceMetres(place, at));
    if (!withinGeofence(place, at, this.deps.geofenceM)) {
      throw new HttpError(
        'UNPROCESSABLE',
        `距任务地点 ${distanceM} 米，须在 ${this.deps.geofenceM} 米内 / You are ${distanceM} m from the task; be within ${this.deps.geofenceM} m`,
        { reason: 'geofence', distanceM, geofenceM: this.deps.geofenceM },
      );
    }
    const point = { lat: at.lat, lng: at.lng, distanceM };
    const change = await (
      action === 'check-in'
        ? this.deps.tasks.checkIn(taskId, volunteer.id, now, point)
        : this.deps.tasks.checkOut(taskId, volunteer.id, now, point)
    ).catch((error: unknown) => this.conflictOr(error, taskId, false));
    if (!change) throw notFound('Task');
    await this.afterCommit(change);
    return this.mine(change, volunteer.id);
  }

  private async staffAction(
    taskId: number,
    action: StaffTaskAction,
    auth: AuthContext,
    body: unknown,
  ): Promise<TaskActionResult> {
    requireStaff(auth);
    const input = parseOr400(action === 'cancel' ? cancelBodySchema : emptyBodySchema, body ?? {});
    await this.staffVisible(taskId, auth);
    const now = this.deps.clock.now();
    if (action === 'cancel') {
      const reason = 'reason' in input && typeof input.reason === 'string' ? input.reason : null;
      const change = await this.deps.tasks
        .cancel(taskId, auth.user.id, now, reason)
        .catch((error: unknown) => this.conflictOr(error, taskId, false));
      if (!change) throw notFound('Task');
      await this.afterCommit(change);
      return { task: change.task };
    }
    const change = await this.deps.tasks
      .reoffer(taskId, auth.user.id, now)
      .catch((error: unknown) => this.conflictOr(error, taskId, false));
    if (!change) throw notFound('Task');
    const next = await this.cascade(taskId, now, auth.user.id);
    await this.afterCommit(change, next);
    return { task: (next ?? change).task };
  }

  /** A TaskConflict as HTTP 409 (404 for a volunteer who was never offered the task). */
  private async conflictOr(
    error: unknown,
    taskId: number,
    noOfferIsNotFound: boolean,
  ): Promise<never> {
    if (!(error instanceof TaskConflict)) throw error;
    if (noOfferIsNotFound && error.reason === 'no-offer') throw notFound('Task');
    if (error.reason === 'not-approved') throw new HttpError('FORBIDDEN', error.message);
    // A race's losers are told why in one round trip; the task itself they can reload.
    if (error.reason === 'filled') throw conflict(error.message, { reason: error.reason });
    const task = await this.deps.tasks.summary(taskId);
    throw conflict(error.message, {
      reason: error.reason,
      ...(task ? { task: withoutCareName(task) } : {}),
    });
  }

  /** The task and the volunteer's own assignment after their action. */
  private async mine(change: TaskChange, volunteerId: number): Promise<TaskActionResult> {
    const fromEvent = change.events.find((event) => event.assignment?.volunteerId === volunteerId);
    const assignment =
      fromEvent?.assignment ??
      (await this.deps.tasks
        .assignmentOf(change.task.id, volunteerId)
        .then((row) => (row ? toAssignmentSummary(row) : undefined)));
    const holds =
      assignment !== undefined && HOLDING_ASSIGNMENT_STATUSES.includes(assignment.status);
    return {
      task: holds ? change.task : withoutCareName(change.task),
      ...(assignment ? { assignment } : {}),
    };
  }

  /** A cascade step after a commit; a failure is logged and left to the reconciler. */
  private async cascade(
    taskId: number,
    now: Date,
    actorId: number | null,
  ): Promise<TaskChange | null> {
    try {
      return await this.deps.cascade.step(taskId, now, actorId);
    } catch (error) {
      this.deps.onError?.(error, 'offer cascade step');
      return null;
    }
  }

  /** Pushes and timers of committed changes, in order. */
  private async afterCommit(...changes: Array<TaskChange | null>): Promise<void> {
    const timers = [];
    const stale = [];
    for (const change of changes) {
      if (!change) continue;
      this.deps.publisher.publish(change);
      timers.push(...change.timers);
      stale.push(...change.staleTimers);
    }
    try {
      if (stale.length > 0) await this.deps.timers.cancel(stale);
      if (timers.length > 0) await this.deps.timers.schedule(timers);
    } catch (error) {
      // PostgreSQL holds every deadline: the reconciler re-creates what is missing.
      this.deps.onError?.(error, 'task timers');
    }
  }

  // --- Reading ---

  private async staffVisible(taskId: number, auth: AuthContext): Promise<TaskSummary> {
    const task = await this.deps.tasks.summary(taskId);
    if (!task) throw notFound('Task');
    if (!canSeeTask(auth, task, this.deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This task is outside your region');
    }
    return task;
  }

  /** `GET /api/tasks/:id`: staff in scope see everything; a volunteer offered or holding it, their part. */
  async view(taskId: number, auth: AuthContext): Promise<unknown> {
    if (auth.user.role === 'VOLUNTEER') {
      const assignment = await this.deps.tasks.assignmentOf(taskId, auth.user.id);
      const task =
        assignment && SEEING.includes(assignment.status)
          ? await this.deps.tasks.summary(taskId)
          : null;
      if (!assignment || !task) throw notFound('Task');
      const holds = HOLDING_ASSIGNMENT_STATUSES.includes(assignment.status);
      return {
        task: holds ? task : withoutCareName(task),
        assignment: toAssignmentSummary(assignment),
      };
    }
    if (auth.user.role === 'RESIDENT') throw notFound('Task');
    await this.staffVisible(taskId, auth);
    const detail = await this.deps.tasks.detail(taskId);
    if (!detail) throw notFound('Task');
    return { ...detail, timeline: await this.deps.tasks.timeline(taskId, detail.task) };
  }

  async list(auth: AuthContext, rawQuery: unknown) {
    requireStaff(auth);
    const query = parseOr400(tasksQuerySchema, rawQuery, 'query');
    const filters: Prisma.TaskWhereInput[] = [taskScope(auth)];
    if (query.status) filters.push({ status: query.status });
    if (query.ticketId) filters.push({ ticketId: query.ticketId });
    if (query.regionId) {
      filters.push({
        OR: [
          { gridId: query.regionId },
          { communityId: query.regionId },
          { streetId: query.regionId },
          { districtId: query.regionId },
        ],
      });
    }
    return this.deps.tasks.list({
      where: { AND: filters },
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit,
    });
  }

  async myTasks(auth: AuthContext): Promise<MyTasksResponse> {
    const volunteer = requireRole(auth, ['VOLUNTEER']).user;
    return this.deps.tasks.myTasks(volunteer.id, this.deps.clock.now());
  }

  /** Socket joins of `task:<id>`: staff in scope, and volunteers offered or holding it. */
  async canJoinRoom(taskId: number, auth: AuthContext): Promise<boolean> {
    if (auth.user.role === 'VOLUNTEER') {
      const assignment = await this.deps.tasks.assignmentOf(taskId, auth.user.id);
      return assignment !== null && SEEING.includes(assignment.status);
    }
    if (auth.user.role === 'RESIDENT') return false;
    const task = await this.deps.tasks.summary(taskId);
    return task !== null && canSeeTask(auth, task, this.deps.regions());
  }
}

interface IdempotencyScope {
  scope: string;
  key: string;
  requestHash: string;
}

function idempotencyScope(auth: AuthContext, key: string, body: unknown): IdempotencyScope {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(
      'VALIDATION_FAILED',
      'Idempotency-Key must be 8-100 letters, digits, - or _',
    );
  }
  return {
    scope: `POST /api/tasks user:${auth.user.id}`,
    key,
    requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
  };
}

function checkWindowOpen(endsAt: Date, now: Date): void {
  if (endsAt <= now) {
    throw new HttpError('UNPROCESSABLE', 'The task window is already over', [
      { path: 'endsAt', message: 'must be in the future' },
    ]);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
