import type { TicketEventPayload, TicketEventType, TicketSummary } from '@gridline/core';
import type { Ticket, TicketEvent } from '../generated/prisma/client.ts';

export type TicketWithCategory = Ticket & { category: { code: string } };

export const withCategory = { category: { select: { code: true } } } as const;

export function toTicketSummary(row: TicketWithCategory): TicketSummary {
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    categoryCode: row.category.code,
    priority: row.priority,
    channel: row.channel,
    location: { lat: row.lat, lng: row.lng },
    address: row.address,
    gridId: row.gridId,
    communityId: row.communityId,
    streetId: row.streetId,
    districtId: row.districtId,
    assigneeId: row.assigneeId,
    escalationLevel: row.escalationLevel,
    acceptBy: row.acceptBy?.toISOString() ?? null,
    resolveBy: row.resolveBy?.toISOString() ?? null,
    overdue: row.overdue,
    outsideGrid: row.outsideGrid,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toEventPayload(event: TicketEvent, ticket: TicketSummary): TicketEventPayload {
  const data = event.payload;
  return {
    eventId: event.id,
    type: event.type as TicketEventType,
    at: event.createdAt.toISOString(),
    actorId: event.actorId,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {},
    ticket,
  };
}
