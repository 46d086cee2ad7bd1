import {
  OPEN_STATUSES,
  STAFF_ROLES,
  relationsOf,
  scaledMs,
  summonSchema,
  summonsReportSchema,
} from '@gridline/core';
import type { PrismaClient, TicketStore } from '@gridline/db';
import { canSeeTicket } from '../auth/scope.ts';
import { HttpError, conflict, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { Clock, TicketPublisher, TimerScheduler } from './ports.ts';
import type { TicketService } from './ticket-service.ts';

export interface SummonsDto {
  id: number;
  department: string;
  status: 'SUMMONED' | 'REPORTED' | 'ESCALATED';
  reportBy: string;
  reportedAt: string | null;
  escalationLevel: number;
}

type SummonsRow = {
  id: number;
  department: string;
  status: SummonsDto['status'];
  reportBy: Date;
  reportedAt: Date | null;
  escalationLevel: number;
};

const toDto = (row: SummonsRow): SummonsDto => ({
  id: row.id,
  department: row.department,
  status: row.status,
  reportBy: row.reportBy.toISOString(),
  reportedAt: row.reportedAt?.toISOString() ?? null,
  escalationLevel: row.escalationLevel,
});

/** 吹哨报到: departments summoned to a ticket, each with its own report-by deadline. */
export class SummonsService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      store: TicketStore;
      tickets: TicketService;
      publisher: TicketPublisher;
      timers: TimerScheduler;
      clock: Clock;
      timeScale: number;
    },
  ) {}

  async summon(ticketId: number, auth: AuthContext, body: unknown): Promise<SummonsDto[]> {
    const input = parseOr400(summonSchema, body ?? {});
    const ticket = await this.deps.tickets.visibleTicket(ticketId, auth);
    const relations = await this.relations(ticketId, auth);
    if (!relations.has('dispatcher'))
      throw new HttpError('FORBIDDEN', 'Only dispatchers summon departments');
    if (!OPEN_STATUSES.includes(ticket.status))
      throw conflict(`Cannot summon to a ${ticket.status} ticket`);
    const now = this.deps.clock.now();
    const reportBy = new Date(now.getTime() + scaledMs(input.reportMinutes, this.deps.timeScale));
    const { change, summons } = await this.deps.store.addSummons(
      ticketId,
      input.departments.map((department) => ({ department, reportBy })),
      {
        type: 'ticket.updated',
        actorId: auth.user.id,
        fromStatus: ticket.status,
        toStatus: ticket.status,
        data: {
          action: 'summon',
          departments: input.departments,
          reportBy: reportBy.toISOString(),
        },
      },
    );
    this.deps.publisher.publish(change);
    await Promise.all(
      summons.map((item) =>
        this.deps.timers.schedule({
          kind: 'summons-deadline',
          ticketId,
          summonsId: item.id,
          version: item.version,
          level: item.escalationLevel,
          dueAt: item.reportBy.toISOString(),
        }),
      ),
    );
    return summons.map(toDto);
  }

  /** Staff record that a summoned department reported (报到). */
  async report(
    ticketId: number,
    summonsId: number,
    auth: AuthContext,
    body: unknown,
  ): Promise<SummonsDto> {
    const { note } = parseOr400(summonsReportSchema, body ?? {});
    const ticket = await this.deps.tickets.visibleTicket(ticketId, auth);
    if (!(await this.relations(ticketId, auth)).has('supervisor')) {
      throw new HttpError('FORBIDDEN', 'Only community staff or dispatchers record a report');
    }
    const existing = await this.deps.prisma.summons.findFirst({
      where: { id: summonsId, ticketId },
    });
    if (!existing) throw notFound('Summons');
    const result = await this.deps.store.changeSummons({
      summonsId,
      ticketId,
      where: { status: { in: ['SUMMONED', 'ESCALATED'] } },
      data: { status: 'REPORTED', reportedAt: this.deps.clock.now() },
      event: {
        type: 'ticket.updated',
        actorId: auth.user.id,
        fromStatus: ticket.status,
        toStatus: ticket.status,
        data: { action: 'summons-reported', note },
      },
    });
    if (!result) throw conflict('This department has already reported');
    this.deps.publisher.publish(result.change);
    return toDto(result.summons);
  }

  async list(ticketId: number, auth: AuthContext): Promise<SummonsDto[]> {
    await this.deps.tickets.visibleTicket(ticketId, auth);
    const rows = await this.deps.prisma.summons.findMany({
      where: { ticketId },
      orderBy: { id: 'asc' },
    });
    return rows.map(toDto);
  }

  private async relations(ticketId: number, auth: AuthContext) {
    const ticket = await this.deps.store.findSummary(ticketId);
    const row = await this.deps.prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { reporterUserId: true },
    });
    return relationsOf({
      role: auth.user.role,
      isAssignee: ticket?.assigneeId === auth.user.id,
      inScope:
        STAFF_ROLES.includes(auth.user.role) &&
        ticket !== null &&
        canSeeTicket(auth, ticket, row.reporterUserId),
      isReporter: row.reporterUserId === auth.user.id,
    });
  }
}
