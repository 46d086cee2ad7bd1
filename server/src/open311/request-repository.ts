import {
  deadlinePolicySchema,
  OPEN311_PUBLIC_ACTIONS,
  storedCategoryAttributes,
  type Open311EventView,
  type Open311TicketView,
  type TicketStatus,
} from '@gridline/core';
import { Prisma, type PrismaClient } from '@gridline/db';

/**
 * Tickets filed by call buttons stay out of Open311: they sit at a care
 * recipient's home, whose record is read only by staff and under audit.
 */
const HIDDEN_CHANNELS = ['DEVICE'] as const;

export type RequestFilter =
  | { kind: 'codes'; codes: readonly string[] }
  | {
      kind: 'window';
      start: Date;
      end: Date;
      categoryCodes: readonly string[];
      statuses: readonly TicketStatus[];
      limit: number;
    };

export interface PublicUpdateRow {
  eventId: number;
  ticketCode: string;
  ticketStatus: TicketStatus;
  at: Date;
  event: Open311EventView;
  /** The ticket's media URL, on its `created` update. */
  mediaUrl: string | null;
}

interface RawLatestEvent {
  ticket_id: number;
  type: string;
  to_status: TicketStatus | null;
  payload: Prisma.JsonValue;
}

interface RawUpdate {
  id: number;
  type: string;
  to_status: TicketStatus | null;
  payload: Prisma.JsonValue;
  created_at: Date;
  code: string;
  status: TicketStatus;
  media_url: string | null;
}

const ticketFields = {
  id: true,
  code: true,
  status: true,
  priority: true,
  description: true,
  address: true,
  lat: true,
  lng: true,
  mediaUrl: true,
  createdAt: true,
  updatedAt: true,
  acceptBy: true,
  resolveBy: true,
  category: {
    select: {
      code: true,
      nameZh: true,
      nameEn: true,
      department: true,
      defaultPriority: true,
      policy: true,
      sensitive: true,
      attributes: true,
    },
  },
} as const;

function payloadObject(payload: Prisma.JsonValue): Record<string, unknown> {
  return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)
    : {};
}

/** What the Open311 reads need of tickets and their timelines; nothing of the reporter. */
export class Open311RequestRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Tickets by code, or filed within a window (newest first), each with its latest public update. */
  async findTickets(filter: RequestFilter): Promise<Open311TicketView[]> {
    const where: Prisma.TicketWhereInput =
      filter.kind === 'codes'
        ? { code: { in: [...filter.codes] } }
        : {
            createdAt: { gte: filter.start, lte: filter.end },
            ...(filter.categoryCodes.length > 0
              ? { category: { code: { in: [...filter.categoryCodes] } } }
              : {}),
            status: { in: [...filter.statuses] },
          };
    const rows = await this.prisma.ticket.findMany({
      where: { ...where, channel: { notIn: [...HIDDEN_CHANNELS] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.kind === 'codes' ? filter.codes.length : filter.limit,
      select: ticketFields,
    });
    if (rows.length === 0) return [];
    const latest = await this.prisma.$queryRaw<RawLatestEvent[]>`
      SELECT DISTINCT ON (ticket_id) ticket_id, type, to_status, payload
      FROM ticket_events
      WHERE ticket_id = ANY(${rows.map((row) => row.id)}::int[])
        AND (type = 'ticket.created' OR payload->>'action' = ANY(${[...OPEN311_PUBLIC_ACTIONS]}::text[]))
      ORDER BY ticket_id, id DESC`;
    const latestByTicket = new Map(latest.map((event) => [event.ticket_id, event]));
    return rows.map((row) => {
      const event = latestByTicket.get(row.id);
      return {
        code: row.code,
        status: row.status,
        priority: row.priority,
        description: row.description,
        address: row.address,
        lat: row.lat,
        lng: row.lng,
        mediaUrl: row.mediaUrl,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        acceptBy: row.acceptBy,
        resolveBy: row.resolveBy,
        category: {
          code: row.category.code,
          names: { zh: row.category.nameZh, en: row.category.nameEn },
          department: row.category.department,
          defaultPriority: row.category.defaultPriority,
          policy: deadlinePolicySchema.parse(row.category.policy),
          attributes: storedCategoryAttributes(row.category.attributes),
          sensitive: row.category.sensitive,
        },
        latestUpdate: event
          ? { type: event.type, toStatus: event.to_status, data: payloadObject(event.payload) }
          : null,
      };
    });
  }

  /** Whether Open311 shows a ticket of this code. */
  async exists(code: string): Promise<boolean> {
    const row = await this.prisma.ticket.findFirst({
      where: { code, channel: { notIn: [...HIDDEN_CHANNELS] } },
      select: { id: true },
    });
    return row !== null;
  }

  /** The public updates within a window, oldest first; of one ticket when `ticketCode` is given. */
  async findUpdates(filter: {
    start: Date;
    end: Date;
    ticketCode: string | null;
    limit: number;
  }): Promise<PublicUpdateRow[]> {
    const oneTicket =
      filter.ticketCode === null ? Prisma.empty : Prisma.sql`AND t.code = ${filter.ticketCode}`;
    const rows = await this.prisma.$queryRaw<RawUpdate[]>`
      SELECT e.id, e.type, e.to_status, e.payload, e.created_at, t.code, t.status, t.media_url
      FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
      WHERE e.created_at >= ${filter.start} AND e.created_at <= ${filter.end}
        AND t.channel <> ALL(${[...HIDDEN_CHANNELS]}::"Channel"[])
        AND (e.type = 'ticket.created' OR e.payload->>'action' = ANY(${[...OPEN311_PUBLIC_ACTIONS]}::text[]))
        ${oneTicket}
      ORDER BY e.id
      LIMIT ${filter.limit}`;
    return rows.map((row) => ({
      eventId: row.id,
      ticketCode: row.code,
      ticketStatus: row.status,
      at: new Date(row.created_at),
      event: { type: row.type, toStatus: row.to_status, data: payloadObject(row.payload) },
      mediaUrl: row.type === 'ticket.created' ? row.media_url : null,
    }));
  }
}
