import type { PrismaClient, TicketStore } from '@gridline/db';
import { OPEN_STATUSES, relationsOf, STAFF_ROLES, type TicketSummary } from '@gridline/core';
import { HttpError, notFound } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { canSeeTicket } from '../auth/scope.ts';
import type { TicketPublisher } from '../tickets/ports.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import { ImageFormatError, sniffImage, stripMetadata } from './image-sniffing.ts';
import type { PhotoStore } from './photo-store.ts';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTOS_PER_KIND = 6;
/** A resident reporting through the web adds up to 3. */
export const MAX_RESIDENT_PHOTOS = 3;

export interface PhotoDto {
  id: number;
  kind: 'REPORT' | 'RESOLUTION';
  mime: string;
  bytes: number;
  url: string;
  createdAt: string;
}

const RESOLVING: readonly TicketSummary['status'][] = [
  'ACCEPTED',
  'IN_PROGRESS',
  'PENDING',
  'RESOLVED',
];

export class PhotoService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      store: TicketStore;
      photos: PhotoStore;
      tickets: TicketService;
      publisher: TicketPublisher;
    },
  ) {}

  /** The assignee adds resolution photos; the reporter and supervisors add report photos. */
  async add(ticketId: number, auth: AuthContext, body: unknown): Promise<PhotoDto> {
    const ticket = await this.deps.tickets.visibleTicket(ticketId, auth);
    const row = await this.deps.prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { reporterUserId: true },
    });
    const relations = relationsOf({
      role: auth.user.role,
      isAssignee: ticket.assigneeId === auth.user.id,
      inScope:
        STAFF_ROLES.includes(auth.user.role) && canSeeTicket(auth, ticket, row.reporterUserId),
      isReporter: row.reporterUserId === auth.user.id,
    });
    const kind =
      relations.has('assignee') && RESOLVING.includes(ticket.status) ? 'RESOLUTION' : 'REPORT';
    if (!relations.has('assignee') && !relations.has('supervisor') && !relations.has('reporter')) {
      throw new HttpError('FORBIDDEN', 'You may not add photos to this ticket');
    }
    return this.store(ticket, kind, body, auth.user.id, MAX_PHOTOS_PER_KIND);
  }

  /** The holder of a tracking link adds photos to their report (fewer than staff may). */
  async addByTracker(ticketId: number, body: unknown): Promise<PhotoDto> {
    const ticket = await this.deps.store.findSummary(ticketId);
    if (!ticket) throw notFound('Ticket');
    if (!OPEN_STATUSES.includes(ticket.status)) {
      throw new HttpError('CONFLICT', 'Photos can be added while the ticket is open');
    }
    return this.store(ticket, 'REPORT', body, null, MAX_RESIDENT_PHOTOS);
  }

  private async store(
    ticket: TicketSummary,
    kind: PhotoDto['kind'],
    body: unknown,
    actorId: number | null,
    limit: number,
  ): Promise<PhotoDto> {
    const ticketId = ticket.id;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      throw new HttpError('VALIDATION_FAILED', 'Send the image bytes as the request body');
    }
    const type = sniffImage(body);
    if (!type) throw new HttpError('UNPROCESSABLE', 'Only JPEG, PNG or WebP images are accepted');
    let clean: Uint8Array;
    try {
      clean = stripMetadata(body, type);
    } catch (error) {
      if (error instanceof ImageFormatError)
        throw new HttpError('UNPROCESSABLE', `Broken image: ${error.message}`);
      throw error;
    }
    const existing = await this.deps.prisma.ticketPhoto.count({ where: { ticketId, kind } });
    if (existing >= limit) {
      throw new HttpError(
        'CONFLICT',
        `A ticket holds at most ${limit} ${kind.toLowerCase()} photos`,
      );
    }
    const sha256 = await this.deps.photos.save(clean);
    const photo = await this.deps.prisma.ticketPhoto.create({
      data: { ticketId, kind, sha256, mime: type, bytes: clean.length },
    });
    const change = await this.deps.store.appendEvent(ticketId, {
      type: 'ticket.updated',
      actorId,
      fromStatus: ticket.status,
      toStatus: ticket.status,
      data: { action: 'photo', photoId: photo.id, kind },
    });
    if (change) this.deps.publisher.publish(change);
    return photoDto(photo);
  }

  async list(ticketId: number): Promise<PhotoDto[]> {
    const photos = await this.deps.prisma.ticketPhoto.findMany({
      where: { ticketId },
      orderBy: { id: 'asc' },
    });
    return photos.map(photoDto);
  }

  /** The file of a photo, for those who may see its ticket. */
  async file(
    ticketId: number,
    photoId: number,
    auth: AuthContext,
  ): Promise<{ path: string; mime: string }> {
    await this.deps.tickets.visibleTicket(ticketId, auth);
    return this.fileOf(ticketId, photoId);
  }

  /** The file of one of a ticket's photos; the caller has checked who asks. */
  async fileOf(ticketId: number, photoId: number): Promise<{ path: string; mime: string }> {
    const photo = await this.deps.prisma.ticketPhoto.findFirst({
      where: { id: photoId, ticketId },
    });
    if (!photo) throw notFound('Photo');
    return { path: this.deps.photos.pathOf(photo.sha256), mime: photo.mime };
  }
}

export function photoDto(photo: {
  id: number;
  ticketId: number;
  kind: 'REPORT' | 'RESOLUTION';
  mime: string;
  bytes: number;
  createdAt: Date;
}): PhotoDto {
  return {
    id: photo.id,
    kind: photo.kind,
    mime: photo.mime,
    bytes: photo.bytes,
    url: `/api/tickets/${photo.ticketId}/photos/${photo.id}`,
    createdAt: photo.createdAt.toISOString(),
  };
}
