import {
  AWAITING_ACCEPT,
  MAX_ESCALATION_LEVEL,
  MAX_SUMMONS_LEVEL,
  deadlinePolicySchema,
  nextEscalation,
  policyFor,
  type TicketStatus,
  type TicketTimerJob,
} from '@gridline/core';
import type { Priority } from '@gridline/core';
import type {
  NewTicketEvent,
  TicketChange,
  TicketRegions,
  TicketStore,
  TransitionRequest,
} from '@gridline/db';

/** What escalation needs to know about a ticket. */
export interface EscalationTicket extends TicketRegions {
  id: number;
  version: number;
  status: TicketStatus;
  escalationLevel: number;
  priority: Priority;
  assigneeId: number | null;
  resolveBy: Date | null;
  overdue: boolean;
  /** The category's deadline policy, unparsed. */
  policy: unknown;
}

export interface EscalationPorts {
  loadTicket(id: number): Promise<EscalationTicket | null>;
  responsibleUser(regions: TicketRegions, level: number): Promise<number | null>;
  transition(request: TransitionRequest): Promise<TicketChange | null>;
  appendEvent(ticketId: number, event: NewTicketEvent): Promise<TicketChange | null>;
  loadSummons(id: number): Promise<SummonsState | null>;
  changeSummons: TicketStore['changeSummons'];
  /** True when a reminder with this seq was already sent for this deadline. */
  alreadyReminded(ticketId: number, seq: number, deadline: string): Promise<boolean>;
  publish(change: TicketChange): void;
  schedule(job: TicketTimerJob): Promise<void>;
  now(): Date;
  timeScale: number;
}

export type EscalationOutcome =
  | { kind: 'escalated'; level: number; assigneeId: number | null }
  | { kind: 'reminded'; seq: number }
  | { kind: 'closed' }
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
  const row = await ports.loadTicket(job.ticketId);
  if (!row) return { kind: 'stale', reason: 'ticket gone' };
  if (row.version !== job.version) return { kind: 'stale', reason: 'version moved on' };
  if (!AWAITING_ACCEPT.includes(row.status))
    return { kind: 'stale', reason: `status ${row.status}` };
  if (row.escalationLevel !== job.level) return { kind: 'stale', reason: 'level moved on' };

  const now = ports.now();
  const policy = policyFor(deadlinePolicySchema.parse(row.policy), row.priority);
  const next = nextEscalation(policy, row.escalationLevel, now, ports.timeScale);
  if (!next) return { kind: 'stale', reason: 'chain ended' };

  const assigneeId = await ports.responsibleUser(row, next.level);
  const toStatus: TicketStatus =
    assigneeId === null ? row.status : row.status === 'NEW' ? 'ASSIGNED' : row.status;
  const change = await ports.transition({
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

const EARLY_FIRING_TOLERANCE_MS = 250;

/** Statuses in which the resolve clock runs (pending stops it). */
const RESOLVE_CLOCK_RUNNING: readonly TicketStatus[] = ['ACCEPTED', 'IN_PROGRESS'];

/**
 * The resolve-by passed: mark the ticket overdue and raise it one level so the
 * next level sees it; the assignee keeps it. Acts on the row as it is now, so
 * any number of firings (old versions, reconciler copies) mark it once.
 */
export async function escalateOnResolveDeadline(
  job: TicketTimerJob,
  ports: EscalationPorts,
): Promise<EscalationOutcome> {
  const row = await ports.loadTicket(job.ticketId);
  if (!row) return { kind: 'stale', reason: 'ticket gone' };
  if (!RESOLVE_CLOCK_RUNNING.includes(row.status))
    return { kind: 'stale', reason: `status ${row.status}` };
  if (row.overdue) return { kind: 'stale', reason: 'already overdue' };
  const { resolveBy } = row;
  // A delayed job may fire a few milliseconds before its due time; a deadline that
  // moved later (resume after pending) has its own job scheduled at the new time.
  if (!resolveBy || resolveBy.getTime() > ports.now().getTime() + EARLY_FIRING_TOLERANCE_MS) {
    return { kind: 'stale', reason: 'deadline moved' };
  }
  const level = Math.min(row.escalationLevel + 1, MAX_ESCALATION_LEVEL);
  const change = await ports.transition({
    ticketId: row.id,
    expectedVersion: row.version,
    expectedStatuses: [row.status],
    where: { overdue: false },
    data: { overdue: true, escalationLevel: level },
    events: [
      {
        type: 'ticket.escalated',
        actorId: null,
        fromStatus: row.status,
        toStatus: row.status,
        data: {
          reason: 'resolve-deadline',
          fromLevel: row.escalationLevel,
          toLevel: level,
          assigneeId: row.assigneeId,
          dueAt: resolveBy.toISOString(),
        },
      },
    ],
  });
  if (!change) return { kind: 'stale', reason: 'lost the race' };
  ports.publish(change);
  return { kind: 'escalated', level, assigneeId: row.assigneeId };
}

/**
 * A point of the resolve window (50%, 80%) passed: remind the assignee. Sent
 * once per deadline: a moved deadline (resume) has its own reminders, and a
 * reminder re-created by the reconciler finds the first one already sent.
 */
export async function remindAssignee(
  job: TicketTimerJob,
  ports: EscalationPorts,
): Promise<EscalationOutcome> {
  const row = await ports.loadTicket(job.ticketId);
  if (!row) return { kind: 'stale', reason: 'ticket gone' };
  if (!RESOLVE_CLOCK_RUNNING.includes(row.status))
    return { kind: 'stale', reason: `status ${row.status}` };
  const seq = job.seq ?? 0;
  if (!job.deadline || row.resolveBy?.toISOString() !== job.deadline) {
    return { kind: 'stale', reason: 'deadline moved' };
  }
  if (await ports.alreadyReminded(row.id, seq, job.deadline))
    return { kind: 'stale', reason: 'already sent' };
  const change = await ports.appendEvent(row.id, {
    type: 'ticket.updated',
    actorId: null,
    fromStatus: row.status,
    toStatus: row.status,
    data: {
      action: 'reminder',
      seq,
      fraction: job.fraction ?? null,
      deadline: job.deadline,
      assigneeId: row.assigneeId,
    },
  });
  if (!change) return { kind: 'stale', reason: 'ticket gone' };
  ports.publish(change);
  return { kind: 'reminded', seq };
}

/**
 * The rating window passed on a resolved (or verified) ticket that nobody
 * rated or touched since: close it. Version-bound, so a rating, a reopen or
 * any other change since scheduling makes the timer a no-op.
 */
export async function closeAfterRatingWindow(
  job: TicketTimerJob,
  ports: EscalationPorts,
): Promise<EscalationOutcome> {
  const row = await ports.loadTicket(job.ticketId);
  if (!row) return { kind: 'stale', reason: 'ticket gone' };
  if (row.version !== job.version) return { kind: 'stale', reason: 'version moved on' };
  if (row.status !== 'RESOLVED' && row.status !== 'VERIFIED') {
    return { kind: 'stale', reason: `status ${row.status}` };
  }
  const change = await ports.transition({
    ticketId: row.id,
    expectedVersion: job.version,
    expectedStatuses: [row.status],
    data: { status: 'CLOSED', closedAt: ports.now() },
    events: [
      {
        type: 'ticket.closed',
        actorId: null,
        fromStatus: row.status,
        toStatus: 'CLOSED',
        data: { action: 'auto-close', reason: 'rating window passed' },
      },
    ],
  });
  if (!change) return { kind: 'stale', reason: 'lost the race' };
  ports.publish(change);
  return { kind: 'closed' };
}

export interface SummonsState {
  id: number;
  ticketId: number;
  department: string;
  status: 'SUMMONED' | 'REPORTED' | 'ESCALATED';
  escalationLevel: number;
  version: number;
  reportBy: Date;
  createdAt: Date;
}

/**
 * A summoned department did not report in time: the summons climbs one level
 * (street -> district -> city) with a fresh deadline of the same length.
 * Version-bound, so a report or an earlier firing makes the job a no-op.
 */
export async function escalateSummons(
  job: TicketTimerJob,
  ports: EscalationPorts,
): Promise<EscalationOutcome> {
  if (job.summonsId === undefined) return { kind: 'stale', reason: 'no summons' };
  const summons = await ports.loadSummons(job.summonsId);
  if (!summons) return { kind: 'stale', reason: 'summons gone' };
  if (summons.version !== job.version) return { kind: 'stale', reason: 'version moved on' };
  if (summons.status === 'REPORTED') return { kind: 'stale', reason: 'reported' };
  if (summons.escalationLevel >= MAX_SUMMONS_LEVEL) return { kind: 'stale', reason: 'chain ended' };
  const now = ports.now();
  const level = summons.escalationLevel + 1;
  const span = Math.max(1000, summons.reportBy.getTime() - summons.createdAt.getTime());
  const reportBy = new Date(now.getTime() + span);
  const result = await ports.changeSummons({
    summonsId: summons.id,
    ticketId: summons.ticketId,
    where: { version: job.version, status: { in: ['SUMMONED', 'ESCALATED'] } },
    data: { status: 'ESCALATED', escalationLevel: level, reportBy },
    event: {
      type: 'ticket.escalated',
      actorId: null,
      fromStatus: null,
      toStatus: null,
      data: { reason: 'summons-deadline', fromLevel: summons.escalationLevel, toLevel: level },
    },
  });
  if (!result) return { kind: 'stale', reason: 'lost the race' };
  ports.publish(result.change);
  if (level < MAX_SUMMONS_LEVEL) {
    await ports.schedule({
      kind: 'summons-deadline',
      ticketId: summons.ticketId,
      summonsId: summons.id,
      version: result.summons.version,
      level,
      dueAt: reportBy.toISOString(),
    });
  }
  return { kind: 'escalated', level, assigneeId: null };
}
