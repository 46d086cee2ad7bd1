/**
 * Which live events raise an alert on the dispatcher's page: a new urgent
 * ticket, and any escalation. Pure; `alerts.svelte.ts` shows and sounds them.
 */
import type { TicketEventPayload } from '@gridline/core';
import type { ApplyOutcome } from './ticket-board.ts';

export type AlertKind = 'urgent' | 'escalated';

export interface DispatchAlert {
  /** The event id: one alert per event. */
  id: number;
  kind: AlertKind;
  ticketId: number;
  code: string;
  categoryCode: string;
  escalationLevel: number;
  at: number;
}

/** The alert an applied event raises, if any (replays and duplicates raise none). */
export function alertFor(
  payload: TicketEventPayload,
  outcome: ApplyOutcome,
  now: number,
): DispatchAlert | null {
  if (outcome !== 'added' && outcome !== 'updated') return null;
  const ticket = payload.ticket;
  let kind: AlertKind | null = null;
  if (payload.type === 'ticket.escalated') kind = 'escalated';
  else if (outcome === 'added' && ticket.priority === 'URGENT' && payload.type === 'ticket.created')
    kind = 'urgent';
  if (kind === null) return null;
  return {
    id: payload.eventId,
    kind,
    ticketId: ticket.id,
    code: ticket.code,
    categoryCode: ticket.categoryCode,
    escalationLevel: ticket.escalationLevel,
    at: now,
  };
}

/** Newest first, at most `max`, one per ticket (a newer alert replaces an older one). */
export function pushAlert(
  alerts: readonly DispatchAlert[],
  alert: DispatchAlert,
  max = 3,
): DispatchAlert[] {
  return [alert, ...alerts.filter((item) => item.ticketId !== alert.ticketId)].slice(0, max);
}
