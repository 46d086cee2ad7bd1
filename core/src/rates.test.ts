import { describe, expect, it } from 'vitest';
import { computeRates, ratesQuerySchema, type RateEvent, type TicketHistory } from './rates.ts';
import type { TicketStatus } from './tickets.ts';

/** '03-02 08:10' -> that moment of 2026 in Anshan (+08:00). */
const t = (moment: string) => new Date(`2026-${moment.replace(' ', 'T')}:00+08:00`);

const event = (
  type: string,
  at: string,
  data: Record<string, unknown> = {},
  toStatus: TicketStatus | null = null,
): RateEvent => ({ type, at: t(at), data, toStatus });

const created = (at: string) => [
  event('ticket.created', at, {}, 'NEW'),
  event('ticket.assigned', at, {}, 'ASSIGNED'),
];
const accepted = (at: string, onTime?: boolean) =>
  event(
    'ticket.accepted',
    at,
    onTime === undefined ? { level: 0 } : { level: 0, onTime },
    'ACCEPTED',
  );
const resolved = (at: string, onTime?: boolean) =>
  event('ticket.resolved', at, onTime === undefined ? {} : { onTime }, 'RESOLVED');
const rated = (at: string, rating: 'GOOD' | 'BAD') =>
  event('ticket.updated', at, { action: 'rated', rating }, 'CLOSED');
const escalated = (at: string) =>
  event('ticket.escalated', at, { reason: 'accept-deadline' }, 'ASSIGNED');

function ticket(
  ticketId: number,
  createdAt: string,
  deadlines: { acceptBy: string | null; resolveBy: string | null },
  events: RateEvent[],
): TicketHistory {
  return {
    ticketId,
    createdAt: t(createdAt),
    acceptBy: deadlines.acceptBy === null ? null : t(deadlines.acceptBy),
    resolveBy: deadlines.resolveBy === null ? null : t(deadlines.resolveBy),
    events: [...created(createdAt), ...events],
  };
}

// March 2026 in Anshan, looked at on 20 March at noon.
const period = { from: t('03-01 00:00'), to: t('04-01 00:00'), asOf: t('03-20 12:00') };

const fixture: TicketHistory[] = [
  // 1: accepted on time (10 min), resolved on time (360 min), closed, rated GOOD.
  ticket(1, '03-02 08:00', { acceptBy: '03-02 08:30', resolveBy: '03-03 08:00' }, [
    accepted('03-02 08:10', true),
    resolved('03-02 14:00', true),
    event('ticket.closed', '03-02 15:00', {}, 'CLOSED'),
    rated('03-02 16:00', 'GOOD'),
  ]),
  // 2: accepted late (60 min), resolved late (2880 min), rated BAD.
  ticket(2, '03-03 09:00', { acceptBy: '03-03 09:30', resolveBy: '03-04 09:00' }, [
    accepted('03-03 10:00', false),
    resolved('03-05 09:00', false),
    rated('03-05 10:00', 'BAD'),
  ]),
  // 3: never accepted, both deadlines passed: due for both, overdue.
  ticket(3, '03-10 10:00', { acceptBy: '03-10 11:00', resolveBy: '03-11 10:00' }, [
    escalated('03-10 10:30'),
  ]),
  // 4: created ten minutes before asOf: not yet due for anything. Its acceptance
  // after asOf is not known yet.
  ticket(4, '03-20 11:50', { acceptBy: '03-20 12:20', resolveBy: '03-21 11:50' }, [
    accepted('03-20 12:05', true),
  ]),
  // 5: accepted on time (5 min), resolved on time (240 min) and rated BAD, then
  // reopened (new deadlines), accepted, resolved and re-rated GOOD. Reopened:
  // not counted as resolved on time.
  ticket(5, '03-04 08:00', { acceptBy: '03-05 08:30', resolveBy: '03-06 08:00' }, [
    accepted('03-04 08:05', true),
    resolved('03-04 12:00', true),
    rated('03-04 13:00', 'BAD'),
    event('ticket.reopened', '03-05 08:00', {}, 'REOPENED'),
    accepted('03-05 08:20', true),
    resolved('03-05 18:00', true),
    rated('03-05 19:00', 'GOOD'),
  ]),
  // 6: created before the period: ignored entirely.
  ticket(6, '02-27 08:00', { acceptBy: '02-27 08:30', resolveBy: '02-28 08:00' }, [
    accepted('02-27 08:10', true),
    resolved('02-27 12:00', true),
    rated('02-27 13:00', 'GOOD'),
  ]),
  // 7: created at `from` (inclusive). Accepted at 00:45 with no onTime flag:
  // late against the 00:30 accept-by (45 min). Pending since 01:00: the resolve
  // clock stopped, so the 03-02 resolve-by has not passed and it is not due.
  ticket(7, '03-01 00:00', { acceptBy: '03-01 00:30', resolveBy: '03-02 00:00' }, [
    accepted('03-01 00:45'),
    event('ticket.updated', '03-01 00:50', { action: 'start' }, 'IN_PROGRESS'),
    event('ticket.updated', '03-01 01:00', { action: 'pend' }, 'PENDING'),
  ]),
  // 8: cancelled before anyone accepted: withdrawn, not judged.
  ticket(8, '03-06 08:00', { acceptBy: '03-06 08:30', resolveBy: '03-07 08:00' }, [
    event('ticket.closed', '03-06 10:00', { action: 'cancel' }, 'CANCELLED'),
  ]),
  // 9: escalated to the community, accepted there within the community's
  // deadline (60 min): on time. Resolved at 20:00 with no onTime flag, before
  // the 03-12 08:00 resolve-by (720 min). Rated GOOD, then re-rated BAD.
  ticket(9, '03-11 08:00', { acceptBy: '03-11 09:30', resolveBy: '03-12 08:00' }, [
    escalated('03-11 08:30'),
    accepted('03-11 09:00', true),
    resolved('03-11 20:00'),
    rated('03-11 21:00', 'GOOD'),
    rated('03-11 22:00', 'BAD'),
  ]),
  // 10: escalated to the top of the chain (no accept-by left), never accepted:
  // due and late. Resolve-by passed: overdue.
  ticket(10, '03-12 08:00', { acceptBy: null, resolveBy: '03-13 08:00' }, [
    escalated('03-12 08:30'),
    escalated('03-12 09:30'),
  ]),
  // 12: accepted on time (10 min), resolved on time (120 min), reopened with new
  // deadlines that have passed again: reopened and overdue.
  ticket(12, '03-08 08:00', { acceptBy: '03-09 08:30', resolveBy: '03-10 08:00' }, [
    accepted('03-08 08:10', true),
    resolved('03-08 10:00', true),
    event('ticket.reopened', '03-09 08:00', {}, 'REOPENED'),
  ]),
];

describe('the three rates', () => {
  const result = computeRates(fixture, period);

  it('response rate: accepted on time / due (tickets 1, 5, 9, 12 of 1, 2, 3, 5, 7, 9, 10, 12)', () => {
    expect(result.response).toEqual({ rate: 0.5, numerator: 4, denominator: 8 });
  });

  it('resolution rate: resolved on time and not reopened / due (tickets 1, 9 of 1, 2, 3, 5, 9, 10, 12)', () => {
    expect(result.resolution).toEqual({ rate: 2 / 7, numerator: 2, denominator: 7 });
  });

  it('satisfaction rate: latest rating GOOD / rated (tickets 1, 5 of 1, 2, 5, 9)', () => {
    expect(result.satisfaction).toEqual({ rate: 0.5, numerator: 2, denominator: 4 });
  });

  it('counts the cohort', () => {
    expect(result.counts).toEqual({
      created: 10,
      withdrawn: 1,
      accepted: 6,
      resolved: 5,
      reopened: 2,
      rated: 4,
      overdue: 3,
    });
  });

  it('averages minutes to the first acceptance and the first resolution', () => {
    // (10 + 60 + 5 + 45 + 60 + 10) / 6 = 31.67; (360 + 2880 + 240 + 720 + 120) / 5 = 864.
    expect(result.averages).toEqual({ acceptMinutes: 31.7, resolveMinutes: 864 });
  });

  it('does not depend on the order of tickets', () => {
    expect(computeRates([...fixture].reverse(), period)).toEqual(result);
  });

  it('gives null rates and averages when nothing is due', () => {
    const empty = computeRates([], period);
    expect(empty.response).toEqual({ rate: null, numerator: 0, denominator: 0 });
    expect(empty.resolution).toEqual({ rate: null, numerator: 0, denominator: 0 });
    expect(empty.satisfaction).toEqual({ rate: null, numerator: 0, denominator: 0 });
    expect(empty.averages).toEqual({ acceptMinutes: null, resolveMinutes: null });
    const onlyFresh = computeRates(
      fixture.filter((history) => history.ticketId === 4),
      period,
    );
    expect(onlyFresh.counts.created).toBe(1);
    expect(onlyFresh.response.rate).toBeNull();
    expect(onlyFresh.resolution.rate).toBeNull();
  });

  it('excludes a ticket created exactly at `to` and judges later with a later asOf', () => {
    const atEnd = ticket(
      20,
      '04-01 00:00',
      { acceptBy: '04-01 00:30', resolveBy: '04-02 00:00' },
      [],
    );
    const later = { ...period, asOf: t('04-10 00:00') };
    expect(computeRates([atEnd], later).counts.created).toBe(0);
    // Ticket 4 accepted at 12:05 on time; its resolve-by (03-21) has passed unresolved.
    const fresh = computeRates(
      fixture.filter((history) => history.ticketId === 4),
      later,
    );
    expect(fresh.response).toEqual({ rate: 1, numerator: 1, denominator: 1 });
    expect(fresh.resolution).toEqual({ rate: 0, numerator: 0, denominator: 1 });
    expect(fresh.counts.overdue).toBe(1);
  });

  it("prefers the event's onTime flag to the ticket's current deadline", () => {
    const history = ticket(
      30,
      '03-02 08:00',
      { acceptBy: '03-02 08:30', resolveBy: '03-03 08:00' },
      [accepted('03-02 09:00', true), resolved('03-02 10:00', false)],
    );
    const result30 = computeRates([history], period);
    expect(result30.response.numerator).toBe(1);
    expect(result30.resolution).toEqual({ rate: 0, numerator: 0, denominator: 1 });
  });

  it('counts a ticket with no accept-by and no missed deadline as not yet due', () => {
    const history = ticket(31, '03-02 08:00', { acceptBy: null, resolveBy: null }, []);
    const result31 = computeRates([history], period);
    expect(result31.response.denominator).toBe(0);
    expect(result31.resolution.denominator).toBe(0);
    expect(result31.counts.overdue).toBe(0);
  });

  it('counts a pending ticket once the resolve-by, moved on by its pending time, passes', () => {
    // Ticket 7: 23:00 of running clock remained when it was pended at 03-01 01:00.
    const history = fixture.find((candidate) => candidate.ticketId === 7)!;
    const resumedLate: TicketHistory = {
      ...history,
      // Resumed on 03-15 01:00: the server moved resolve-by on by 14 days.
      resolveBy: t('03-16 00:00'),
      events: [
        ...history.events,
        event('ticket.updated', '03-15 01:00', { action: 'resume' }, 'IN_PROGRESS'),
      ],
    };
    const result7 = computeRates([resumedLate], period);
    expect(result7.resolution).toEqual({ rate: 0, numerator: 0, denominator: 1 });
    expect(result7.counts.overdue).toBe(1);
  });
});

describe('the rates query', () => {
  const parse = (query: Record<string, string>) => ratesQuerySchema.safeParse(query);

  it('accepts ISO-8601 datetimes with a zone and an optional region', () => {
    const parsed = parse({
      regionId: '42',
      from: '2026-03-01T00:00:00+08:00',
      to: '2026-04-01T00:00:00Z',
    });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({
      regionId: 42,
      from: new Date('2026-02-28T16:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
    });
    expect(parse({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00Z' }).success).toBe(
      true,
    );
  });

  it('reads a `+` that arrived unencoded (as a space) as the zone sign', () => {
    const parsed = parse({ from: '2026-03-01T00:00:00 08:00', to: '2026-03-02T00:00:00 08:00' });
    expect(parsed.data?.from).toEqual(new Date('2026-02-28T16:00:00Z'));
  });

  it('rejects datetimes without a zone, reversed or empty periods, and periods over 366 days', () => {
    expect(parse({ from: '2026-03-01T00:00:00', to: '2026-04-01T00:00:00Z' }).success).toBe(false);
    expect(parse({ from: '2026-03-01', to: '2026-04-01' }).success).toBe(false);
    expect(parse({ from: '2026-04-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }).success).toBe(false);
    expect(parse({ from: '2026-04-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }).success).toBe(false);
    expect(parse({ from: '2025-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }).success).toBe(true);
    expect(parse({ from: '2025-01-01T00:00:00Z', to: '2026-01-02T00:00:01Z' }).success).toBe(false);
    expect(parse({ to: '2026-04-01T00:00:00Z' }).success).toBe(false);
    expect(
      parse({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', regionId: '0' }).success,
    ).toBe(false);
    expect(
      parse({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', extra: '1' }).success,
    ).toBe(false);
  });
});
