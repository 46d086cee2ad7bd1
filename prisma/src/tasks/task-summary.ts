import {
  rooms,
  taskRooms,
  type AssignmentStatus,
  type AssignmentSummary,
  type TaskEventPayload,
  type TaskEventType,
  type TaskSummary,
  type TaskTimerJob,
} from '@gridline/core';
import type { Prisma, Task, TaskAssignment, TaskEvent } from '../generated/prisma/client.ts';

/** What a task summary reads besides the row: its skills and the care recipient's first name. */
export const taskSummaryInclude = {
  skills: { select: { skill: { select: { code: true } } } },
  careRecipient: { select: { firstName: true } },
} as const satisfies Prisma.TaskInclude;

export type TaskWithRelations = Task & {
  skills: Array<{ skill: { code: string } }>;
  careRecipient: { firstName: string } | null;
};

export function toTaskSummary(row: TaskWithRelations): TaskSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    lat: row.lat,
    lng: row.lng,
    address: row.address,
    skills: row.skills.map((item) => item.skill.code).sort(),
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    durationMinutes: row.durationMinutes,
    slots: row.slots,
    filledSlots: row.filledSlots,
    pointsPerHour: row.pointsPerHour,
    ticketId: row.ticketId,
    careRecipientId: row.careRecipientId,
    careRecipientFirstName: row.careRecipient?.firstName ?? null,
    gridId: row.gridId,
    communityId: row.communityId,
    offerRound: row.offerRound,
    radiusM: row.radiusM,
    version: row.version,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The summary without the care recipient's first name (for whoever does not hold the task). */
export function withoutCareName(task: TaskSummary): TaskSummary {
  return task.careRecipientFirstName === null ? task : { ...task, careRecipientFirstName: null };
}

/** A task_assignments row as raw SQL returns it (snake_case, timestamps as Date). */
export interface RawAssignment {
  id: number;
  task_id: number;
  volunteer_id: number;
  status: AssignmentStatus;
  slot: number | null;
  round: number;
  offered_at: Date;
  expires_at: Date | null;
  accepted_at: Date | null;
  check_in_at: Date | null;
  check_out_at: Date | null;
  distance_m: number | null;
  version: number;
}

export function rawToAssignment(raw: RawAssignment): TaskAssignment {
  return {
    id: raw.id,
    taskId: raw.task_id,
    volunteerId: raw.volunteer_id,
    status: raw.status,
    slot: raw.slot,
    round: raw.round,
    offeredAt: raw.offered_at,
    expiresAt: raw.expires_at,
    acceptedAt: raw.accepted_at,
    checkInAt: raw.check_in_at,
    checkOutAt: raw.check_out_at,
    distanceM: raw.distance_m,
    safetyAlertedAt: null,
    version: raw.version,
  };
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function toAssignmentSummary(row: TaskAssignment): AssignmentSummary {
  return {
    id: row.id,
    taskId: row.taskId,
    volunteerId: row.volunteerId,
    status: row.status,
    slot: row.slot,
    round: row.round,
    offeredAt: row.offeredAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    acceptedAt: iso(row.acceptedAt),
    checkInAt: iso(row.checkInAt),
    checkOutAt: iso(row.checkOutAt),
    distanceM: row.distanceM,
    version: row.version,
  };
}

export function toTaskEventPayload(
  event: TaskEvent,
  task: TaskSummary,
  assignment?: AssignmentSummary,
): TaskEventPayload {
  const data = event.payload;
  return {
    eventId: event.id,
    type: event.type as TaskEventType,
    at: event.createdAt.toISOString(),
    actorId: event.actorId,
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {},
    task,
    ...(assignment ? { assignment } : {}),
  };
}

/**
 * A committed change of a task: what to push and which timers to schedule.
 * The caller pushes and schedules after the commit.
 */
export interface TaskChange {
  /** The task as it is now (with the care recipient's first name: strip it for pushes). */
  task: TaskSummary;
  events: TaskEventPayload[];
  /** Timers to add (deterministic ids: adding one twice is harmless). */
  timers: TaskTimerJob[];
  /** Ids of timer jobs the change made pointless (removing them is tidiness: they would no-op). */
  staleTimers: string[];
}

/** One push: the event and the rooms it goes to. */
export interface TaskPush {
  rooms: string[];
  event: TaskEventPayload;
}

const HOLDING: readonly AssignmentStatus[] = ['ACCEPTED', 'CHECKED_IN', 'CHECKED_OUT'];

const numberList = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((item): item is number => Number.isInteger(item)) : [];
const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null;

/**
 * Where a task event goes. Offers go to the volunteer's own room only;
 * everything else to the task's rooms (task, creator, grid, community), plus
 * the volunteer the event is about (`data.volunteerId`), the volunteers told
 * (`data.notifyVolunteerIds`: the task filled, was cancelled) and the staff
 * member told (`data.notifyUserId`: the grid member of a handed-over task or a
 * safety alert). Pushes never carry the care recipient's first name, except to
 * the volunteer who holds the task, in their own room.
 */
export function taskPushes(event: TaskEventPayload): TaskPush[] {
  const publicEvent = { ...event, task: withoutCareName(event.task) };
  const volunteerId = numberOrNull(event.data.volunteerId);
  if (event.type === 'task.offered') {
    return volunteerId === null ? [] : [{ rooms: [rooms.user(volunteerId)], event: publicEvent }];
  }
  const targets = new Set(taskRooms(event.task));
  const notifyUserId = numberOrNull(event.data.notifyUserId);
  if (notifyUserId !== null) targets.add(rooms.user(notifyUserId));
  for (const id of numberList(event.data.notifyVolunteerIds)) targets.add(rooms.user(id));
  const pushes: TaskPush[] = [];
  if (volunteerId !== null) {
    const own = rooms.user(volunteerId);
    targets.delete(own);
    const holds = event.assignment !== undefined && HOLDING.includes(event.assignment.status);
    pushes.push({ rooms: [own], event: holds ? event : publicEvent });
  }
  pushes.unshift({ rooms: [...targets], event: publicEvent });
  return pushes;
}
