import {
  ACCEPTING_TASK_STATUSES,
  ACTIVE_TASK_STATUSES,
  type TaskEventPayload,
  type TaskStatus,
  type TaskSummary,
} from '@gridline/core';

/** Statuses staff may cancel from (the store's rule). */
const CANCELLABLE: readonly TaskStatus[] = [...ACTIVE_TASK_STATUSES, 'HANDED_OVER'];

/**
 * A pushed task event applied to the list on screen (newest id first): a
 * newer version replaces the row; a task new to the list is added when it
 * matches the status filter; one that no longer matches leaves it. Older or
 * equal versions change nothing (events may arrive after a fresher snapshot).
 */
export function applyTaskEvent(
  tasks: readonly TaskSummary[],
  payload: Pick<TaskEventPayload, 'task'>,
  filter: { status: TaskStatus | null },
): readonly TaskSummary[] {
  const incoming = payload.task;
  const matches = filter.status === null || incoming.status === filter.status;
  const index = tasks.findIndex((task) => task.id === incoming.id);
  if (index >= 0) {
    const current = tasks[index]!;
    if (incoming.version <= current.version) return tasks;
    if (!matches) return tasks.filter((task) => task.id !== incoming.id);
    const next = tasks.slice();
    next[index] = incoming;
    return next;
  }
  if (!matches) return tasks;
  // Newest first, by id.
  const at = tasks.findIndex((task) => task.id < incoming.id);
  const next = tasks.slice();
  next.splice(at < 0 ? next.length : at, 0, incoming);
  return next;
}

/** Whether staff can cancel the task now. */
export const canCancel = (task: TaskSummary): boolean => CANCELLABLE.includes(task.status);

/** Whether offering the task again can do anything: free slots, still taking offers, not over. */
export function canReoffer(task: TaskSummary, now: Date): boolean {
  return (
    ACCEPTING_TASK_STATUSES.includes(task.status) &&
    task.filledSlots < task.slots &&
    Date.parse(task.endsAt) > now.getTime()
  );
}
