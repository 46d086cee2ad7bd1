import { z } from 'zod';
import { distanceMetres, latLngSchema, type LatLng } from './geo.ts';
import { scaledMs } from './deadlines.ts';
import { rooms } from './events.ts';

/**
 * Volunteer tasks (志愿任务): work offered live to the nearest qualified
 * volunteers. The contracts shared by server, workers and web.
 *
 * A task is created by a grid member or community staff (standalone, from a
 * ticket, by a care recipient's visit schedule, or from a call-button
 * request). The offer cascade then offers it to the `offerBatch` nearest
 * available volunteers with every needed skill within `radiusM`; each offer
 * expires on its own; a decline or expiry offers the next nearest; when a
 * round has no one left, the radius widens (OFFER_RADIUS_FACTOR) up to
 * OFFER_ROUNDS rounds; after the last round the task is HANDED_OVER to the
 * grid member, who is told.
 *
 * First accept wins a slot: one conditional UPDATE on the task row
 * (`filled_slots < slots`), never read-then-write; everyone after gets 409 and
 * a `task.filled` push.
 */

export const TASK_STATUSES = [
  'OPEN',
  'OFFERING',
  'FILLED',
  'IN_PROGRESS',
  'COMPLETED',
  'HANDED_OVER',
  'CANCELLED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task still looking for, or being worked by, volunteers. */
export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = [
  'OPEN',
  'OFFERING',
  'FILLED',
  'IN_PROGRESS',
];
/** Statuses in which free slots can still be accepted. */
export const ACCEPTING_TASK_STATUSES: readonly TaskStatus[] = ['OPEN', 'OFFERING', 'HANDED_OVER'];

export const ASSIGNMENT_STATUSES = [
  'OFFERED',
  'ACCEPTED',
  'DECLINED',
  'EXPIRED',
  'CHECKED_IN',
  'CHECKED_OUT',
  'NO_SHOW',
  'RELEASED',
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];
/** Assignments that hold a slot. */
export const HOLDING_ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = [
  'ACCEPTED',
  'CHECKED_IN',
  'CHECKED_OUT',
];

/** Volunteer actions on a task: `POST /api/tasks/:id/<action>`. */
export const VOLUNTEER_TASK_ACTIONS = ['accept', 'decline', 'check-in', 'check-out'] as const;
export type VolunteerTaskAction = (typeof VOLUNTEER_TASK_ACTIONS)[number];
/** Staff actions on a task: `POST /api/tasks/:id/<action>`. */
export const STAFF_TASK_ACTIONS = ['cancel', 'reoffer'] as const;
export type StaffTaskAction = (typeof STAFF_TASK_ACTIONS)[number];

/**
 * Which assignment statuses each volunteer action starts from, and where it
 * leads. Accept also needs a free slot and an unexpired offer.
 */
export const ASSIGNMENT_TRANSITIONS: Readonly<
  Record<VolunteerTaskAction, { from: readonly AssignmentStatus[]; to: AssignmentStatus }>
> = {
  accept: { from: ['OFFERED'], to: 'ACCEPTED' },
  decline: { from: ['OFFERED', 'ACCEPTED'], to: 'DECLINED' },
  'check-in': { from: ['ACCEPTED'], to: 'CHECKED_IN' },
  'check-out': { from: ['CHECKED_IN'], to: 'CHECKED_OUT' },
};

// --- The cascade and its timers (policy minutes are divided by TIME_SCALE) ---

/** Offers per round when the task does not say. */
export const DEFAULT_OFFER_BATCH = 5;
export const MAX_OFFER_BATCH = 100;
/** First round's radius when the task does not say. */
export const DEFAULT_OFFER_RADIUS_M = 1_000;
/** Each round multiplies the radius by this. */
export const OFFER_RADIUS_FACTOR = 2;
/** Rounds before the task is handed to the grid member. */
export const OFFER_ROUNDS = 3;
/** How long one volunteer has to answer an offer. */
export const OFFER_EXPIRY_MINUTES = 5;
/** An accepted volunteer who has not checked in this long after the start is a no-show. */
export const NO_SHOW_GRACE_MINUTES = 15;
/** A home visit not checked out by check-in + duration + this alerts the grid member. */
export const SAFETY_GRACE_MINUTES = 30;
/** Check-in opens this long before the start. */
export const CHECK_IN_EARLY_MINUTES = 30;
/** Check-out closes this long after the end of the window. */
export const CHECK_OUT_LATE_MINUTES = 120;
/** Default geofence for check-in/out; `TASK_GEOFENCE_M` overrides it. */
export const DEFAULT_GEOFENCE_M = 200;
/** Positions older than this do not count for offers. */
export const VOLUNTEER_POSITION_MAX_AGE_MS = 5 * 60_000;

/** Radius of round `round` (0-based) for a task whose first radius is `firstRadiusM`. */
export function offerRadius(firstRadiusM: number, round: number): number {
  return Math.round(firstRadiusM * OFFER_RADIUS_FACTOR ** round);
}

/** Whether a check-in or check-out at `at` lies within the geofence of the task. */
export function withinGeofence(task: LatLng, at: LatLng, geofenceM: number): boolean {
  return distanceMetres(task, at) <= geofenceM;
}

/** The window in which check-in is allowed. */
export function checkInWindow(
  task: { startsAt: Date; endsAt: Date },
  timeScale: number,
): { opens: Date; closes: Date } {
  return {
    opens: new Date(task.startsAt.getTime() - scaledMs(CHECK_IN_EARLY_MINUTES, timeScale)),
    closes: task.endsAt,
  };
}

/** The window in which check-out is allowed (after check-in). */
export function checkOutWindow(
  task: { endsAt: Date },
  checkInAt: Date,
  timeScale: number,
): { opens: Date; closes: Date } {
  return {
    opens: checkInAt,
    closes: new Date(task.endsAt.getTime() + scaledMs(CHECK_OUT_LATE_MINUTES, timeScale)),
  };
}

/**
 * Minutes and points earned between check-in and check-out: whole minutes,
 * at most the task's window, points pro rata by the hourly rate (rounded).
 * Real minutes are credited (a TIME_SCALE demo credits what really passed,
 * multiplied back so a 2-hour task run at scale 60 credits about 2 hours).
 */
export function earned(
  task: { startsAt: Date; endsAt: Date; pointsPerHour: number },
  checkInAt: Date,
  checkOutAt: Date,
  timeScale: number,
): { minutes: number; points: number } {
  const realMs = Math.max(0, checkOutAt.getTime() - checkInAt.getTime());
  const windowMinutes = Math.max(
    1,
    Math.round((task.endsAt.getTime() - task.startsAt.getTime()) / 60_000) * timeScale,
  );
  const minutes = Math.min(windowMinutes, Math.floor((realMs * timeScale) / 60_000));
  return { minutes, points: Math.round((minutes * task.pointsPerHour) / 60) };
}

// --- Timers (queue `task-timers`), deterministic ids `<kind>-<assignment id>-<version>` ---

export const TASK_TIMERS_QUEUE = 'task-timers';
export type TaskTimerKind = 'offer-expiry' | 'no-show' | 'safety';

export interface TaskTimerJob {
  kind: TaskTimerKind;
  taskId: number;
  assignmentId: number;
  /** The assignment version the timer was scheduled for; a mismatch makes it a no-op. */
  version: number;
  dueAt: string;
  requestId?: string;
}

export function taskTimerJobId(kind: TaskTimerKind, assignmentId: number, version: number): string {
  return `${kind}-${assignmentId}-${version}`;
}

/** Queue of care recipients' visit schedules (BullMQ job schedulers, one per household). */
export const CARE_VISITS_QUEUE = 'care-visits';
export interface CareVisitJob {
  careRecipientId: number;
}
export const careVisitSchedulerId = (careRecipientId: number) => `care-visit-${careRecipientId}`;

// --- HTTP contracts ---

const id = z.number().int().positive().max(2_147_483_647);
const skillCode = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Z][A-Z0-9_]*$/);
const isoDateTime = z.iso.datetime({ offset: true });

/** `POST /api/tasks` (grid member, community staff, admin; the location must lie in their region). */
export const createTaskSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2_000).default(''),
    skills: z.array(skillCode).max(10).default([]),
    location: latLngSchema,
    address: z.string().trim().max(200).optional(),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
    slots: z.number().int().min(1).max(50).default(1),
    pointsPerHour: z.number().int().min(0).max(1_000).default(10),
    ticketId: id.optional(),
    careRecipientId: id.optional(),
    offerBatch: z.number().int().min(1).max(MAX_OFFER_BATCH).default(DEFAULT_OFFER_BATCH),
    radiusM: z.number().int().min(50).max(50_000).default(DEFAULT_OFFER_RADIUS_M),
  })
  .refine((task) => Date.parse(task.endsAt) > Date.parse(task.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type CreateTaskBody = z.infer<typeof createTaskSchema>;

/** `POST /api/tickets/:id/ask-volunteers`: a task from a ticket; unset fields come from the ticket. */
export const askVolunteersSchema = z.strictObject({
  title: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(2_000).optional(),
  skills: z.array(skillCode).max(10).default([]),
  startsAt: isoDateTime.optional(),
  endsAt: isoDateTime.optional(),
  durationMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
  slots: z.number().int().min(1).max(50).default(1),
  pointsPerHour: z.number().int().min(0).max(1_000).default(10),
  offerBatch: z.number().int().min(1).max(MAX_OFFER_BATCH).default(DEFAULT_OFFER_BATCH),
  radiusM: z.number().int().min(50).max(50_000).default(DEFAULT_OFFER_RADIUS_M),
});

/** Check-in and check-out carry where the phone is. */
export const taskPresenceSchema = z.strictObject({
  lat: z.number().finite().min(-90).max(90),
  lng: z.number().finite().min(-180).max(180),
  accuracy: z.number().finite().min(0).max(100_000).optional(),
});

export const tasksQuerySchema = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  regionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  ticketId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  cursor: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** What everyone involved sees of a task. Volunteers see a care recipient's first name only. */
export interface TaskSummary {
  id: number;
  title: string;
  description: string;
  status: TaskStatus;
  lat: number;
  lng: number;
  address: string | null;
  skills: string[];
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
  slots: number;
  filledSlots: number;
  pointsPerHour: number;
  ticketId: number | null;
  careRecipientId: number | null;
  /** Only the first name, for whoever holds the task (DESIGN "Roles and scope"). */
  careRecipientFirstName: string | null;
  gridId: number | null;
  communityId: number | null;
  offerRound: number;
  radiusM: number;
  version: number;
  createdById: number;
  createdAt: string;
}

/** One volunteer's offer or slot on a task. */
export interface AssignmentSummary {
  id: number;
  taskId: number;
  volunteerId: number;
  status: AssignmentStatus;
  slot: number | null;
  round: number;
  offeredAt: string;
  expiresAt: string | null;
  acceptedAt: string | null;
  checkInAt: string | null;
  checkOutAt: string | null;
  /** Metres from the volunteer's position when offered. */
  distanceM: number | null;
  version: number;
}

export type TaskEventType = 'task.offered' | 'task.filled' | 'task.updated';

/**
 * A pushed task event (stored in task_events; `eventId` is its row id).
 * `data.action` says what happened: created, offered, accepted, declined,
 * expired, checked-in, checked-out, no-show, released, widened, handed-over,
 * safety-alert, cancelled, completed, reoffered.
 */
export interface TaskEventPayload {
  eventId: number;
  type: TaskEventType;
  at: string;
  actorId: number | null;
  data: Record<string, unknown>;
  task: TaskSummary;
  /** For `task.offered` and the volunteer's own changes: their assignment. */
  assignment?: AssignmentSummary;
}

/**
 * Rooms a task event goes to: the task's room, its creator, its grid and
 * community (staff maps). Offers go only to `user:<volunteer>`.
 */
export function taskRooms(task: TaskSummary): string[] {
  const targets = [rooms.task(task.id), rooms.user(task.createdById)];
  for (const regionId of [task.gridId, task.communityId]) {
    if (regionId !== null) targets.push(rooms.region(regionId));
  }
  return targets;
}

/** `GET /api/volunteers/me/tasks`: what the volunteer app shows. */
export interface MyTasksResponse {
  offers: Array<{ task: TaskSummary; assignment: AssignmentSummary }>;
  /** Accepted or checked in. */
  active: Array<{ task: TaskSummary; assignment: AssignmentSummary }>;
  /** Checked out, declined, expired, no-show, released (latest first, at most 50). */
  history: Array<{ task: TaskSummary; assignment: AssignmentSummary }>;
}

/** Services a call button asks for that volunteers can serve: the call also creates a task. */
export const VOLUNTEER_SERVICES = ['MEALS', 'SHOPPING', 'COMPANY', 'MOBILITY', 'CLEANING'] as const;
/** Skills a call-button task needs, by service. */
export const SERVICE_SKILLS: Readonly<Record<(typeof VOLUNTEER_SERVICES)[number], string[]>> = {
  MEALS: ['COOKING'],
  SHOPPING: [],
  COMPANY: ['ELDERLY_CARE'],
  MOBILITY: ['DRIVING'],
  CLEANING: ['CLEANING'],
};
export type VolunteerService = (typeof VOLUNTEER_SERVICES)[number];

export const isVolunteerService = (service: string): service is VolunteerService =>
  (VOLUNTEER_SERVICES as readonly string[]).includes(service);

/** What a call-button task is called, by service. */
export const CALL_BUTTON_TITLES: Readonly<Record<VolunteerService, { zh: string; en: string }>> = {
  MEALS: { zh: '送餐', en: 'Meal delivery' },
  SHOPPING: { zh: '代购', en: 'Shopping' },
  COMPANY: { zh: '陪伴', en: 'Company' },
  MOBILITY: { zh: '出行协助', en: 'Getting about' },
  CLEANING: { zh: '清洁', en: 'Cleaning' },
};
