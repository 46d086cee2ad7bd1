import { describe, expect, it } from 'vitest';
import {
  mayRate,
  ticketCodeSchema,
  trackEntryOf,
  trackOptionsOf,
  trackStepOf,
  type TicketEventLike,
} from './track.ts';

const event = (
  type: TicketEventLike['type'],
  data: Record<string, unknown> = {},
): TicketEventLike => ({
  eventId: 7,
  type,
  at: '2026-12-06T08:00:00.000Z',
  toStatus: null,
  data,
});

describe('the public timeline', () => {
  it('maps lifecycle events to public steps', () => {
    expect(trackStepOf(event('ticket.created'))).toBe('created');
    expect(trackStepOf(event('ticket.assigned', { assigneeId: 3 }))).toBe('assigned');
    expect(trackStepOf(event('ticket.updated', { action: 'start' }))).toBe('started');
    expect(trackStepOf(event('ticket.updated', { action: 'pend' }))).toBe('pending');
    expect(trackStepOf(event('ticket.updated', { action: 'verify' }))).toBe('verified');
    expect(trackStepOf(event('ticket.closed', { action: 'merge' }))).toBe('merged');
    expect(trackStepOf(event('ticket.closed', { action: 'cancel' }))).toBe('cancelled');
    expect(trackStepOf(event('ticket.closed', { action: 'auto-close' }))).toBe('closed');
  });

  it('hides escalations, reminders, summons and other internal steps', () => {
    expect(trackStepOf(event('ticket.escalated', { reason: 'overdue' }))).toBeNull();
    expect(trackStepOf(event('ticket.updated', { action: 'reminder' }))).toBeNull();
    expect(trackStepOf(event('ticket.updated', { action: 'summon' }))).toBeNull();
    expect(trackStepOf(event('ticket.updated', { action: 'merged' }))).toBeNull();
    expect(trackStepOf(event('ticket.updated'))).toBeNull();
  });

  it('keeps only the public words of each step, never who did it', () => {
    const entry = trackEntryOf(
      event('ticket.resolved', { note: '已修复', assigneeId: 9, reason: 'x' }),
    );
    expect(entry).toEqual({
      eventId: 7,
      at: '2026-12-06T08:00:00.000Z',
      step: 'resolved',
      status: null,
      note: '已修复',
      rating: null,
      intoCode: null,
    });
    expect(trackEntryOf(event('ticket.assigned', { note: '派给张三' }))?.note).toBeNull();
    expect(trackEntryOf(event('ticket.updated', { action: 'pend', reason: '等物业' }))?.note).toBe(
      '等物业',
    );
    expect(
      trackEntryOf(event('ticket.updated', { action: 'rated', rating: 'BAD', comment: '没修好' })),
    ).toMatchObject({ step: 'rated', rating: 'BAD', note: '没修好' });
    expect(
      trackEntryOf(event('ticket.closed', { action: 'merge', intoCode: 'GL-261206-ABCDEF' }))
        ?.intoCode,
    ).toBe('GL-261206-ABCDEF');
  });
});

describe('what the reporter may still do', () => {
  const resolvedAt = new Date('2026-12-01T00:00:00Z');
  const day = 24 * 3600 * 1000;
  const window = 3 * day;

  it('rates once per resolution, within the window or while the ticket waits for it', () => {
    const after = (days: number) => new Date(resolvedAt.getTime() + days * day);
    expect(mayRate({ status: 'RESOLVED', resolvedAt, ratedAt: null }, after(1), window)).toBe(true);
    expect(mayRate({ status: 'CLOSED', resolvedAt, ratedAt: null }, after(1), window)).toBe(true);
    expect(mayRate({ status: 'CLOSED', resolvedAt, ratedAt: null }, after(4), window)).toBe(false);
    expect(mayRate({ status: 'RESOLVED', resolvedAt, ratedAt: null }, after(4), window)).toBe(true);
    expect(mayRate({ status: 'CLOSED', resolvedAt, ratedAt: after(0.5) }, after(1), window)).toBe(
      false,
    );
    // Rated in an earlier round, resolved again since: a new rating is due.
    expect(mayRate({ status: 'RESOLVED', resolvedAt, ratedAt: after(-2) }, after(1), window)).toBe(
      true,
    );
    expect(
      mayRate({ status: 'IN_PROGRESS', resolvedAt: null, ratedAt: null }, after(0), window),
    ).toBe(false);
  });

  it('reopens within 7 days of resolution', () => {
    const options = (days: number) =>
      trackOptionsOf(
        { status: 'CLOSED', resolvedAt, ratedAt: null },
        new Date(resolvedAt.getTime() + days * day),
        window,
      );
    expect(options(6.9).canReopen).toBe(true);
    expect(options(7.1).canReopen).toBe(false);
    expect(options(1).reopenUntil).toBe('2026-12-08T00:00:00.000Z');
  });
});

describe('ticket codes in links', () => {
  it('accepts codes in either case and refuses anything else', () => {
    expect(ticketCodeSchema.parse('gl-261206-7k3q9m')).toBe('GL-261206-7K3Q9M');
    expect(ticketCodeSchema.safeParse('GL-261206-7K3Q9').success).toBe(false);
    expect(ticketCodeSchema.safeParse('../etc/passwd').success).toBe(false);
  });
});
