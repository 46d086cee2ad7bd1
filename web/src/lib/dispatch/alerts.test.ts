import { describe, expect, it } from 'vitest';
import type { TicketEventPayload, TicketSummary } from '@gridline/core';
import { alertFor, pushAlert, type DispatchAlert } from './alerts.ts';

const summary = (patch: Partial<TicketSummary> = {}): TicketSummary => ({
  id: 7,
  code: 'GL-1',
  status: 'ASSIGNED',
  categoryCode: 'NOISE',
  priority: 'URGENT',
  channel: 'DEVICE',
  location: { lat: 41, lng: 123 },
  address: null,
  gridId: 1,
  communityId: 2,
  streetId: 3,
  districtId: 4,
  assigneeId: 5,
  escalationLevel: 0,
  acceptBy: null,
  resolveBy: null,
  overdue: false,
  outsideGrid: false,
  version: 1,
  createdAt: '2026-11-22T07:00:00Z',
  updatedAt: '2026-11-22T07:00:00Z',
  ...patch,
});

const event = (
  type: TicketEventPayload['type'],
  ticket: TicketSummary,
  eventId = 1,
): TicketEventPayload => ({
  eventId,
  type,
  at: '2026-11-22T07:00:00Z',
  actorId: null,
  fromStatus: null,
  toStatus: null,
  data: {},
  ticket,
});

describe('alertFor', () => {
  it('alerts on a new urgent ticket', () => {
    expect(alertFor(event('ticket.created', summary()), 'added', 0)?.kind).toBe('urgent');
  });

  it('stays quiet for a new ticket that is not urgent, and for replays and duplicates', () => {
    expect(alertFor(event('ticket.created', summary({ priority: 'HIGH' })), 'added', 0)).toBeNull();
    expect(alertFor(event('ticket.created', summary()), 'duplicate', 0)).toBeNull();
    expect(alertFor(event('ticket.created', summary()), 'stale', 0)).toBeNull();
  });

  it('alerts on every escalation that reaches the board', () => {
    const escalated = summary({ priority: 'LOW', escalationLevel: 2 });
    const alert = alertFor(event('ticket.escalated', escalated, 9), 'updated', 5);
    expect(alert).toMatchObject({
      id: 9,
      kind: 'escalated',
      escalationLevel: 2,
      ticketId: 7,
      at: 5,
    });
    expect(alertFor(event('ticket.escalated', escalated), 'removed', 0)).toBeNull();
  });
});

describe('pushAlert', () => {
  const alert = (id: number, ticketId: number): DispatchAlert => ({
    id,
    kind: 'urgent',
    ticketId,
    code: `GL-${ticketId}`,
    categoryCode: 'NOISE',
    escalationLevel: 0,
    at: 0,
  });

  it('keeps the newest first, one per ticket, at most three', () => {
    let list: DispatchAlert[] = [];
    for (const [id, ticketId] of [
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 3],
      [5, 4],
    ] as const) {
      list = pushAlert(list, alert(id, ticketId));
    }
    expect(list.map((item) => item.id)).toEqual([5, 4, 3]);
  });
});
