/**
 * The volunteer's offers, active tasks and history, and how a pushed task
 * event changes them. Plain TypeScript (no Svelte, no DOM) so that it can be
 * unit tested; `tasks.svelte.ts` wraps it in reactive state.
 */
import {
  ACCEPTING_TASK_STATUSES,
  type AssignmentStatus,
  type AssignmentSummary,
  type MyTasksResponse,
  type TaskEventPayload,
  type TaskSummary,
} from '@gridline/core';

export interface TaskEntry {
  task: TaskSummary;
  assignment: AssignmentSummary;
}

export type MyTasks = Pick<MyTasksResponse, 'offers' | 'active' | 'history'>;
export type Bucket = keyof MyTasks;

/** Why an offer left the list without the volunteer answering it. */
export type GoneReason = 'filled' | 'cancelled' | 'expired';

export interface GoneOffer {
  taskId: number;
  title: string;
  reason: GoneReason;
}

export interface ApplyResult {
  tasks: MyTasks;
  /** Offers that disappeared because of this event (the page says so briefly). */
  gone: GoneOffer[];
  changed: boolean;
  /** The event concerns a task I hold but says nothing of my assignment: ask the server. */
  refetch: boolean;
  /** My own service was just credited (checked out): the balance changed. */
  credited: boolean;
}

/** History is kept as long as the server's (latest first, at most 50). */
export const HISTORY_LIMIT = 50;

export const EMPTY_TASKS: MyTasks = { offers: [], active: [], history: [] };

/** Which list an assignment belongs in. */
export function bucketOf(status: AssignmentStatus): Bucket {
  if (status === 'OFFERED') return 'offers';
  if (status === 'ACCEPTED' || status === 'CHECKED_IN') return 'active';
  return 'history';
}

/** The latest moment an assignment records (for the history's order). */
export function lastActivity(assignment: AssignmentSummary): number {
  const times = [
    assignment.checkOutAt,
    assignment.checkInAt,
    assignment.acceptedAt,
    assignment.offeredAt,
  ]
    .filter((value): value is string => value !== null)
    .map((value) => Date.parse(value))
    .filter((value) => Number.isFinite(value));
  return times.length === 0 ? 0 : Math.max(...times);
}

const time = (value: string | null): number => {
  const parsed = value === null ? Number.NaN : Date.parse(value);
  return Number.isFinite(parsed) ? parsed : Number.POSITIVE_INFINITY;
};

/** Offers soonest expiry first; active tasks soonest start first; history latest first. */
export function sortTasks(tasks: MyTasks): MyTasks {
  return {
    offers: [...tasks.offers].sort(
      (a, b) =>
        time(a.assignment.expiresAt) - time(b.assignment.expiresAt) || a.task.id - b.task.id,
    ),
    active: [...tasks.active].sort(
      (a, b) => time(a.task.startsAt) - time(b.task.startsAt) || a.task.id - b.task.id,
    ),
    history: [...tasks.history]
      .sort(
        (a, b) =>
          lastActivity(b.assignment) - lastActivity(a.assignment) ||
          b.assignment.id - a.assignment.id,
      )
      .slice(0, HISTORY_LIMIT),
  };
}

/** Whether an offer on this task can still be accepted. */
export function stillAccepting(task: TaskSummary): boolean {
  return ACCEPTING_TASK_STATUSES.includes(task.status) && task.filledSlots < task.slots;
}

function find(tasks: MyTasks, taskId: number): { bucket: Bucket; entry: TaskEntry } | null {
  for (const bucket of ['offers', 'active', 'history'] as const) {
    const entry = tasks[bucket].find((candidate) => candidate.task.id === taskId);
    if (entry) return { bucket, entry };
  }
  return null;
}

const newerTask = (held: TaskSummary, pushed: TaskSummary): TaskSummary =>
  pushed.version >= held.version ? pushed : held;

function without(tasks: MyTasks, taskId: number): MyTasks {
  return {
    offers: tasks.offers.filter((entry) => entry.task.id !== taskId),
    active: tasks.active.filter((entry) => entry.task.id !== taskId),
    history: tasks.history.filter((entry) => entry.task.id !== taskId),
  };
}

function placed(tasks: MyTasks, entry: TaskEntry): MyTasks {
  const rest = without(tasks, entry.task.id);
  const bucket = bucketOf(entry.assignment.status);
  return sortTasks({ ...rest, [bucket]: [...rest[bucket], entry] });
}

/**
 * Applies one pushed (or replayed) task event for volunteer `me`. Versions
 * decide: an older task or assignment than the one held is ignored, so
 * events may arrive twice or out of order. An offer whose task can no longer
 * be accepted leaves with a note (filled by others, or cancelled).
 */
export function applyTaskEvent(
  tasks: MyTasks,
  payload: TaskEventPayload,
  me: number,
  /** Tasks with my own answer in flight: their offer stays until the answer comes back. */
  answering: ReadonlySet<number> = new Set(),
): ApplyResult {
  const unchanged: ApplyResult = {
    tasks,
    gone: [],
    changed: false,
    refetch: false,
    credited: false,
  };
  const held = find(tasks, payload.task.id);
  const mine = payload.assignment?.volunteerId === me ? payload.assignment : undefined;

  if (mine) {
    if (
      held &&
      held.entry.assignment.id === mine.id &&
      held.entry.assignment.version > mine.version
    ) {
      // A stale assignment; the task summary may still be newer.
      return updateTaskOnly(tasks, held, payload.task) ?? unchanged;
    }
    if (
      held &&
      held.entry.assignment.id === mine.id &&
      held.entry.assignment.version === mine.version &&
      held.entry.task.version >= payload.task.version
    ) {
      return unchanged;
    }
    const task = held ? newerTask(held.entry.task, payload.task) : payload.task;
    const next = placed(tasks, { task, assignment: mine });
    const gone: GoneOffer[] =
      held?.bucket === 'offers' && bucketOf(mine.status) === 'history' && mine.status !== 'DECLINED'
        ? [
            {
              taskId: task.id,
              title: task.title,
              reason: goneReason(task, mine.status === 'EXPIRED'),
            },
          ]
        : [];
    const credited =
      mine.status === 'CHECKED_OUT' && held?.entry.assignment.status !== 'CHECKED_OUT';
    return { tasks: next, gone, changed: true, refetch: false, credited };
  }

  if (!held) return unchanged;
  if (payload.task.version < held.entry.task.version) return unchanged;
  const task = payload.task;

  if (held.bucket === 'offers' && !stillAccepting(task) && !answering.has(task.id)) {
    return {
      tasks: without(tasks, task.id),
      gone: [{ taskId: task.id, title: task.title, reason: goneReason(task, false) }],
      changed: true,
      refetch: false,
      credited: false,
    };
  }
  const updated = updateTaskOnly(tasks, held, task) ?? unchanged;
  // Cancelled or completed under an active assignment: the server says what became of it.
  const ended = task.status === 'CANCELLED' || task.status === 'COMPLETED';
  return held.bucket === 'active' && ended ? { ...updated, refetch: true } : updated;
}

function updateTaskOnly(
  tasks: MyTasks,
  held: { bucket: Bucket; entry: TaskEntry },
  pushed: TaskSummary,
): ApplyResult | null {
  if (pushed.version <= held.entry.task.version) return null;
  const entry = { ...held.entry, task: pushed };
  return {
    tasks: {
      ...tasks,
      [held.bucket]: tasks[held.bucket].map((candidate) =>
        candidate.task.id === pushed.id ? entry : candidate,
      ),
    },
    gone: [],
    changed: true,
    refetch: false,
    credited: false,
  };
}

/**
 * A fresh snapshot from the server replaces the lists; offers that were shown
 * and are gone without my answer are reported (filled by someone else, or expired).
 */
export function replaceWithSnapshot(
  before: MyTasks,
  snapshot: MyTasks,
  now: number,
): { tasks: MyTasks; gone: GoneOffer[] } {
  const tasks = sortTasks(snapshot);
  const gone: GoneOffer[] = [];
  for (const offer of before.offers) {
    const current = find(tasks, offer.task.id);
    if (current?.bucket === 'offers' || current?.bucket === 'active') continue;
    // Declined (here or on another device): the volunteer knows.
    if (current?.entry.assignment.status === 'DECLINED') continue;
    const expired =
      current?.entry.assignment.status === 'EXPIRED' ||
      (offer.assignment.expiresAt !== null && Date.parse(offer.assignment.expiresAt) <= now);
    const task = current ? newerTask(offer.task, current.entry.task) : offer.task;
    gone.push({ taskId: task.id, title: task.title, reason: goneReason(task, expired) });
  }
  return { tasks, gone };
}

/** Why an offer went away: the task was cancelled, filled by others, or the offer ran out. */
export function goneReason(task: TaskSummary, expired: boolean): GoneReason {
  if (task.status === 'CANCELLED') return 'cancelled';
  if (!stillAccepting(task)) return 'filled';
  return expired ? 'expired' : 'filled';
}

/** The entry shown for a task, wherever it is. */
export function entryFor(tasks: MyTasks, taskId: number): TaskEntry | null {
  return find(tasks, taskId)?.entry ?? null;
}

/** After an action answered with the new task and assignment: place them. */
export function applyActionResult(tasks: MyTasks, entry: TaskEntry): MyTasks {
  const held = find(tasks, entry.task.id);
  if (
    held &&
    held.entry.assignment.id === entry.assignment.id &&
    held.entry.assignment.version > entry.assignment.version
  ) {
    return tasks;
  }
  const task = held ? newerTask(held.entry.task, entry.task) : entry.task;
  return placed(tasks, { task, assignment: entry.assignment });
}
