/**
 * What a resident holding a ticket's tracking link sees: the ticket's status
 * and a timeline of public steps, with no staff names, ids or phones, no
 * escalations and no internal reminders.
 */
import { z } from 'zod';
import type { LatLng } from './geo.ts';
import type { Priority } from './categories.ts';
import { canTransition, REOPEN_WINDOW_DAYS } from './lifecycle.ts';
import type { TicketEventPayload } from './events.ts';
import type { TicketStatus, TicketSummary } from './tickets.ts';

/** Tracking tokens are 24 random bytes in base64url (32 characters). */
export const trackingTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'a tracking token from the tracking link');

export const ticketCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^GL-[0-9]{6}-[0-9A-Z]{6}$/, 'a ticket code such as GL-261122-7K3Q9M');

export const trackQuerySchema = z.object({ token: trackingTokenSchema });

/** The public steps of a ticket's life, in the order a resident meets them. */
export const TRACK_STEPS = [
  'created',
  'assigned',
  'accepted',
  'started',
  'pending',
  'resumed',
  'photo',
  'resolved',
  'verified',
  'rated',
  'closed',
  'reopened',
  'merged',
  'cancelled',
] as const;
export type TrackStep = (typeof TRACK_STEPS)[number];

export interface TrackTimelineEntry {
  eventId: number;
  at: string;
  step: TrackStep;
  status: TicketStatus | null;
  /** The resolution note, the reason for a pause or reopening, the rating comment. */
  note: string | null;
  rating: 'GOOD' | 'BAD' | null;
  /** The code of the ticket this one was merged into. */
  intoCode: string | null;
}

/** A stored or pushed ticket event, as far as the public view needs it. */
export interface TicketEventLike {
  eventId: number;
  type: TicketEventPayload['type'];
  at: string;
  toStatus: TicketStatus | null;
  data: Record<string, unknown>;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The public step an event shows as, or null for what residents do not see. */
export function trackStepOf(event: TicketEventLike): TrackStep | null {
  const action = text(event.data.action);
  switch (event.type) {
    case 'ticket.created':
      return 'created';
    case 'ticket.assigned':
      return 'assigned';
    case 'ticket.accepted':
      return 'accepted';
    case 'ticket.resolved':
      return 'resolved';
    case 'ticket.reopened':
      return 'reopened';
    case 'ticket.escalated':
      return null;
    case 'ticket.closed':
      if (action === 'merge') return 'merged';
      if (action === 'cancel') return 'cancelled';
      return 'closed';
    case 'ticket.updated':
      switch (action) {
        case 'start':
          return 'started';
        case 'pend':
          return 'pending';
        case 'resume':
          return 'resumed';
        case 'verify':
          return 'verified';
        case 'rated':
          return 'rated';
        case 'photo':
          return 'photo';
        default:
          return null;
      }
  }
}

/** The event as a resident's timeline shows it, or null when it is internal. */
export function trackEntryOf(event: TicketEventLike): TrackTimelineEntry | null {
  const step = trackStepOf(event);
  if (step === null) return null;
  const note =
    step === 'resolved' || step === 'verified'
      ? text(event.data.note)
      : step === 'pending' || step === 'reopened' || step === 'cancelled'
        ? text(event.data.reason)
        : step === 'rated'
          ? text(event.data.comment)
          : null;
  const rating =
    event.data.rating === 'GOOD' || event.data.rating === 'BAD' ? event.data.rating : null;
  return {
    eventId: event.eventId,
    at: event.at,
    step,
    status: event.toStatus,
    note,
    rating: step === 'rated' ? rating : null,
    intoCode: step === 'merged' ? text(event.data.intoCode) : null,
  };
}

/** The ticket as its tracking link shows it. */
export interface TrackedTicket {
  code: string;
  status: TicketStatus;
  categoryCode: string;
  priority: Priority;
  location: LatLng;
  address: string | null;
  createdAt: string;
  updatedAt: string;
  acceptBy: string | null;
  resolveBy: string | null;
  overdue: boolean;
  version: number;
}

export function trackedTicketOf(ticket: TicketSummary): TrackedTicket {
  return {
    code: ticket.code,
    status: ticket.status,
    categoryCode: ticket.categoryCode,
    priority: ticket.priority,
    location: ticket.location,
    address: ticket.address,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    acceptBy: ticket.acceptBy,
    resolveBy: ticket.resolveBy,
    overdue: ticket.overdue,
    version: ticket.version,
  };
}

/** Pushed to a tracking link's socket (event `ticket.tracked`). */
export interface TrackedEventPayload {
  eventId: number;
  /** The code of the ticket the event is about (the original, for a merged duplicate). */
  code: string;
  entry: TrackTimelineEntry;
  ticket: TrackedTicket;
}

/** The push for tracking links, or null when the event is internal. */
export function trackedEventOf(event: TicketEventPayload): TrackedEventPayload | null {
  const entry = trackEntryOf(event);
  if (!entry) return null;
  return {
    eventId: event.eventId,
    code: event.ticket.code,
    entry,
    ticket: trackedTicketOf(event.ticket),
  };
}

/** What the reporter may still do, and until when. */
export interface TrackOptions {
  canRate: boolean;
  canReopen: boolean;
  reopenUntil: string | null;
}

export interface RatableTicket {
  status: TicketStatus;
  resolvedAt: Date | null;
  ratedAt: Date | null;
}

/**
 * A reporter rates once per round of resolution: within the rating window
 * after resolution, or later while the ticket still waits for its rating
 * (verification can take longer than the window).
 */
export function mayRate(ticket: RatableTicket, now: Date, ratingWindowMs: number): boolean {
  if (!canTransition('rate', ticket.status) || ticket.resolvedAt === null) return false;
  if (ticket.ratedAt !== null && ticket.ratedAt >= ticket.resolvedAt) return false;
  const inWindow = now.getTime() <= ticket.resolvedAt.getTime() + ratingWindowMs;
  return inWindow || ticket.status !== 'CLOSED';
}

export function reopenDeadline(resolvedAt: Date | null): Date | null {
  return resolvedAt === null
    ? null
    : new Date(resolvedAt.getTime() + REOPEN_WINDOW_DAYS * 24 * 3600 * 1000);
}

/** Whose link it is: the reporter's own, or a follower's (read only). */
export type LinkHolder = 'reporter' | 'follower';

export interface TrackingLink {
  ticketId: number;
  holder: LinkHolder;
}

export function trackOptionsOf(
  ticket: RatableTicket,
  now: Date,
  ratingWindowMs: number,
  holder: LinkHolder = 'reporter',
): TrackOptions {
  const reopenUntil = reopenDeadline(ticket.resolvedAt);
  const reporter = holder === 'reporter';
  return {
    canRate: reporter && mayRate(ticket, now, ratingWindowMs),
    canReopen:
      reporter &&
      canTransition('reopen', ticket.status) &&
      reopenUntil !== null &&
      now.getTime() <= reopenUntil.getTime(),
    reopenUntil: reopenUntil?.toISOString() ?? null,
  };
}

/** `GET /api/track/:code?token=`. */
export interface TrackView {
  ticket: TrackedTicket & {
    categoryNames: { zh: string; en: string };
    description: string;
    rating: 'GOOD' | 'BAD' | null;
    ratingComment: string | null;
    resolvedAt: string | null;
  };
  holder: LinkHolder;
  options: TrackOptions;
  timeline: TrackTimelineEntry[];
  photos: Array<{ id: number; kind: 'REPORT' | 'RESOLUTION'; url: string }>;
  /** For a ticket merged into another: the one it follows now. */
  follows: { code: string; status: TicketStatus; timeline: TrackTimelineEntry[] } | null;
}
