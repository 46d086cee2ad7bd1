import {
  ACCEPTING_TASK_STATUSES,
  ACTIVE_TASK_STATUSES,
  earned,
  taskTimerJobId,
  type AssignmentStatus,
  type MyTasksResponse,
  type TaskEventType,
  type TaskStatus,
  type TaskSummary,
  type TaskTimerJob,
} from '@gridline/core';
import type { Prisma, PrismaClient, TaskAssignment } from '../generated/prisma/client.ts';
import {
  rawToAssignment,
  taskSummaryInclude,
  toAssignmentSummary,
  toTaskEventPayload,
  toTaskSummary,
  withoutCareName,
  type RawAssignment,
  type TaskChange,
  type TaskWithRelations,
} from './task-summary.ts';
import { noShowDueAt, safetyDueAt } from './task-timers.ts';
import { preparedSql, rawQuery } from '../client.ts';

export type Tx = Prisma.TransactionClient;

/** A task row as raw SQL returns it. */
export interface RawTask {
  id: number;
  status: TaskStatus;
  lat: number;
  lng: number;
  grid_id: number | null;
  community_id: number | null;
  street_id: number | null;
  district_id: number | null;
  starts_at: Date;
  ends_at: Date;
  duration_minutes: number;
  slots: number;
  filled_slots: number;
  offer_batch: number;
  points_per_hour: number;
  offer_round: number;
  radius_m: number;
  care_recipient_id: number | null;
  version: number;
}

/** An event to append, with the assignment it is about (pushed with it). */
export interface NewTaskEvent {
  type: TaskEventType;
  actorId: number | null;
  data: Prisma.InputJsonObject;
  assignment?: TaskAssignment;
}

/** What a change inside a locked task produces, before the events are stored. */
export interface TaskDraft {
  events: NewTaskEvent[];
  timers?: TaskTimerJob[];
  staleTimers?: string[];
}

export interface NewTask {
  title: string;
  description: string;
  skills: readonly string[];
  lat: number;
  lng: number;
  address: string | null;
  gridId: number | null;
  communityId: number | null;
  streetId: number | null;
  districtId: number | null;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  slots: number;
  pointsPerHour: number;
  ticketId: number | null;
  careRecipientId: number | null;
  offerBatch: number;
  radiusM: number;
  createdById: number;
  createdAt: Date;
}

export interface NewTaskIdempotency {
  scope: string;
  key: string;
  requestHash: string;
  /** Stored with the task's id added as `taskId`. */
  response: Prisma.InputJsonObject;
}

/** The state has moved on: the action cannot be taken (HTTP 409). */
export class TaskConflict extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** Thrown inside a transaction to roll it back; never leaves the store. */
class Rollback extends Error {}

const TRANSACTION = { maxWait: 15_000, timeout: 20_000 } as const;

const LOCK_TASK_SQL = `SELECT * FROM tasks WHERE id = $1 FOR UPDATE`;

/**
 * Accept as ONE statement. A free slot is taken by one conditional update of
 * the task row: concurrent accepts queue on its lock, and once the slots are
 * full the condition fails for everyone after. Held slots are always numbered
 * 1..filled_slots (a release moves the last one into the gap), so the new
 * slot is the incremented count, read from the locked row. The offer must
 * still be live when the assignment row is updated; should it have expired
 * or been withdrawn since the statement began (every such change takes the
 * task's lock first, so only while this statement waited for it), the guard
 * divides by zero and the whole statement rolls back.
 */
const ACCEPT_SQL = preparedSql(
  'accept-task',
  `
WITH t AS (
  UPDATE tasks SET filled_slots = filled_slots + 1, version = version + 1, updated_at = $3,
    status = CASE WHEN filled_slots + 1 >= slots THEN 'FILLED'::"TaskStatus" ELSE status END
  WHERE id = $1 AND filled_slots < slots AND status = ANY($4::"TaskStatus"[])
    AND EXISTS (SELECT 1 FROM task_assignments o WHERE o.task_id = $1 AND o.volunteer_id = $2
      AND o.status = 'OFFERED' AND o.expires_at > $3)
    AND EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = $2 AND v.status = 'APPROVED')
  RETURNING id, slots, filled_slots, starts_at
), a AS (
  UPDATE task_assignments x SET status = 'ACCEPTED', accepted_at = $3, version = x.version + 1,
    slot = t.filled_slots
  FROM t
  WHERE x.task_id = t.id AND x.volunteer_id = $2 AND x.status = 'OFFERED' AND x.expires_at > $3
  RETURNING x.*
), e AS (
  INSERT INTO task_events (task_id, type, actor_id, payload, created_at)
  SELECT a.task_id, 'task.updated', $2,
    jsonb_build_object('action', 'accepted', 'volunteerId', $2::int, 'assignmentId', a.id, 'slot', a.slot),
    $3
  FROM a
  RETURNING id, type, actor_id, payload, created_at
)
SELECT a.*, t.slots AS task_slots, t.filled_slots AS task_filled_slots,
  t.starts_at AS task_starts_at, e.id AS event_id, e.payload AS event_payload
FROM t LEFT JOIN a ON true LEFT JOIN e ON true
WHERE (CASE WHEN a.id IS NULL THEN 1 / (SELECT count(*)::int FROM a) ELSE 1 END) = 1`,
);

/** Why an accept lost, read after the fact (for the answer). */
const ACCEPT_CONFLICT_SQL = preparedSql(
  'accept-task-conflict',
  `
SELECT t.status, t.slots, t.filled_slots, a.status AS offer_status, a.expires_at,
  v.status AS volunteer_status
FROM tasks t
LEFT JOIN task_assignments a ON a.task_id = t.id AND a.volunteer_id = $2
LEFT JOIN volunteers v ON v.user_id = $2
WHERE t.id = $1`,
);

const EXPIRE_OFFERS_SQL = `
UPDATE task_assignments SET status = 'EXPIRED', version = version + 1
WHERE task_id = $1 AND status = 'OFFERED'
RETURNING *`;

const MARK_IN_PROGRESS_SQL = `
UPDATE tasks SET status = 'IN_PROGRESS'
WHERE id = $1 AND status = 'FILLED' AND EXISTS (SELECT 1 FROM task_assignments a
  WHERE a.task_id = $1 AND a.status IN ('CHECKED_IN', 'CHECKED_OUT'))`;

/** A held slot was given up: free it; a full task takes offers again. */
const RELEASE_SLOT_SQL = `
UPDATE tasks SET filled_slots = filled_slots - 1, version = version + 1, updated_at = $2,
  status = CASE WHEN status IN ('FILLED', 'IN_PROGRESS') THEN 'OFFERING'::"TaskStatus" ELSE status END
WHERE id = $1 AND filled_slots > 0`;

/** Keeps held slots numbered 1..filled_slots: the last one moves into the freed slot `$2`. */
const COMPACT_SLOTS_SQL = `
UPDATE task_assignments SET slot = $2 WHERE task_id = $1 AND slot = $3 AND $2::int < $3::int`;

/**
 * Done when nobody is still to come or still there and someone served: every
 * slot held, or the window over.
 */
const COMPLETE_SQL = `
UPDATE tasks SET status = 'COMPLETED', version = version + 1, updated_at = $2
WHERE id = $1 AND status = ANY($3::"TaskStatus"[])
  AND NOT EXISTS (SELECT 1 FROM task_assignments a WHERE a.task_id = $1
    AND a.status IN ('ACCEPTED', 'CHECKED_IN'))
  AND EXISTS (SELECT 1 FROM task_assignments a WHERE a.task_id = $1 AND a.status = 'CHECKED_OUT')
  AND (filled_slots >= slots OR ends_at <= $2)
RETURNING id`;

/** Changes one volunteer's assignment from one of `$3` to `$4`, returning its old status. */
const MOVE_ASSIGNMENT_SQL = `
UPDATE task_assignments a SET status = $4::"AssignmentStatus", version = a.version + 1,
  slot = CASE WHEN $5::boolean THEN NULL ELSE a.slot END,
  check_in_at = CASE WHEN $4 = 'CHECKED_IN' THEN $6::timestamptz ELSE a.check_in_at END,
  check_out_at = CASE WHEN $4 = 'CHECKED_OUT' THEN $6::timestamptz ELSE a.check_out_at END
FROM (SELECT id, status AS old_status, slot AS old_slot FROM task_assignments
  WHERE task_id = $1 AND volunteer_id = $2 AND status = ANY($3::"AssignmentStatus"[])) o
WHERE a.id = o.id
RETURNING a.*, o.old_status, o.old_slot`;

/** The same, for a timer: by assignment id and the version it was scheduled for. */
const TIMER_MOVE_SQL = `
UPDATE task_assignments a SET status = $4::"AssignmentStatus", version = a.version + 1,
  slot = CASE WHEN $5::boolean THEN NULL ELSE a.slot END
FROM (SELECT id, slot AS old_slot FROM task_assignments
  WHERE id = $1 AND version = $2 AND status = $3::"AssignmentStatus") o
WHERE a.id = o.id
RETURNING a.*, o.old_slot`;

const ACCEPTING = [...ACCEPTING_TASK_STATUSES];
const COMPLETABLE: TaskStatus[] = [...ACTIVE_TASK_STATUSES, 'HANDED_OVER'];
const HOLDING: readonly AssignmentStatus[] = ['ACCEPTED', 'CHECKED_IN', 'CHECKED_OUT'];

export async function lockTask(tx: Tx, taskId: number): Promise<RawTask | null> {
  const [row] = await tx.$queryRawUnsafe<RawTask[]>(LOCK_TASK_SQL, taskId);
  return row ?? null;
}

/** Appends the events and reads the task as it now is: the end of every change. */
export async function finishChange(
  tx: Tx,
  taskId: number,
  draft: TaskDraft,
  now: Date,
): Promise<TaskChange> {
  const stored =
    draft.events.length === 0
      ? []
      : await tx.taskEvent.createManyAndReturn({
          data: draft.events.map((event) => ({
            taskId,
            type: event.type,
            actorId: event.actorId,
            payload: event.data,
            createdAt: now,
          })),
        });
  stored.sort((a, b) => a.id - b.id);
  const row = await tx.task.findUniqueOrThrow({
    where: { id: taskId },
    include: taskSummaryInclude,
  });
  const task = toTaskSummary(row);
  return {
    task,
    events: stored.map((event, index) => {
      const assignment = draft.events[index]?.assignment;
      return toTaskEventPayload(
        event,
        task,
        assignment ? toAssignmentSummary(assignment) : undefined,
      );
    }),
    timers: draft.timers ?? [],
    staleTimers: draft.staleTimers ?? [],
  };
}

/** Frees a held slot of the locked task, keeping held slots numbered 1..filled_slots. */
async function releaseSlot(tx: Tx, task: RawTask, slot: number | null, now: Date): Promise<void> {
  await tx.$executeRawUnsafe(RELEASE_SLOT_SQL, task.id, now);
  if (slot !== null)
    await tx.$executeRawUnsafe(COMPACT_SLOTS_SQL, task.id, slot, task.filled_slots);
}

/** The accept statement's guard fired (see ACCEPT_SQL). */
function isGuardError(error: unknown): boolean {
  return error instanceof Error && /22012|division by zero/.test(error.message);
}

/** The task may complete now: done, with its `completed` event and the leftover offers expired. */
export async function completeIfDone(
  tx: Tx,
  taskId: number,
  now: Date,
  actorId: number | null,
): Promise<NewTaskEvent[]> {
  const done = await tx.$queryRawUnsafe<Array<{ id: number }>>(
    COMPLETE_SQL,
    taskId,
    now,
    COMPLETABLE,
  );
  if (done.length === 0) return [];
  const expired = await tx.$queryRawUnsafe<RawAssignment[]>(EXPIRE_OFFERS_SQL, taskId);
  return [
    {
      type: 'task.updated',
      actorId,
      data: {
        action: 'completed',
        ...(expired.length > 0 ? { notifyVolunteerIds: expired.map((a) => a.volunteer_id) } : {}),
      },
    },
  ];
}

export interface TaskDetail {
  task: TaskSummary;
  /** With each volunteer's name: staff see who was offered the task, from any community. */
  assignments: Array<ReturnType<typeof toAssignmentSummary> & { volunteerName: string }>;
}

export interface TaskListFilter {
  where: Prisma.TaskWhereInput;
  cursor?: number;
  limit: number;
}

/**
 * Tasks and their assignments: every state change is one short transaction
 * that first takes the task row's lock (so changes of one task never
 * interleave, and the losers of a race fail a conditional update), writes the
 * new state and appends task_events rows. Pushes and timers are the caller's,
 * after the commit, from the returned TaskChange.
 */
export class TaskStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly timeScale: number,
  ) {}

  /** Runs `change` on the locked task; null when there is no such task. Throws TaskConflict. */
  async locked(
    taskId: number,
    now: Date,
    change: (tx: Tx, task: RawTask) => Promise<TaskDraft>,
  ): Promise<TaskChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const task = await lockTask(tx, taskId);
      if (!task) return null;
      const draft = await change(tx, task);
      return finishChange(tx, taskId, draft, now);
    }, TRANSACTION);
  }

  /** Inserts a task (OPEN), its skills, its `created` event and the idempotency record. */
  async create(input: NewTask, idempotency?: NewTaskIdempotency): Promise<TaskChange> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.task.create({
        data: {
          title: input.title,
          description: input.description,
          lat: input.lat,
          lng: input.lng,
          address: input.address,
          gridId: input.gridId,
          communityId: input.communityId,
          streetId: input.streetId,
          districtId: input.districtId,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          durationMinutes: input.durationMinutes,
          slots: input.slots,
          pointsPerHour: input.pointsPerHour,
          ticketId: input.ticketId,
          careRecipientId: input.careRecipientId,
          offerBatch: input.offerBatch,
          radiusM: input.radiusM,
          createdById: input.createdById,
          createdAt: input.createdAt,
          status: 'OPEN',
          skills: { create: input.skills.map((code) => ({ skill: { connect: { code } } })) },
        },
        select: { id: true },
      });
      if (idempotency) {
        await tx.idempotencyKey.create({
          data: {
            scope: idempotency.scope,
            key: idempotency.key,
            requestHash: idempotency.requestHash,
            status: 201,
            response: { ...idempotency.response, taskId: row.id },
          },
        });
      }
      return finishChange(
        tx,
        row.id,
        {
          events: [
            {
              type: 'task.updated',
              actorId: input.createdById,
              data: {
                action: 'created',
                ...(input.ticketId !== null ? { ticketId: input.ticketId } : {}),
              },
            },
          ],
        },
        input.createdAt,
      );
    }, TRANSACTION);
  }

  /**
   * The volunteer takes a free slot with their live offer: one statement
   * (see ACCEPT_SQL). The first to come wins each slot; TaskConflict for
   * everyone after. When the last slot fills, the other offers expire and
   * their volunteers are told (`task.filled`), in a short transaction after.
   */
  async accept(taskId: number, volunteerId: number, now: Date): Promise<TaskChange> {
    let rows: Array<
      RawAssignment & {
        task_slots: number;
        task_filled_slots: number;
        task_starts_at: Date;
        event_id: number;
        event_payload: Prisma.JsonValue;
      }
    >;
    try {
      rows = await rawQuery(this.prisma, ACCEPT_SQL, taskId, volunteerId, now, ACCEPTING);
    } catch (error) {
      if (!isGuardError(error)) throw error;
      throw new TaskConflict('Your offer has expired or was withdrawn', 'expired');
    }
    const [won] = rows;
    if (!won) throw await this.acceptConflict(taskId, volunteerId, now);
    const accepted = rawToAssignment(won);
    const filled = won.task_filled_slots >= won.task_slots;
    const fill = filled ? await this.fill(taskId, volunteerId, now) : null;
    const row = fill ? null : await this.find(taskId);
    const task = fill?.task ?? (row ? toTaskSummary(row) : null);
    if (!task) throw new TaskConflict('The task is gone', 'gone');
    const acceptedEvent = toTaskEventPayload(
      {
        id: won.event_id,
        taskId,
        type: 'task.updated',
        actorId: volunteerId,
        payload: won.event_payload,
        createdAt: now,
      },
      task,
      toAssignmentSummary(accepted),
    );
    return {
      task,
      events: [acceptedEvent, ...(fill?.events ?? [])],
      timers: [
        {
          kind: 'no-show',
          taskId,
          assignmentId: accepted.id,
          version: accepted.version,
          dueAt: noShowDueAt(won.task_starts_at, now, this.timeScale).toISOString(),
        },
      ],
      staleTimers: [
        taskTimerJobId('offer-expiry', accepted.id, accepted.version - 1),
        ...(fill?.staleTimers ?? []),
      ],
    };
  }

  /** The last slot filled: the open offers expire and their volunteers are told. */
  private async fill(taskId: number, actorId: number, now: Date): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      if (task.filled_slots < task.slots) return { events: [] };
      const expired = await tx.$queryRawUnsafe<RawAssignment[]>(EXPIRE_OFFERS_SQL, taskId);
      await tx.$executeRawUnsafe(MARK_IN_PROGRESS_SQL, taskId);
      return {
        events: [
          {
            type: 'task.filled',
            actorId,
            data: { action: 'filled', notifyVolunteerIds: expired.map((a) => a.volunteer_id) },
          },
        ],
        staleTimers: expired.map((offer) =>
          taskTimerJobId('offer-expiry', offer.id, offer.version - 1),
        ),
      };
    });
  }

  /** Why an accept lost (read after the fact, for the answer). */
  private async acceptConflict(
    taskId: number,
    volunteerId: number,
    now: Date,
  ): Promise<TaskConflict> {
    const [row] = await rawQuery<{
      status: TaskStatus;
      slots: number;
      filled_slots: number;
      offer_status: AssignmentStatus | null;
      expires_at: Date | null;
      volunteer_status: string | null;
    }>(this.prisma, ACCEPT_CONFLICT_SQL, taskId, volunteerId);
    if (row?.volunteer_status !== 'APPROVED') {
      return new TaskConflict('Only approved volunteers can accept tasks', 'not-approved');
    }
    if (row.offer_status === null) {
      return new TaskConflict('You have no offer for this task', 'no-offer');
    }
    if (row.offer_status !== 'OFFERED' && HOLDING.includes(row.offer_status)) {
      return new TaskConflict('You already hold a place on this task', 'holding');
    }
    if (row.filled_slots >= row.slots) {
      return new TaskConflict('Every slot of this task is taken', 'filled');
    }
    if (!ACCEPTING.includes(row.status)) {
      return new TaskConflict(`The task is ${row.status}`, 'status');
    }
    if (row.offer_status !== 'OFFERED' || row.expires_at === null || row.expires_at <= now) {
      return new TaskConflict('Your offer has expired', 'expired');
    }
    return new TaskConflict('The task has changed; reload it', 'changed');
  }

  /** Moves the caller's assignment; TaskConflict when it is not in one of `from`. */
  private async move(
    tx: Tx,
    taskId: number,
    volunteerId: number,
    from: readonly AssignmentStatus[],
    to: AssignmentStatus,
    now: Date,
    freeSlot: boolean,
  ): Promise<{
    assignment: TaskAssignment;
    oldStatus: AssignmentStatus;
    oldSlot: number | null;
  }> {
    const [raw] = await tx.$queryRawUnsafe<
      Array<RawAssignment & { old_status: AssignmentStatus; old_slot: number | null }>
    >(MOVE_ASSIGNMENT_SQL, taskId, volunteerId, [...from], to, freeSlot, now);
    if (!raw) {
      throw new TaskConflict(`You have no ${from.join(' or ')} place on this task`, 'assignment');
    }
    return { assignment: rawToAssignment(raw), oldStatus: raw.old_status, oldSlot: raw.old_slot };
  }

  /** Declines an offer, or gives up an accepted slot (freed for the next volunteer). */
  async decline(taskId: number, volunteerId: number, now: Date): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      const { assignment, oldStatus, oldSlot } = await this.move(
        tx,
        taskId,
        volunteerId,
        ['OFFERED', 'ACCEPTED'],
        'DECLINED',
        now,
        true,
      );
      const released = oldStatus === 'ACCEPTED';
      if (released) await releaseSlot(tx, task, oldSlot, now);
      const events: NewTaskEvent[] = [
        {
          type: 'task.updated',
          actorId: volunteerId,
          data: { action: 'declined', volunteerId, assignmentId: assignment.id, released },
          assignment,
        },
      ];
      if (released) events.push(...(await completeIfDone(tx, taskId, now, volunteerId)));
      const kind = released ? 'no-show' : 'offer-expiry';
      return {
        events,
        staleTimers: [taskTimerJobId(kind, assignment.id, assignment.version - 1)],
      };
    });
  }

  /** Check-in (the caller has checked the geofence and the window). */
  async checkIn(
    taskId: number,
    volunteerId: number,
    now: Date,
    at: { lat: number; lng: number; distanceM: number },
  ): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      const { assignment } = await this.move(
        tx,
        taskId,
        volunteerId,
        ['ACCEPTED'],
        'CHECKED_IN',
        now,
        false,
      );
      await tx.$executeRawUnsafe(MARK_IN_PROGRESS_SQL, taskId);
      const timers: TaskTimerJob[] = [];
      if (task.care_recipient_id !== null) {
        timers.push({
          kind: 'safety',
          taskId,
          assignmentId: assignment.id,
          version: assignment.version,
          dueAt: safetyDueAt(now, task.duration_minutes, this.timeScale).toISOString(),
        });
      }
      return {
        events: [
          {
            type: 'task.updated',
            actorId: volunteerId,
            data: {
              action: 'checked-in',
              volunteerId,
              assignmentId: assignment.id,
              lat: at.lat,
              lng: at.lng,
              distanceM: at.distanceM,
            },
            assignment,
          },
        ],
        timers,
        staleTimers: [taskTimerJobId('no-show', assignment.id, assignment.version - 1)],
      };
    });
  }

  /**
   * Check-out: the hours and points go to the ledger (append-only) and a home
   * visit becomes the household's last visit, in the same transaction; the
   * task completes when nobody is still due.
   */
  async checkOut(
    taskId: number,
    volunteerId: number,
    now: Date,
    at: { lat: number; lng: number; distanceM: number },
  ): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      const { assignment } = await this.move(
        tx,
        taskId,
        volunteerId,
        ['CHECKED_IN'],
        'CHECKED_OUT',
        now,
        false,
      );
      const checkInAt = assignment.checkInAt ?? now;
      const credit = earned(
        { startsAt: task.starts_at, endsAt: task.ends_at, pointsPerHour: task.points_per_hour },
        checkInAt,
        now,
        this.timeScale,
      );
      await tx.pointsLedger.create({
        data: {
          volunteerId,
          taskId,
          minutes: credit.minutes,
          points: credit.points,
          reason: 'task',
          createdAt: now,
        },
      });
      if (task.care_recipient_id !== null) {
        await tx.careRecipient.updateMany({
          where: {
            id: task.care_recipient_id,
            OR: [{ lastVisitAt: null }, { lastVisitAt: { lt: now } }],
          },
          data: { lastVisitAt: now },
        });
      }
      const events: NewTaskEvent[] = [
        {
          type: 'task.updated',
          actorId: volunteerId,
          data: {
            action: 'checked-out',
            volunteerId,
            assignmentId: assignment.id,
            minutes: credit.minutes,
            points: credit.points,
            lat: at.lat,
            lng: at.lng,
            distanceM: at.distanceM,
          },
          assignment,
        },
        ...(await completeIfDone(tx, taskId, now, volunteerId)),
      ];
      return {
        events,
        staleTimers: [taskTimerJobId('safety', assignment.id, assignment.version - 1)],
      };
    });
  }

  /** Staff cancel: offers and slots not yet worked are released; refused while someone is there. */
  async cancel(
    taskId: number,
    actorId: number,
    now: Date,
    reason: string | null,
  ): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      if (!COMPLETABLE.includes(task.status)) {
        throw new TaskConflict(`A ${task.status} task cannot be cancelled`, 'status');
      }
      const present = await tx.taskAssignment.count({ where: { taskId, status: 'CHECKED_IN' } });
      if (present > 0) {
        throw new TaskConflict('Volunteers are checked in: wait for their check-out', 'present');
      }
      const released = await tx.$queryRawUnsafe<RawAssignment[]>(
        `UPDATE task_assignments SET status = 'RELEASED', slot = NULL, version = version + 1
         WHERE task_id = $1 AND status IN ('OFFERED', 'ACCEPTED') RETURNING *`,
        taskId,
      );
      await tx.$executeRawUnsafe(
        `UPDATE tasks SET status = 'CANCELLED', version = version + 1, updated_at = $2,
           filled_slots = (SELECT count(*) FROM task_assignments a
             WHERE a.task_id = $1 AND a.status = 'CHECKED_OUT')
         WHERE id = $1`,
        taskId,
        now,
      );
      return {
        events: [
          {
            type: 'task.updated',
            actorId,
            data: {
              action: 'cancelled',
              reason,
              notifyVolunteerIds: released.map((a) => a.volunteer_id),
            },
          },
        ],
        staleTimers: released.map((a) =>
          taskTimerJobId(a.status === 'OFFERED' ? 'offer-expiry' : 'no-show', a.id, a.version - 1),
        ),
      };
    });
  }

  /**
   * Staff start the cascade again from the first round (a handed-over task,
   * or one that needs more volunteers): the caller then runs a cascade step.
   * Volunteers already asked are not asked twice.
   */
  async reoffer(taskId: number, actorId: number, now: Date): Promise<TaskChange | null> {
    return this.locked(taskId, now, async (tx, task) => {
      if (!['OPEN', 'OFFERING', 'HANDED_OVER'].includes(task.status)) {
        throw new TaskConflict(`A ${task.status} task takes no more offers`, 'status');
      }
      if (task.filled_slots >= task.slots) {
        throw new TaskConflict('Every slot of this task is taken', 'filled');
      }
      if (task.ends_at <= now) throw new TaskConflict('The task window is over', 'window');
      await tx.$executeRawUnsafe(
        `UPDATE tasks SET status = 'OPEN', offer_round = 0, version = version + 1, updated_at = $2
         WHERE id = $1`,
        taskId,
        now,
      );
      return {
        events: [
          {
            type: 'task.updated',
            actorId,
            data: { action: 'reoffered', fromStatus: task.status, fromRound: task.offer_round },
          },
        ],
      };
    });
  }

  // --- Timers (workers): each acts only while the assignment is at the scheduled version. ---

  private async timerMove(
    job: TaskTimerJob,
    now: Date,
    from: AssignmentStatus,
    to: AssignmentStatus,
    action: string,
  ): Promise<TaskChange | null> {
    try {
      return await this.locked(job.taskId, now, async (tx, task) => {
        const [raw] = await tx.$queryRawUnsafe<Array<RawAssignment & { old_slot: number | null }>>(
          TIMER_MOVE_SQL,
          job.assignmentId,
          job.version,
          from,
          to,
          from === 'ACCEPTED',
        );
        if (!raw || raw.task_id !== job.taskId) throw new Rollback();
        const assignment = rawToAssignment(raw);
        const events: NewTaskEvent[] = [
          {
            type: 'task.updated',
            actorId: null,
            data: { action, volunteerId: assignment.volunteerId, assignmentId: assignment.id },
            assignment,
          },
        ];
        if (from === 'ACCEPTED') {
          await releaseSlot(tx, task, raw.old_slot, now);
          events.push(...(await completeIfDone(tx, job.taskId, now, null)));
        }
        return { events };
      });
    } catch (error) {
      if (error instanceof Rollback) return null;
      throw error;
    }
  }

  /** An offer nobody answered: EXPIRED (the caller then offers the next volunteer). */
  expireOffer(job: TaskTimerJob, now: Date): Promise<TaskChange | null> {
    return this.timerMove(job, now, 'OFFERED', 'EXPIRED', 'expired');
  }

  /** An accepted volunteer who never checked in: NO_SHOW, the slot freed (the caller re-offers it). */
  noShow(job: TaskTimerJob, now: Date): Promise<TaskChange | null> {
    return this.timerMove(job, now, 'ACCEPTED', 'NO_SHOW', 'no-show');
  }

  /**
   * A home visit not checked out in time: the grid member is told, once per
   * visit (the assignment remembers; its version stays, so check-out is unaffected).
   */
  async safetyAlert(
    job: TaskTimerJob,
    now: Date,
    notifyUserId: number | null,
  ): Promise<TaskChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const [raw] = await tx.$queryRawUnsafe<RawAssignment[]>(
        `UPDATE task_assignments SET safety_alerted_at = $3
         WHERE id = $1 AND version = $2 AND status = 'CHECKED_IN' AND safety_alerted_at IS NULL
         RETURNING *`,
        job.assignmentId,
        job.version,
        now,
      );
      if (!raw) return null;
      const assignment = rawToAssignment(raw);
      return finishChange(
        tx,
        raw.task_id,
        {
          events: [
            {
              type: 'task.updated',
              actorId: null,
              data: {
                action: 'safety-alert',
                volunteerId: assignment.volunteerId,
                assignmentId: assignment.id,
                checkInAt: assignment.checkInAt?.toISOString() ?? null,
                notifyUserId,
              },
              assignment,
            },
          ],
        },
        now,
      );
    }, TRANSACTION);
  }

  // --- Reads ---

  async find(taskId: number): Promise<TaskWithRelations | null> {
    return this.prisma.task.findUnique({ where: { id: taskId }, include: taskSummaryInclude });
  }

  async summary(taskId: number): Promise<TaskSummary | null> {
    const row = await this.find(taskId);
    return row && toTaskSummary(row);
  }

  async assignmentOf(taskId: number, volunteerId: number): Promise<TaskAssignment | null> {
    return this.prisma.taskAssignment.findUnique({
      where: { taskId_volunteerId: { taskId, volunteerId } },
    });
  }

  async detail(taskId: number): Promise<TaskDetail | null> {
    const row = await this.find(taskId);
    if (!row) return null;
    const assignments = await this.prisma.taskAssignment.findMany({
      where: { taskId },
      orderBy: { id: 'asc' },
      include: { volunteer: { select: { user: { select: { displayName: true } } } } },
    });
    return {
      task: toTaskSummary(row),
      assignments: assignments.map((assignment) => ({
        ...toAssignmentSummary(assignment),
        volunteerName: assignment.volunteer.user.displayName,
      })),
    };
  }

  async timeline(taskId: number, task: TaskSummary) {
    const events = await this.prisma.taskEvent.findMany({
      where: { taskId },
      orderBy: { id: 'asc' },
    });
    return events.map((event) => {
      const { task: _task, ...rest } = toTaskEventPayload(event, task);
      return rest;
    });
  }

  /** A page of tasks, newest first; `nextCursor` continues below the last id. */
  async list(filter: TaskListFilter): Promise<{ tasks: TaskSummary[]; nextCursor: number | null }> {
    const rows = await this.prisma.task.findMany({
      where: filter.cursor ? { AND: [filter.where, { id: { lt: filter.cursor } }] } : filter.where,
      include: taskSummaryInclude,
      orderBy: { id: 'desc' },
      take: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return {
      tasks: page.map(toTaskSummary),
      nextCursor: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  /** What the volunteer app shows: live offers, accepted or checked-in tasks, the last 50 others. */
  async myTasks(volunteerId: number, now: Date): Promise<MyTasksResponse> {
    const include = { task: { include: taskSummaryInclude } } as const;
    const current = await this.prisma.taskAssignment.findMany({
      where: {
        volunteerId,
        OR: [
          { status: 'OFFERED', expiresAt: { gt: now } },
          { status: { in: ['ACCEPTED', 'CHECKED_IN'] } },
        ],
      },
      include,
      orderBy: { id: 'asc' },
    });
    const past = await this.prisma.taskAssignment.findMany({
      where: {
        volunteerId,
        status: { in: ['CHECKED_OUT', 'DECLINED', 'EXPIRED', 'NO_SHOW', 'RELEASED'] },
      },
      include,
      orderBy: { id: 'desc' },
      take: 50,
    });
    const item = ({ task, ...assignment }: (typeof current)[number]) => {
      const summary = toTaskSummary(task);
      return {
        task: HOLDING.includes(assignment.status) ? summary : withoutCareName(summary),
        assignment: toAssignmentSummary(assignment),
      };
    };
    return {
      offers: current.filter((row) => row.status === 'OFFERED').map(item),
      active: current.filter((row) => row.status !== 'OFFERED').map(item),
      history: past.map(item),
    };
  }
}
