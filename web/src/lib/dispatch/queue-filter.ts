/**
 * The queue's filters and search: pure, so that they can be unit tested.
 */
import type { TicketStatus, TicketSummary } from '@gridline/core';
import { activeDeadline } from './ticket-board.ts';

export interface QueueFilter {
  /** Category code, or '' for every category. */
  category: string;
  /** Ticket status, or '' for every open status. */
  status: TicketStatus | '';
  /** Escalation level 0..4, or null for every level. */
  level: number | null;
  overdueOnly: boolean;
  /** Free text: a ticket code, part of an address, or digits of a phone number. */
  search: string;
}

export const EMPTY_FILTER: QueueFilter = {
  category: '',
  status: '',
  level: null,
  overdueOnly: false,
  search: '',
};

export function isFilterActive(filter: QueueFilter): boolean {
  return (
    filter.category !== '' ||
    filter.status !== '' ||
    filter.level !== null ||
    filter.overdueOnly ||
    filter.search.trim() !== ''
  );
}

/** Flagged overdue by the server, or its running deadline has passed at `now`. */
export function isOverdue(ticket: TicketSummary, now: number): boolean {
  if (ticket.overdue) return true;
  const deadline = activeDeadline(ticket);
  return deadline !== null && !deadline.paused && deadline.at <= now;
}

/** Lower case, full-width ASCII folded to half-width, spaces collapsed. */
export function normalizeText(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** A query of phone-number characters with at least four digits. */
export function looksLikePhone(query: string): boolean {
  return /^\+?[0-9][0-9 -]*$/.test(query.trim()) && digitsOf(query).length >= 4;
}

/**
 * Whether a ticket matches the search text: its code (ignoring dashes and
 * case), its address, or a phone number known for it (`phones`, from ticket
 * details the page has read).
 */
export function matchesSearch(
  ticket: TicketSummary,
  query: string,
  phones?: ReadonlyMap<number, string>,
): boolean {
  const needle = normalizeText(query);
  if (needle === '') return true;
  const compactNeedle = needle.replace(/[-\s]/g, '');
  const code = ticket.code.toLowerCase().replace(/[-\s]/g, '');
  if (compactNeedle !== '' && code.includes(compactNeedle)) return true;
  if (ticket.address && normalizeText(ticket.address).includes(needle)) return true;
  const phone = phones?.get(ticket.id);
  if (phone && looksLikePhone(query) && digitsOf(phone).includes(digitsOf(query))) return true;
  return false;
}

export function matchesFilter(
  ticket: TicketSummary,
  filter: QueueFilter,
  now: number,
  phones?: ReadonlyMap<number, string>,
): boolean {
  if (filter.category !== '' && ticket.categoryCode !== filter.category) return false;
  if (filter.status !== '' && ticket.status !== filter.status) return false;
  if (filter.level !== null && ticket.escalationLevel !== filter.level) return false;
  if (filter.overdueOnly && !isOverdue(ticket, now)) return false;
  return matchesSearch(ticket, filter.search, phones);
}

/** The tickets that pass the filter, in their original (deadline) order. */
export function filterTickets(
  tickets: readonly TicketSummary[],
  filter: QueueFilter,
  now: number,
  phones?: ReadonlyMap<number, string>,
): readonly TicketSummary[] {
  if (!isFilterActive(filter)) return tickets;
  return tickets.filter((ticket) => matchesFilter(ticket, filter, now, phones));
}
