import {
  careVisitSchedulerId,
  scaledMs,
  visitDueAt,
  visitEveryMs,
  type CareVisitJob,
  type LatLng,
} from '@gridline/core';

/**
 * Care recipients' visit schedules (关爱对象定期探访): one BullMQ job
 * scheduler per household with a cadence, on queue CARE_VISITS_QUEUE, id
 * careVisitSchedulerId(id), firing every `visitEveryDays` days (divided by
 * TIME_SCALE). PostgreSQL is the source of truth: `syncVisitSchedules` (at
 * start and every reconcile pass) adds what is missing, changes a cadence
 * that changed and removes the schedulers of households gone or without a
 * cadence. Each firing creates one visit task, unless one is still open or
 * was already made for that slot.
 */

/** A household as the schedule sync reads it. */
export interface CadencedHousehold {
  id: number;
  visitEveryDays: number;
  lastVisitAt: Date | null;
  createdAt: Date;
}

/** A scheduler present in Redis. */
export interface ExistingScheduler {
  id: string;
  every: number | null;
}

/** The job schedulers of the care-visits queue. */
export interface VisitSchedulerQueue {
  list(): Promise<ExistingScheduler[]>;
  /** Creates the scheduler, or changes its interval (first firing at `startDate` or now). */
  upsert(id: string, everyMs: number, startDate: Date, data: CareVisitJob): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface SyncResult {
  created: number;
  updated: number;
  removed: number;
  kept: number;
}

const SCHEDULER_ID = /^care-visit-(\d+)$/;

/**
 * Makes Redis hold exactly one scheduler per household with a cadence. A new
 * scheduler first fires when the visit falls due (now, when it is overdue);
 * an existing one with the same interval is left alone, so its slots stay put.
 */
export async function syncVisitSchedules(
  households: readonly CadencedHousehold[],
  queue: VisitSchedulerQueue,
  now: Date,
  timeScale: number,
): Promise<SyncResult> {
  const result: SyncResult = { created: 0, updated: 0, removed: 0, kept: 0 };
  const existing = new Map((await queue.list()).map((scheduler) => [scheduler.id, scheduler]));
  const wanted = new Set<string>();
  for (const household of households) {
    const id = careVisitSchedulerId(household.id);
    wanted.add(id);
    const everyMs = visitEveryMs(household.visitEveryDays, timeScale);
    const present = existing.get(id);
    if (present && present.every === everyMs) {
      result.kept++;
      continue;
    }
    const due = visitDueAt(household, timeScale);
    const startDate = due.getTime() > now.getTime() ? due : now;
    await queue.upsert(id, everyMs, startDate, { careRecipientId: household.id });
    if (present) result.updated++;
    else result.created++;
  }
  for (const id of existing.keys()) {
    if (!wanted.has(id) && SCHEDULER_ID.test(id)) {
      await queue.remove(id);
      result.removed++;
    }
  }
  return result;
}

// --- The processor ---

/** What a visit needs to know of the household (re-read when the scheduler fires). */
export interface VisitHousehold {
  id: number;
  communityId: number;
  gridId: number | null;
  firstName: string;
  address: string;
  lat: number;
  lng: number;
  visitEveryDays: number | null;
  lastVisitAt: Date | null;
}

/** The visit task to create (the task engine's fields). */
export interface VisitTaskInput {
  title: string;
  description: string;
  skills: string[];
  location: LatLng;
  address: string;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  slots: number;
  careRecipientId: number;
  gridId: number | null;
  communityId: number;
  createdById: number;
}

/** The port to the task engine: creates the task and starts its offers. */
export interface VisitTaskCreator {
  createVisitTask(task: VisitTaskInput): Promise<{ taskId: number }>;
}

export interface VisitPorts {
  timeScale: number;
  now(): Date;
  loadHousehold(id: number): Promise<VisitHousehold | null>;
  /**
   * True when the household has a task still open at `now` (being worked, or
   * still to be taken within its window, handed over included), or any created
   * at or after `slotAt` (this slot was already served).
   */
  hasVisitTask(careRecipientId: number, slotAt: Date, now: Date): Promise<boolean>;
  /** Who creates the task: the community's first staff user, else the grid member. */
  creatorFor(household: VisitHousehold): Promise<number | null>;
  /**
   * Claims the slot (true once per household and slot while the claim lives),
   * so two workers firing the same slot cannot both create a task.
   */
  claimSlot(careRecipientId: number, slotAt: Date, ttlMs: number): Promise<boolean>;
  releaseSlot(careRecipientId: number, slotAt: Date): Promise<void>;
  tasks: VisitTaskCreator;
}

export type VisitOutcome =
  | { kind: 'created'; taskId: number }
  | { kind: 'gone' }
  | { kind: 'no-cadence' }
  | { kind: 'recently-visited' }
  | { kind: 'task-exists' }
  | { kind: 'slot-claimed' }
  | { kind: 'no-creator' };

/** A visit lasts an hour, within a day from when it is offered. */
export const VISIT_DURATION_MINUTES = 60;
export const VISIT_WINDOW_MINUTES = 24 * 60;
export const VISIT_SKILLS: readonly string[] = ['ELDERLY_CARE'];

/** The visit task of a household, offered now for the next (scaled) day. */
export function visitTaskInput(
  household: VisitHousehold,
  createdById: number,
  now: Date,
  timeScale: number,
): VisitTaskInput {
  return {
    title: `探访 ${household.firstName}`,
    description: `定期上门探访关爱对象${household.firstName}：了解身体和生活状况，需要帮助时及时告知网格员。`,
    skills: [...VISIT_SKILLS],
    location: { lat: household.lat, lng: household.lng },
    address: household.address,
    startsAt: now,
    endsAt: new Date(now.getTime() + scaledMs(VISIT_WINDOW_MINUTES, timeScale)),
    durationMinutes: VISIT_DURATION_MINUTES,
    slots: 1,
    careRecipientId: household.id,
    gridId: household.gridId,
    communityId: household.communityId,
    createdById,
  };
}

/**
 * The slot a scheduler's job stands for: the time in its id
 * (`repeat:<scheduler id>:<ms>`), else when it was made.
 */
export function slotOf(jobId: string | undefined, timestamp: number): Date {
  const match = jobId === undefined ? null : /:(\d+)$/.exec(jobId);
  return new Date(match ? Number(match[1]) : timestamp);
}

/**
 * A scheduler fired for `job.careRecipientId` at `slotAt`: re-read the
 * household, and create one visit task unless it is gone, has no cadence
 * any more, was visited in the last half cadence, already has an open visit
 * task or one for this slot. Firing twice is harmless.
 */
export async function processVisitJob(
  job: CareVisitJob,
  slotAt: Date,
  ports: VisitPorts,
): Promise<VisitOutcome> {
  const household = await ports.loadHousehold(job.careRecipientId);
  if (!household) return { kind: 'gone' };
  if (household.visitEveryDays === null) return { kind: 'no-cadence' };
  const now = ports.now();
  const everyMs = visitEveryMs(household.visitEveryDays, ports.timeScale);
  if (household.lastVisitAt && now.getTime() - household.lastVisitAt.getTime() < everyMs / 2) {
    return { kind: 'recently-visited' };
  }
  if (await ports.hasVisitTask(household.id, slotAt, now)) return { kind: 'task-exists' };
  const creatorId = await ports.creatorFor(household);
  if (creatorId === null) return { kind: 'no-creator' };
  if (!(await ports.claimSlot(household.id, slotAt, everyMs))) return { kind: 'slot-claimed' };
  try {
    // Checked again under the claim: another worker may have finished this slot meanwhile.
    if (await ports.hasVisitTask(household.id, slotAt, now)) return { kind: 'task-exists' };
    const { taskId } = await ports.tasks.createVisitTask(
      visitTaskInput(household, creatorId, now, ports.timeScale),
    );
    return { kind: 'created', taskId };
  } catch (error) {
    // Let the retry (or the next firing) have the slot.
    await ports.releaseSlot(household.id, slotAt);
    throw error;
  }
}
