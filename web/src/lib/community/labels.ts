import { t } from '../i18n/index.ts';

/** What a task event says happened (`data.action`), as core/src/tasks.ts lists them. */
export const TASK_ACTIONS = [
  'created',
  'offered',
  'accepted',
  'declined',
  'expired',
  'checked-in',
  'checked-out',
  'no-show',
  'released',
  'widened',
  'handed-over',
  'safety-alert',
  'cancelled',
  'completed',
  'reoffered',
] as const;
type TaskAction = (typeof TASK_ACTIONS)[number];

const isTaskAction = (value: unknown): value is TaskAction =>
  typeof value === 'string' && (TASK_ACTIONS as readonly string[]).includes(value);

/** A timeline line's words; an action this page does not know shows as sent. */
export function taskActionLabel(action: unknown, fallback: string): string {
  if (isTaskAction(action)) return t(`community.taskAction.${action}`);
  return typeof action === 'string' ? action : fallback;
}
