/**
 * The drawer's timeline: merging live events into the detail read from the
 * API, and what each entry says. Pure, for unit tests.
 */
import type { TicketEventPayload } from '@gridline/core';
import type { TicketDetail, TimelineEntry } from './api.ts';

/** Apply a pushed event to the detail (newer versions only) and add it to the timeline once. */
export function mergeLiveEvent(
  detail: TicketDetail,
  timeline: readonly TimelineEntry[],
  payload: TicketEventPayload,
): { detail: TicketDetail; timeline: readonly TimelineEntry[] } {
  const { ticket, ...entry } = payload;
  const nextDetail = ticket.version > detail.version ? { ...detail, ...ticket } : detail;
  if (timeline.some((item) => item.eventId === entry.eventId)) {
    return { detail: nextDetail, timeline };
  }
  const nextTimeline = [...timeline, entry].sort((a, b) => a.eventId - b.eventId);
  return { detail: nextDetail, timeline: nextTimeline };
}

/** What kind of step an entry records, for its label. */
export function entryAction(entry: TimelineEntry): string {
  const action = entry.data.action;
  if (typeof action === 'string' && action !== '') return action;
  return entry.type.replace(/^ticket\./, '');
}

/** Free text an entry carries (a note, a reason typed by a person), if any. */
export function entryNote(entry: TimelineEntry): string | null {
  for (const key of ['note', 'reason', 'comment'] as const) {
    const value = entry.data[key];
    if (typeof value === 'string' && value.trim() !== '' && !SYSTEM_REASONS.has(value))
      return value;
  }
  return null;
}

/** Reasons the system writes (translated by key, not shown as typed text). */
export const SYSTEM_REASONS: ReadonlySet<string> = new Set([
  'accept-deadline',
  'resolve-deadline',
  'summons-deadline',
  'manual',
  'rating window passed',
]);

export function entrySystemReason(entry: TimelineEntry): string | null {
  const reason = entry.data.reason;
  return typeof reason === 'string' && SYSTEM_REASONS.has(reason) ? reason : null;
}

/** Numbers an entry mentions, when present. */
export function entryNumber(entry: TimelineEntry, key: string): number | null {
  const value = entry.data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function entryStrings(entry: TimelineEntry, key: string): string[] {
  const value = entry.data[key];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}
