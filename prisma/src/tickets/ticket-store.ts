import type {
  TicketEventPayload,
  TicketEventType,
  TicketStatus,
  TicketSummary,
} from '@gridline/core';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { toEventPayload, toTicketSummary, withCategory } from './ticket-summary.ts';

type Tx = Prisma.TransactionClient;

/**
 * Event ids must become visible in id order, or a client catching up with
 * `after=<id>` could skip an event whose transaction committed late. Every
 * transaction that appends ticket events takes this lock just before the
 * insert and holds it to commit, so ids are assigned in commit order.
 */
const EVENT_ORDER_LOCK = 74_201;

export interface NewTicketEvent {
  type: TicketEventType;
  actorId: number | null;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  data?: Prisma.InputJsonObject;
}

export interface StoredIdempotency {
  scope: string;
  key: string;
  requestHash: string;
  /** Builds the stored response from the created ticket. */
  response: (ticket: TicketSummary) => { status: number; body: Prisma.InputJsonObject };
}

export interface TicketChange {
  ticket: TicketSummary;
  events: TicketEventPayload[];
}

export interface TransitionRequest {
  ticketId: number;
  expectedVersion: number;
  expectedStatuses: readonly TicketStatus[];
  data: Omit<Prisma.TicketUncheckedUpdateManyInput, 'version'>;
  events: NewTicketEvent[];
  /** Extra guard on the row, e.g. the escalation level the timer was scheduled for. */
  where?: Prisma.TicketWhereInput;
}

export class TicketStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Inserts a ticket, its first events and (optionally) the idempotency record in one transaction. */
  async create(
    data: Prisma.TicketUncheckedCreateInput,
    events: NewTicketEvent[],
    idempotency?: StoredIdempotency,
  ): Promise<TicketChange> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.ticket.create({ data, include: withCategory });
      const ticket = toTicketSummary(row);
      if (idempotency) {
        const { status, body } = idempotency.response(ticket);
        await tx.idempotencyKey.create({
          data: {
            scope: idempotency.scope,
            key: idempotency.key,
            requestHash: idempotency.requestHash,
            status,
            response: body,
          },
        });
      }
      const stored = await appendEvents(tx, row.id, events);
      return { ticket, events: stored.map((event) => toEventPayload(event, ticket)) };
    });
  }

  /**
   * A conditional state change: applies `data` only while the ticket still has
   * the expected version and status, bumps the version and appends the events.
   * Returns null when the state has moved on.
   */
  async transition(request: TransitionRequest): Promise<TicketChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.ticket.updateMany({
        where: {
          ...request.where,
          id: request.ticketId,
          version: request.expectedVersion,
          status: { in: [...request.expectedStatuses] },
        },
        data: { ...request.data, version: { increment: 1 } },
      });
      if (count === 0) return null;
      const row = await tx.ticket.findUniqueOrThrow({
        where: { id: request.ticketId },
        include: withCategory,
      });
      const ticket = toTicketSummary(row);
      const stored = await appendEvents(tx, row.id, request.events);
      return { ticket, events: stored.map((event) => toEventPayload(event, ticket)) };
    });
  }

  async findSummary(ticketId: number): Promise<TicketSummary | null> {
    const row = await this.prisma.ticket.findUnique({
      where: { id: ticketId },
      include: withCategory,
    });
    return row ? toTicketSummary(row) : null;
  }

  /** Events after `after` on tickets matching `scope`, oldest first, with current summaries. */
  async eventsAfter(
    after: number,
    limit: number,
    scope: Prisma.TicketWhereInput,
  ): Promise<TicketEventPayload[]> {
    const rows = await this.prisma.ticketEvent.findMany({
      where: { id: { gt: after }, ticket: scope },
      orderBy: { id: 'asc' },
      take: limit,
      include: { ticket: { include: withCategory } },
    });
    return rows.map(({ ticket, ...event }) => toEventPayload(event, toTicketSummary(ticket)));
  }
}

async function appendEvents(tx: Tx, ticketId: number, events: NewTicketEvent[]) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;
  const stored = await tx.ticketEvent.createManyAndReturn({
    data: events.map((event) => ({
      ticketId,
      type: event.type,
      actorId: event.actorId,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      payload: event.data ?? {},
    })),
  });
  return stored.sort((a, b) => a.id - b.id);
}
