import { describe, expect, it } from 'vitest';
import {
  bucketStart,
  bucketStarts,
  complianceOf,
  computeFigures,
  customRange,
  defaultBucket,
  periodRange,
  shanghaiDate,
  shanghaiMidnight,
  startOfShanghaiDay,
  statsOverviewQuerySchema,
  statsTrendQuerySchema,
} from './stats.ts';
import { computeRates, type TicketHistory, type TicketJudgement } from './rates.ts';

const at = (iso: string) => new Date(iso);

describe('periods in Asia/Shanghai time', () => {
  it('starts the Beijing day at 16:00 UTC the day before', () => {
    expect(startOfShanghaiDay(at('2026-03-10T15:59:59.999Z')).toISOString()).toBe(
      '2026-03-09T16:00:00.000Z',
    );
    expect(startOfShanghaiDay(at('2026-03-10T16:00:00.000Z')).toISOString()).toBe(
      '2026-03-10T16:00:00.000Z',
    );
    expect(shanghaiDate(at('2026-03-10T16:30:00Z'))).toBe('2026-03-11');
    expect(shanghaiDate(at('2026-03-10T15:30:00Z'))).toBe('2026-03-10');
  });

  it('gives today, this week from Monday and this month', () => {
    // Sunday 2026-03-15 00:30 in Beijing (Saturday 16:30 UTC).
    const now = at('2026-03-14T16:30:00Z');
    expect(periodRange('today', now)).toEqual({
      from: at('2026-03-14T16:00:00Z'),
      to: at('2026-03-15T16:00:00Z'),
    });
    expect(periodRange('week', now)).toEqual({
      from: at('2026-03-08T16:00:00Z'), // Monday 9 March, 00:00 Beijing
      to: at('2026-03-15T16:00:00Z'),
    });
    // Monday itself starts its own week.
    expect(periodRange('week', at('2026-03-15T16:00:00Z')).from).toEqual(
      at('2026-03-15T16:00:00Z'),
    );
    expect(periodRange('month', now)).toEqual({
      from: at('2026-02-28T16:00:00Z'),
      to: at('2026-03-31T16:00:00Z'),
    });
    // 31 December 23:00 Beijing: the month is December, the next ends the year.
    expect(periodRange('month', at('2026-12-31T15:00:00Z'))).toEqual({
      from: at('2026-11-30T16:00:00Z'),
      to: at('2026-12-31T16:00:00Z'),
    });
  });

  it('reads custom ranges of whole days, both ends included, and refuses bad ones', () => {
    expect(customRange('2026-03-01', '2026-03-31')).toEqual({
      from: at('2026-02-28T16:00:00Z'),
      to: at('2026-03-31T16:00:00Z'),
    });
    expect(customRange('2026-03-05', '2026-03-05')).toEqual({
      from: at('2026-03-04T16:00:00Z'),
      to: at('2026-03-05T16:00:00Z'),
    });
    expect(customRange('2026-03-05', '2026-03-04')).toBeNull();
    expect(customRange('2026-02-30', '2026-03-04')).toBeNull();
    expect(customRange('2026-3-1', '2026-03-04')).toBeNull();
    expect(customRange('2024-01-01', '2026-01-01')).toBeNull();
    expect(shanghaiMidnight('2026-13-01')).toBeNull();
  });

  it('buckets by Beijing day or hour, every bucket listed', () => {
    const range = customRange('2026-03-01', '2026-03-03')!;
    expect(bucketStarts(range, 'day').map((date) => date.toISOString())).toEqual([
      '2026-02-28T16:00:00.000Z',
      '2026-03-01T16:00:00.000Z',
      '2026-03-02T16:00:00.000Z',
    ]);
    expect(bucketStarts(customRange('2026-03-01', '2026-03-01')!, 'hour')).toHaveLength(24);
    expect(bucketStart(at('2026-03-01T15:59:00Z'), 'day').toISOString()).toBe(
      '2026-02-28T16:00:00.000Z',
    );
    expect(bucketStart(at('2026-03-01T15:59:00Z'), 'hour').toISOString()).toBe(
      '2026-03-01T15:00:00.000Z',
    );
    expect(defaultBucket(periodRange('today', at('2026-03-01T00:00:00Z')))).toBe('hour');
    expect(defaultBucket(periodRange('month', at('2026-03-01T00:00:00Z')))).toBe('day');
  });
});

describe('deadline compliance', () => {
  const judgement = (overrides: Partial<TicketJudgement>): TicketJudgement => ({
    withdrawn: false,
    accepted: false,
    acceptDue: false,
    acceptedOnTime: false,
    acceptMs: null,
    resolved: false,
    resolveDue: false,
    firstResolveOnTime: false,
    resolvedOnTime: false,
    resolveMs: null,
    reopened: false,
    overdue: false,
    rating: null,
    ...overrides,
  });

  it('counts a ticket that met every deadline due, and only tickets with one due', () => {
    expect(complianceOf(judgement({}))).toEqual({ due: false, met: false });
    expect(complianceOf(judgement({ acceptDue: true, acceptedOnTime: true }))).toEqual({
      due: true,
      met: true,
    });
    expect(complianceOf(judgement({ acceptDue: true }))).toEqual({ due: true, met: false });
    const onTimeBoth = { acceptDue: true, acceptedOnTime: true, resolveDue: true };
    expect(complianceOf(judgement({ ...onTimeBoth, firstResolveOnTime: true })).met).toBe(true);
    // Reopened after an on-time resolution: met, unless it is overdue now.
    expect(
      complianceOf(judgement({ ...onTimeBoth, firstResolveOnTime: true, reopened: true })).met,
    ).toBe(true);
    expect(
      complianceOf(judgement({ ...onTimeBoth, firstResolveOnTime: true, overdue: true })).met,
    ).toBe(false);
    expect(complianceOf(judgement({ withdrawn: true, acceptDue: true }))).toEqual({
      due: false,
      met: false,
    });
  });

  it('adds compliance to the rates without changing them', () => {
    const t = (iso: string) => new Date(`2026-03-${iso}:00+08:00`);
    const histories: TicketHistory[] = [
      {
        ticketId: 1,
        createdAt: t('02T08:00'),
        acceptBy: t('02T08:30'),
        resolveBy: t('03T08:00'),
        events: [
          { type: 'ticket.accepted', at: t('02T08:10'), data: { onTime: true } },
          { type: 'ticket.resolved', at: t('02T09:00'), data: { onTime: true } },
        ],
      },
      {
        ticketId: 2,
        createdAt: t('02T09:00'),
        acceptBy: t('02T09:30'),
        resolveBy: t('03T09:00'),
        events: [{ type: 'ticket.accepted', at: t('02T10:00'), data: { onTime: false } }],
      },
    ];
    const period = { from: t('01T00:00'), to: t('10T00:00'), asOf: t('05T00:00') };
    const figures = computeFigures(histories, period);
    expect(figures).toMatchObject(computeRates(histories, period));
    expect(figures.compliance).toEqual({ rate: 0.5, numerator: 1, denominator: 2 });
  });
});

describe('query schemas', () => {
  const period = { from: '2026-03-01T00:00:00+08:00', to: '2026-03-02T00:00:00+08:00' };

  it('accepts a region and a period, and a trend bucket defaulting to day', () => {
    expect(statsOverviewQuerySchema.safeParse({ ...period, regionId: '12' }).data).toEqual({
      regionId: 12,
      from: new Date('2026-02-28T16:00:00Z'),
      to: new Date('2026-03-01T16:00:00Z'),
    });
    expect(statsTrendQuerySchema.safeParse(period).data?.bucket).toBe('day');
    expect(statsTrendQuerySchema.safeParse({ ...period, bucket: 'hour' }).success).toBe(true);
  });

  it('refuses reversed, over-long, unknown and malformed queries', () => {
    expect(statsOverviewQuerySchema.safeParse({ from: period.to, to: period.from }).success).toBe(
      false,
    );
    expect(statsOverviewQuerySchema.safeParse({ ...period, bucket: 'day' }).success).toBe(false);
    expect(statsOverviewQuerySchema.safeParse({ ...period, regionId: 'x' }).success).toBe(false);
    expect(statsTrendQuerySchema.safeParse({ ...period, bucket: 'week' }).success).toBe(false);
    const month = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' };
    expect(statsTrendQuerySchema.safeParse({ ...month, bucket: 'hour' }).success).toBe(true);
    const longer = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-02T00:00:00+08:00' };
    expect(statsTrendQuerySchema.safeParse({ ...longer, bucket: 'hour' }).success).toBe(false);
  });
});
