import { describe, expect, it } from 'vitest';
import type { DeadlinePolicy, PriorityPolicy, TicketSummary, TicketTimerJob } from '@gridline/core';
import type { TicketChange, TransitionRequest } from '@gridline/db';
import {
  escalateOnAcceptDeadline,
  escalateOnResolveDeadline,
  remindAssignee,
  closeAfterRatingWindow,
  type EscalationPorts,
  type EscalationTicket,
} from './escalation.ts';

const normal: PriorityPolicy = {
  acceptMinutes: 30,
  resolveMinutes: 10_080,
  reminders: [0.5, 0.8],
  escalationAcceptMinutes: [10, 15, 20],
};
const policy: DeadlinePolicy = { LOW: normal, NORMAL: normal, HIGH: normal, URGENT: normal };
const NOW = new Date('2026-11-22T10:00:00Z');

/** An in-memory ticket with the same conditional-update rule as the real store. */
function fakePorts(
  ticket: EscalationTicket,
  responsible: Record<number, number | null> = { 1: 501, 2: 601, 3: 701, 4: 801 },
) {
  const published: TicketChange[] = [];
  const scheduled: TicketTimerJob[] = [];
  const reminders: Array<{ seq: number; deadline: string }> = [];
  const ports: EscalationPorts = {
    timeScale: 1,
    now: () => NOW,
    loadTicket: async (id) => (id === ticket.id ? { ...ticket } : null),
    responsibleUser: async (_regions, level) => responsible[level] ?? null,
    async transition(request: TransitionRequest) {
      const levelGuard = request.where?.escalationLevel;
      if (
        request.ticketId !== ticket.id ||
        request.expectedVersion !== ticket.version ||
        !request.expectedStatuses.includes(ticket.status) ||
        (typeof levelGuard === 'number' && levelGuard !== ticket.escalationLevel)
      ) {
        return null;
      }
      if (request.where?.overdue === false && ticket.overdue) return null;
      const data = request.data as {
        overdue?: boolean;
        escalationLevel: number;
        assigneeId: number | null;
        status: typeof ticket.status;
        acceptBy: Date | null;
      };
      Object.assign(ticket, {
        escalationLevel: data.escalationLevel,
        ...('assigneeId' in data ? { assigneeId: data.assigneeId } : {}),
        ...(data.status ? { status: data.status } : {}),
        ...(data.overdue ? { overdue: true } : {}),
        version: ticket.version + 1,
      });
      const summary = {
        id: ticket.id,
        version: ticket.version,
        escalationLevel: ticket.escalationLevel,
        acceptBy: data.acceptBy?.toISOString() ?? null,
      } as TicketSummary;
      return { ticket: summary, events: [] };
    },
    async appendEvent(ticketId, event) {
      if (ticketId !== ticket.id) return null;
      reminders.push(event.data as { seq: number; deadline: string });
      return { ticket: { id: ticket.id, version: ticket.version } as TicketSummary, events: [] };
    },
    alreadyReminded: async (_id, seq, deadline) =>
      reminders.some((sent) => sent.seq === seq && sent.deadline === deadline),
    loadSummons: async () => null,
    changeSummons: async () => null,
    publish: (change) => published.push(change),
    schedule: async (job) => {
      scheduled.push(job);
    },
  };
  return { ports, published, scheduled, reminders };
}

const baseTicket = (): EscalationTicket => ({
  id: 7,
  version: 2,
  status: 'ASSIGNED',
  escalationLevel: 0,
  priority: 'NORMAL',
  assigneeId: 401,
  resolveBy: new Date(NOW.getTime() + 60_000),
  overdue: false,
  policy,
  gridId: 40,
  communityId: 30,
  streetId: 20,
  districtId: 10,
});

const job = (ticket: EscalationTicket): TicketTimerJob => ({
  kind: 'accept-deadline',
  ticketId: ticket.id,
  version: ticket.version,
  level: ticket.escalationLevel,
  dueAt: NOW.toISOString(),
});

describe('escalateOnAcceptDeadline', () => {
  it('hands an unaccepted ticket to the community and schedules the community deadline', async () => {
    const ticket = baseTicket();
    const { ports, published, scheduled } = fakePorts(ticket);
    const outcome = await escalateOnAcceptDeadline(job(ticket), ports);
    expect(outcome).toEqual({ kind: 'escalated', level: 1, assigneeId: 501 });
    expect(ticket).toMatchObject({ escalationLevel: 1, assigneeId: 501, version: 3 });
    expect(published).toHaveLength(1);
    expect(scheduled).toEqual([
      expect.objectContaining({
        ticketId: 7,
        version: 3,
        level: 1,
        dueAt: '2026-11-22T10:10:00.000Z',
      }),
    ]);
  });

  it('does nothing the second time the same job runs', async () => {
    const ticket = baseTicket();
    const { ports, published } = fakePorts(ticket);
    const first = job(ticket);
    await escalateOnAcceptDeadline(first, ports);
    const again = await escalateOnAcceptDeadline(first, ports);
    expect(again.kind).toBe('stale');
    expect(published).toHaveLength(1);
    expect(ticket.escalationLevel).toBe(1);
  });

  it('ignores a ticket that was accepted or changed since scheduling', async () => {
    const accepted = { ...baseTicket(), status: 'ACCEPTED' as const };
    expect((await escalateOnAcceptDeadline(job(accepted), fakePorts(accepted).ports)).kind).toBe(
      'stale',
    );
    const moved = baseTicket();
    const stale = { ...job(moved), version: moved.version - 1 };
    expect(await escalateOnAcceptDeadline(stale, fakePorts(moved).ports)).toEqual({
      kind: 'stale',
      reason: 'version moved on',
    });
  });

  it('climbs to a city alert and then stops scheduling', async () => {
    const ticket = baseTicket();
    const { ports, scheduled } = fakePorts(ticket);
    for (let step = 0; step < 4; step++) await escalateOnAcceptDeadline(job(ticket), ports);
    expect(ticket.escalationLevel).toBe(4);
    expect(ticket.assigneeId).toBe(801);
    expect(scheduled.map((entry) => entry.level)).toEqual([1, 2, 3]);
    expect((await escalateOnAcceptDeadline(job(ticket), ports)).kind).toBe('stale');
  });

  describe('escalateOnResolveDeadline', () => {
    const accepted = (resolveInMs: number): EscalationTicket => ({
      ...baseTicket(),
      status: 'IN_PROGRESS',
      resolveBy: new Date(NOW.getTime() + resolveInMs),
    });
    const resolveJob = (ticket: EscalationTicket): TicketTimerJob => ({
      ...job(ticket),
      kind: 'resolve-deadline',
    });

    it('marks an unresolved ticket overdue and raises it a level, keeping the assignee, once', async () => {
      const ticket = accepted(-1);
      const { ports, published } = fakePorts(ticket);
      const timer = resolveJob(ticket);
      expect(await escalateOnResolveDeadline(timer, ports)).toEqual({
        kind: 'escalated',
        level: 1,
        assigneeId: 401,
      });
      expect(ticket).toMatchObject({
        overdue: true,
        escalationLevel: 1,
        assigneeId: 401,
        status: 'IN_PROGRESS',
      });
      expect(await escalateOnResolveDeadline(timer, ports)).toEqual({
        kind: 'stale',
        reason: 'already overdue',
      });
      expect(published).toHaveLength(1);
    });

    it('does nothing while pending, after resolution, or when the deadline moved later', async () => {
      for (const ticket of [
        { ...accepted(-1), status: 'PENDING' as const },
        { ...accepted(-1), status: 'RESOLVED' as const },
        accepted(5_000),
      ]) {
        const { ports, published } = fakePorts(ticket);
        expect((await escalateOnResolveDeadline(resolveJob(ticket), ports)).kind).toBe('stale');
        expect(published).toHaveLength(0);
      }
    });
  });

  describe('remindAssignee', () => {
    it('reminds once per deadline and point of the window, and not after the deadline moved', async () => {
      const ticket: EscalationTicket = { ...baseTicket(), status: 'IN_PROGRESS' };
      const { ports, published, reminders } = fakePorts(ticket);
      const reminder: TicketTimerJob = {
        ...job(ticket),
        kind: 'reminder',
        seq: 0,
        fraction: 0.5,
        deadline: ticket.resolveBy!.toISOString(),
      };
      expect(await remindAssignee(reminder, ports)).toEqual({ kind: 'reminded', seq: 0 });
      expect(await remindAssignee(reminder, ports)).toEqual({
        kind: 'stale',
        reason: 'already sent',
      });
      expect(await remindAssignee({ ...reminder, seq: 1, fraction: 0.8 }, ports)).toEqual({
        kind: 'reminded',
        seq: 1,
      });
      expect(reminders.map((sent) => sent.seq)).toEqual([0, 1]);
      expect(published).toHaveLength(2);
      ticket.resolveBy = new Date(ticket.resolveBy!.getTime() + 60_000);
      expect((await remindAssignee({ ...reminder, seq: 2 }, ports)).kind).toBe('stale');
      ticket.status = 'PENDING';
      expect((await remindAssignee(reminder, ports)).kind).toBe('stale');
    });
  });

  describe('closeAfterRatingWindow', () => {
    it('closes an untouched resolved ticket once, and leaves a changed one alone', async () => {
      const ticket: EscalationTicket = { ...baseTicket(), status: 'RESOLVED' };
      const { ports, published } = fakePorts(ticket);
      const timer: TicketTimerJob = { ...job(ticket), kind: 'close-window' };
      expect(await closeAfterRatingWindow(timer, ports)).toEqual({ kind: 'closed' });
      expect(ticket.status).toBe('CLOSED');
      expect((await closeAfterRatingWindow(timer, ports)).kind).toBe('stale');
      expect(published).toHaveLength(1);
      const rated: EscalationTicket = { ...baseTicket(), status: 'RESOLVED', version: 5 };
      const stale = { ...job(rated), kind: 'close-window' as const, version: 4 };
      expect((await closeAfterRatingWindow(stale, fakePorts(rated).ports)).kind).toBe('stale');
    });
  });
});
