import {
  AWAITING_ACCEPT,
  deadlinePolicySchema,
  nextEscalation,
  policyFor,
  type TicketStatus,
  type TicketTimerJob,
} from '@gridline/core';
import { findResponsibleUser, type PrismaClient, type TicketChange, type TicketStore } from '@gridline/db';

export interface EscalationPorts {
  prisma: PrismaClient;
  store: TicketStore;
  publish(change: TicketChange): void;
  schedule(job: TicketTimerJob): Promise<void>;
  now(): Date;
  cityId(): Promise<number | null>;
  timeScale: number;
}

export type EscalationOutcome =
  | { kind: 'escalated'; level: number; assigneeId: number | null }
  | { kind: 'stale'; reason: string };

/**
 * The accept deadline passed: hand the ticket one level up the chain. Acts only
 * if the ticket is still awaiting acceptance at the version and level the timer
 * was scheduled for, so late, early-duplicate or repeated firings change nothing.
 */
export async function escalateOnAcceptDeadline(
  job: TicketTimerJob,
  ports: EscalationPorts,
): Promise<EscalationOutcome> {
  const row = await ports.prisma.ticket.findUnique({
    where: { id: job.ticketId },
    include: { category: { select: { policy: true } } },
  });
  if (!row) return { kind: 'stale', reason: 'ticket gone' };
  if (row.version !== job.version) return { kind: 'stale', reason: 'version moved on' };
  if (!AWAITING_ACCEPT.includes(row.status)) return { kind: 'stale', reason: `status ${row.status}` };
  if (row.escalationLevel !== job.level) return { kind: 'stale', reason: 'level moved on' };

  const now = ports.now();
  const policy = policyFor(deadlinePolicySchema.parse(row.category.policy), row.priority);
  const next = nextEscalation(policy, row.escalationLevel, now, ports.timeScale);
  if (!next) return { kind: 'stale', reason: 'chain ended' };

  const assigneeId = await findResponsibleUser(ports.prisma, row, next.level, await ports.cityId());
  const toStatus: TicketStatus = assigneeId === null ? row.status : row.status === 'NEW' ? 'ASSIGNED' : row.status;
  const change = await ports.store.transition({
    ticketId: row.id,
    expectedVersion: job.version,
    expectedStatuses: AWAITING_ACCEPT,
    where: { escalationLevel: job.level },
    data: { escalationLevel: next.level, assigneeId, acceptBy: next.acceptBy, status: toStatus },
    events: [
      {
        type: 'ticket.escalated',
        actorId: null,
        fromStatus: row.status,
        toStatus,
        data: {
          reason: 'accept-deadline',
          fromLevel: row.escalationLevel,
          toLevel: next.level,
          assigneeId,
          previousAssigneeId: row.assigneeId,
          dueAt: job.dueAt,
        },
      },
    ],
  });
  if (!change) return { kind: 'stale', reason: 'lost the race' };
  ports.publish(change);
  if (next.acceptBy) {
    await ports.schedule({
      kind: 'accept-deadline',
      ticketId: change.ticket.id,
      version: change.ticket.version,
      level: next.level,
      dueAt: next.acceptBy.toISOString(),
      ...(job.requestId ? { requestId: job.requestId } : {}),
    });
  }
  return { kind: 'escalated', level: next.level, assigneeId };
}
