import { timingSafeEqual } from 'node:crypto';
import {
  OPEN_STATUSES,
  RATING_WINDOW_DAYS,
  scaledMs,
  trackEntryOf,
  trackOptionsOf,
  trackedTicketOf,
  type TicketEventType,
  type TicketStatus,
  type TicketSummary,
  type TrackingLink,
  type TrackTimelineEntry,
  type TrackView,
} from '@gridline/core';
import type { PrismaClient, TicketStore } from '@gridline/db';
import { HttpError, notFound } from '../http/errors.ts';
import type { PhotoDto, PhotoService } from '../photos/photo-service.ts';
import { hashToken, newTrackingToken } from '../tickets/codes.ts';
import type { CategoryCatalog, Clock } from '../tickets/ports.ts';
import type { TicketService } from '../tickets/ticket-service.ts';

export interface TrackServiceDeps {
  prisma: PrismaClient;
  store: TicketStore;
  tickets: TicketService;
  photos: PhotoService;
  categories: CategoryCatalog;
  clock: Clock;
  timeScale: number;
}

/** What the holder of a tracking link may do (the reporter's actions, nothing else). */
export const TRACKER_ACTIONS = ['rate', 'reopen'] as const;
export type TrackerAction = (typeof TRACKER_ACTIONS)[number];

const UNKNOWN = 'No ticket with this code and tracking token';

/** How a ticket is opened: by its link (code and token), or by a signed-in resident's account. */
export type TrackAccess = { code: string; token: string } | { code: string; userId: number };

/**
 * A resident's view of their ticket through its private tracking link: the
 * code names the ticket, the token proves the link. A wrong token and an
 * unknown code get the same 404, so a link cannot be guessed code by code.
 */
export class TrackService {
  constructor(private readonly deps: TrackServiceDeps) {}

  /** The ticket the link opens and whose link it is, or a 404. */
  async linkOf(code: string, token: string): Promise<TrackingLink> {
    const tokenHash = hashToken(token);
    const row = await this.deps.prisma.ticket.findUnique({
      where: { code },
      select: { id: true, trackingTokenHash: true },
    });
    if (!row) throw new HttpError('NOT_FOUND', UNKNOWN);
    if (sameHash(row.trackingTokenHash, tokenHash)) return { ticketId: row.id, holder: 'reporter' };
    const follower = await this.deps.prisma.ticketFollower.findUnique({
      where: { tokenHash },
      select: { ticketId: true },
    });
    if (follower?.ticketId !== row.id) throw new HttpError('NOT_FOUND', UNKNOWN);
    return { ticketId: row.id, holder: 'follower' };
  }

  /** The ticket a signed-in resident reported or follows, or a 404. */
  async linkOfResident(code: string, userId: number): Promise<TrackingLink> {
    const row = await this.deps.prisma.ticket.findUnique({
      where: { code },
      select: { id: true, reporterUserId: true },
    });
    if (!row) throw new HttpError('NOT_FOUND', UNKNOWN);
    if (row.reporterUserId === userId) return { ticketId: row.id, holder: 'reporter' };
    const follows = await this.deps.prisma.ticketFollower.findFirst({
      where: { ticketId: row.id, userId },
      select: { id: true },
    });
    if (!follows) throw new HttpError('NOT_FOUND', UNKNOWN);
    return { ticketId: row.id, holder: 'follower' };
  }

  resolve(access: TrackAccess): Promise<TrackingLink> {
    return 'token' in access
      ? this.linkOf(access.code, access.token)
      : this.linkOfResident(access.code, access.userId);
  }

  /** The tickets a signed-in resident reported or follows (their socket hears them all). */
  async ticketIdsOfResident(userId: number): Promise<number[]> {
    const [reported, followed] = await Promise.all([
      this.deps.prisma.ticket.findMany({
        where: { reporterUserId: userId },
        select: { id: true },
        orderBy: { id: 'desc' },
        take: 200,
      }),
      this.deps.prisma.ticketFollower.findMany({
        where: { userId },
        select: { ticketId: true },
        orderBy: { id: 'desc' },
        take: 200,
      }),
    ]);
    return [...new Set([...reported.map((row) => row.id), ...followed.map((row) => row.ticketId)])];
  }

  /** The ticket a socket's tracking token opens (the token alone names it), or null. */
  async ticketIdOfToken(token: string): Promise<number | null> {
    const tokenHash = hashToken(token);
    const row = await this.deps.prisma.ticket.findFirst({
      where: { trackingTokenHash: tokenHash },
      select: { id: true },
    });
    if (row) return row.id;
    const follower = await this.deps.prisma.ticketFollower.findUnique({
      where: { tokenHash },
      select: { ticketId: true },
    });
    return follower?.ticketId ?? null;
  }

  /**
   * Follow an open ticket instead of reporting it again: a tracking link of
   * one's own to it, which reads and hears it but may not rate or reopen it.
   */
  async follow(
    ticketId: number,
    userId: number | null = null,
  ): Promise<{ code: string; trackingToken: string }> {
    const ticket = await this.deps.store.findSummary(ticketId);
    if (!ticket) throw notFound('Ticket');
    if (!OPEN_STATUSES.includes(ticket.status)) {
      throw new HttpError('CONFLICT', 'Only open tickets can be followed');
    }
    const tracking = newTrackingToken();
    await this.deps.prisma.ticketFollower.create({
      data: { ticketId, tokenHash: tracking.hash, userId },
    });
    return { code: ticket.code, trackingToken: tracking.token };
  }

  async view(access: TrackAccess): Promise<TrackView> {
    const { ticketId, holder } = await this.resolve(access);
    const summary = await this.deps.store.findSummary(ticketId);
    const row = await this.deps.prisma.ticket.findUnique({
      where: { id: ticketId },
      select: {
        description: true,
        rating: true,
        ratingComment: true,
        resolvedAt: true,
        ratedAt: true,
        duplicateOfId: true,
      },
    });
    if (!summary || !row) throw notFound('Ticket');
    const category = await this.deps.categories.byCode(summary.categoryCode);
    const ratingWindowMs = scaledMs(RATING_WINDOW_DAYS * 24 * 60, this.deps.timeScale);
    const photos = await this.deps.photos.list(ticketId);
    return {
      ticket: {
        ...trackedTicketOf(summary),
        categoryNames: category?.names ?? { zh: summary.categoryCode, en: summary.categoryCode },
        description: row.description,
        rating: row.rating,
        ratingComment: row.ratingComment,
        resolvedAt: row.resolvedAt?.toISOString() ?? null,
      },
      holder,
      options: trackOptionsOf(
        { status: summary.status, resolvedAt: row.resolvedAt, ratedAt: row.ratedAt },
        this.deps.clock.now(),
        ratingWindowMs,
        holder,
      ),
      timeline: await this.timeline(ticketId),
      photos: photos.map((photo) => trackedPhoto(access, photo)),
      follows: row.duplicateOfId === null ? null : await this.original(row.duplicateOfId),
    };
  }

  async act(
    access: TrackAccess,
    action: TrackerAction,
    body: unknown,
    requestId?: string,
  ): Promise<TicketSummary> {
    const { ticketId, holder } = await this.resolve(access);
    if (holder !== 'reporter') {
      throw new HttpError('FORBIDDEN', 'Only the reporter may rate or reopen this ticket');
    }
    return this.deps.tickets.actAsTracker(ticketId, action, body, requestId);
  }

  async addPhoto(access: TrackAccess, body: unknown): Promise<PhotoDto> {
    const { ticketId, holder } = await this.resolve(access);
    if (holder !== 'reporter') {
      throw new HttpError('FORBIDDEN', 'Only the reporter may add photos to this ticket');
    }
    return trackedPhoto(access, await this.deps.photos.addByTracker(ticketId, body));
  }

  async photoFile(access: TrackAccess, photoId: number): Promise<{ path: string; mime: string }> {
    const { ticketId } = await this.resolve(access);
    return this.deps.photos.fileOf(ticketId, photoId);
  }

  private async timeline(ticketId: number): Promise<TrackTimelineEntry[]> {
    const events = await this.deps.prisma.ticketEvent.findMany({
      where: { ticketId },
      orderBy: { id: 'asc' },
      select: { id: true, type: true, toStatus: true, payload: true, createdAt: true },
    });
    return events.flatMap((event) => {
      const entry = trackEntryOf({
        eventId: event.id,
        type: event.type as TicketEventType,
        at: event.createdAt.toISOString(),
        toStatus: event.toStatus,
        data: isRecord(event.payload) ? event.payload : {},
      });
      return entry ? [entry] : [];
    });
  }

  private async original(
    ticketId: number,
  ): Promise<{ code: string; status: TicketStatus; timeline: TrackTimelineEntry[] } | null> {
    const original = await this.deps.store.findSummary(ticketId);
    if (!original) return null;
    return {
      code: original.code,
      status: original.status,
      timeline: await this.timeline(ticketId),
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Photos of a tracked ticket are fetched through the link, never with staff URLs. */
function trackedPhoto(access: TrackAccess, photo: PhotoDto): PhotoDto {
  const query = 'token' in access ? `?token=${encodeURIComponent(access.token)}` : '';
  return {
    ...photo,
    url: `/api/track/${encodeURIComponent(access.code)}/photos/${photo.id}${query}`,
  };
}
