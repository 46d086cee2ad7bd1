import type { Channel, Priority, Role, TicketStatus } from '@gridline/core';
import { categories } from '../categories/categories.svelte.ts';
import { i18n, t } from './i18n.svelte.ts';
import type { MessageKey } from './messages.ts';

/** Labels for domain values, in the current language. */

export const statusLabel = (status: TicketStatus): string => t(`status.${status}`);
export const priorityLabel = (priority: Priority): string => t(`priority.${priority}`);
export const roleLabel = (role: Role): string => t(`role.${role}`);
export const channelLabel = (channel: Channel): string => t(`channel.${channel}`);

/** 0 = at the grid; 1..4 = community, street, district, city alert. */
export function escalationLabel(level: number): string {
  const clamped = Math.max(0, Math.min(4, Math.trunc(level)));
  return t(`escalation.${clamped}` as MessageKey);
}

export function categoryName(code: string): string {
  const category = categories.get(code);
  return category ? i18n.pick(category.names) : t('ticket.unknownCategory', { code });
}
