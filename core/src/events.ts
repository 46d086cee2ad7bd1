import { z } from 'zod';
import type { TicketStatus, TicketSummary } from './tickets.ts';
import type { PositionUpdatedPayload } from './positions.ts';
import type { TaskEventPayload, TaskEventType } from './tasks.ts';
import type { TrackedEventPayload } from './track.ts';

/** Socket.IO server -> client event names (DESIGN.md "Real time"). */
export const SERVER_EVENTS = [
  'ticket.created',
  'ticket.assigned',
  'ticket.accepted',
  'ticket.updated',
  'ticket.escalated',
  'ticket.resolved',
  'ticket.closed',
  'ticket.reopened',
  'task.offered',
  'task.filled',
  'task.updated',
  'position.updated',
  'stats.updated',
] as const;
export type ServerEventName = (typeof SERVER_EVENTS)[number];

/** Event types stored on the ticket timeline; most map 1:1 to a pushed event. */
export type TicketEventType =
  | 'ticket.created'
  | 'ticket.assigned'
  | 'ticket.accepted'
  | 'ticket.escalated'
  | 'ticket.updated'
  | 'ticket.resolved'
  | 'ticket.closed'
  | 'ticket.reopened';

export interface TicketEventPayload {
  eventId: number;
  type: TicketEventType;
  at: string;
  actorId: number | null;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  data: Record<string, unknown>;
  ticket: TicketSummary;
}

export type ServerToClientEvents = {
  [K in TicketEventType]: (payload: TicketEventPayload) => void;
} & {
  [K in TaskEventType]: (payload: TaskEventPayload) => void;
} & {
  /** A field user's live position (see positions.ts); no event id, never replayed. */
  'position.updated': (payload: PositionUpdatedPayload) => void;
  'session.revoked': () => void;
  /** A ticket's public step, to its tracking links (see track.ts). */
  'ticket.tracked': (payload: TrackedEventPayload) => void;
};

export interface ClientToServerEvents {
  /** Ask to join a room; the server checks scope. */
  'room.join': (room: string, ack: (result: { ok: boolean; error?: string }) => void) => void;
  'room.leave': (room: string, ack: (result: { ok: boolean }) => void) => void;
}

/** Room names. */
export const rooms = {
  user: (id: number) => `user:${id}`,
  region: (id: number) => `region:${id}`,
  ticket: (id: number) => `ticket:${id}`,
  task: (id: number) => `task:${id}`,
  /** A ticket's tracking links (joined at the handshake with the token, never by room.join). */
  track: (ticketId: number) => `track:${ticketId}`,
};

export const roomNameSchema = z
  .string()
  .max(40)
  .regex(/^(user|region|ticket|task):[1-9][0-9]{0,9}$/);

export const eventsQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/**
 * Rooms an event about a ticket goes to: its assignee, every region that
 * contains it (grid up to district; the city room via `cityRegionId`), and the
 * ticket's own room.
 */
export function ticketRooms(ticket: TicketSummary, cityRegionId: number | null): string[] {
  const targets: string[] = [rooms.ticket(ticket.id)];
  if (ticket.assigneeId !== null) targets.push(rooms.user(ticket.assigneeId));
  for (const regionId of [ticket.gridId, ticket.communityId, ticket.streetId, ticket.districtId]) {
    if (regionId !== null) targets.push(rooms.region(regionId));
  }
  if (cityRegionId !== null) targets.push(rooms.region(cityRegionId));
  return targets;
}
