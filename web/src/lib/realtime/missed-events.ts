import { api } from '../api/client.ts';
import { fetchEventsSince, type CatchUpResult } from '../dispatch/ticket-board.ts';

/**
 * Events are pushed after their commits by several processes, so one with a
 * lower id can arrive after a higher one: a catch-up replays this many ids
 * before the highest seen (boards ignore what they already applied).
 */
export const REPLAY_MARGIN = 200;

/** What a page missed since the highest event id it saw, oldest first (`GET /api/events`). */
export function fetchMissedEvents(lastSeen: number): Promise<CatchUpResult> {
  return fetchEventsSince(
    Math.max(0, lastSeen - REPLAY_MARGIN),
    async (cursor, limit) => (await api.eventsAfter(cursor, limit)).events,
  );
}
