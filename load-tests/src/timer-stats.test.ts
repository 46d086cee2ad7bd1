import { describe, expect, it } from 'vitest';
import {
  busySpans,
  countAbove,
  histogramDelta,
  histogramQuantileBound,
  latenessMs,
  parseHistogram,
  scriptCounters,
  scriptIntervals,
  shareAtOrBelow,
  splitBySpans,
  splitTimers,
  spreadEvenly,
  worstBySecond,
} from './timer-stats.ts';

describe('spreading deadlines', () => {
  it('puts each deadline in the middle of its slot', () => {
    expect(spreadEvenly(4, 1000, 2000)).toEqual({ count: 4, firstMs: 1250, stepMs: 500 });
    const spread = spreadEvenly(2000, 0, 30_000);
    const last = spread.firstMs + (spread.count - 1) * spread.stepMs;
    expect(spread.firstMs).toBeGreaterThan(0);
    expect(last).toBeLessThan(30_000);
    expect(spreadEvenly(0, 5, 10).count).toBe(0);
  });

  it('rejects nonsense', () => {
    expect(() => spreadEvenly(-1, 0, 10)).toThrow(RangeError);
    expect(() => spreadEvenly(1.5, 0, 10)).toThrow(RangeError);
    expect(() => spreadEvenly(10, 0, 0)).toThrow(RangeError);
  });

  it('takes the sample and the warm-up out of the total', () => {
    expect(splitTimers(100_000, 2000, 200)).toEqual({
      sample: 2000,
      warmup: 200,
      background: 97_800,
    });
    expect(splitTimers(100_000, 2000)).toEqual({ sample: 2000, warmup: 0, background: 98_000 });
    expect(splitTimers(2100, 2000, 200)).toEqual({ sample: 2000, warmup: 100, background: 0 });
    expect(splitTimers(500, 2000, 200)).toEqual({ sample: 500, warmup: 0, background: 0 });
    expect(splitTimers(10, 0)).toEqual({ sample: 0, warmup: 0, background: 10 });
  });
});

describe('lateness', () => {
  const firings = [
    { dueAt: '2026-11-22T10:00:00.000Z', firedAt: '2026-11-22T10:00:00.004Z' },
    { dueAt: '2026-11-22T10:00:00.500Z', firedAt: new Date('2026-11-22T10:00:00.560Z') },
    { dueAt: new Date('2026-11-22T10:00:01.200Z'), firedAt: '2026-11-22T10:00:01.199Z' },
    { dueAt: 'not a date', firedAt: '2026-11-22T10:00:01.199Z' },
  ];

  it('subtracts due from fired, early firings negative, and skips the unparsable', () => {
    expect(latenessMs(firings)).toEqual([4, 60, -1]);
    expect(countAbove(latenessMs(firings), 50)).toBe(1);
    expect(countAbove([], 50)).toBe(0);
  });

  it('keeps the worst per second of the window', () => {
    expect(worstBySecond(firings, Date.parse('2026-11-22T10:00:00.000Z'))).toEqual([
      [0, 60],
      [1, -1],
    ]);
  });
});

const SCRAPE = `# HELP gridline_timer_lateness_seconds How late a deadline timer ran after its due time
# TYPE gridline_timer_lateness_seconds histogram
gridline_timer_lateness_seconds_bucket{le="0.005",kind="accept-deadline"} 50
gridline_timer_lateness_seconds_bucket{le="0.01",kind="accept-deadline"} 80
gridline_timer_lateness_seconds_bucket{le="0.05",kind="accept-deadline"} 97
gridline_timer_lateness_seconds_bucket{le="1",kind="accept-deadline"} 99
gridline_timer_lateness_seconds_bucket{le="+Inf",kind="accept-deadline"} 100
gridline_timer_lateness_seconds_sum{kind="accept-deadline"} 2.5
gridline_timer_lateness_seconds_count{kind="accept-deadline"} 100
gridline_timer_lateness_seconds_bucket{le="0.005",kind="reminder"} 7
gridline_timer_lateness_seconds_bucket{le="+Inf",kind="reminder"} 7
gridline_timer_lateness_seconds_sum{kind="reminder"} 0.01
gridline_timer_lateness_seconds_count{kind="reminder"} 7
gridline_timer_outcomes_total{kind="accept-deadline",outcome="escalated"} 100
`;

describe('the workers lateness histogram', () => {
  it('reads one label set', () => {
    const histogram = parseHistogram(SCRAPE, 'gridline_timer_lateness_seconds', {
      kind: 'accept-deadline',
    });
    expect(histogram).toEqual({
      buckets: [
        { le: 0.005, count: 50 },
        { le: 0.01, count: 80 },
        { le: 0.05, count: 97 },
        { le: 1, count: 99 },
        { le: Number.POSITIVE_INFINITY, count: 100 },
      ],
      count: 100,
      sum: 2.5,
    });
    expect(
      parseHistogram(SCRAPE, 'gridline_timer_lateness_seconds', { kind: 'close-window' }),
    ).toBeNull();
    expect(parseHistogram('', 'gridline_timer_lateness_seconds')).toBeNull();
  });

  it('bounds quantiles and shares by bucket', () => {
    const histogram = parseHistogram(SCRAPE, 'gridline_timer_lateness_seconds', {
      kind: 'accept-deadline',
    })!;
    expect(histogramQuantileBound(histogram, 0.5)).toBe(0.005);
    expect(histogramQuantileBound(histogram, 0.97)).toBe(0.05);
    expect(histogramQuantileBound(histogram, 0.99)).toBe(1);
    expect(histogramQuantileBound(histogram, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(shareAtOrBelow(histogram, 0.05)).toBe(0.97);
    expect(shareAtOrBelow(histogram, 0.3)).toBeNull();
    expect(() => histogramQuantileBound(histogram, 99)).toThrow(RangeError);
  });

  it('subtracts an earlier scrape', () => {
    const after = parseHistogram(SCRAPE, 'gridline_timer_lateness_seconds', {
      kind: 'accept-deadline',
    })!;
    const before = {
      buckets: after.buckets.map((bucket) => ({ le: bucket.le, count: 40 })),
      count: 40,
      sum: 0.5,
    };
    const delta = histogramDelta(after, before);
    expect(delta.count).toBe(60);
    expect(delta.sum).toBe(2);
    expect(delta.buckets[0]).toEqual({ le: 0.005, count: 10 });
    expect(histogramDelta(after, null)).toBe(after);
    expect(histogramQuantileBound({ ...delta, count: 0 }, 0.5)).toBeNull();
  });
});

describe('Redis script load', () => {
  const info = `# Commandstats
cmdstat_get:calls=5,usec=10,usec_per_call=2.00,rejected_calls=0,failed_calls=0
cmdstat_evalsha:calls=1000,usec=50000,usec_per_call=50.00,rejected_calls=0,failed_calls=0
cmdstat_eval:calls=10,usec=2000,usec_per_call=200.00,rejected_calls=0,failed_calls=0
cmdstat_evalsha_ro:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0
`;

  it('sums the script commands', () => {
    expect(scriptCounters(info)).toEqual({ calls: 1011, usec: 52_001 });
    expect(scriptCounters('')).toEqual({ calls: 0, usec: 0 });
  });

  it('turns samples into rates and busy spans', () => {
    const samples = [
      { atMs: 0, calls: 0, usec: 0 },
      { atMs: 1000, calls: 300, usec: 15_000 },
      { atMs: 2000, calls: 10_300, usec: 515_000 },
      { atMs: 3000, calls: 20_300, usec: 1_015_000 },
      { atMs: 4000, calls: 20_600, usec: 1_030_000 },
      { atMs: 5000, calls: 5, usec: 5 },
    ];
    const intervals = scriptIntervals(samples);
    expect(intervals).toHaveLength(4);
    expect(intervals[1]).toEqual({
      startMs: 1000,
      endMs: 2000,
      callsPerSecond: 10_000,
      busyShare: 0.5,
    });
    expect(busySpans(intervals, 3000)).toEqual([[1000, 3000]]);
    expect(busySpans(intervals, 100_000)).toEqual([]);
  });

  it('splits lateness by whether the deadline fell in a busy span', () => {
    const firings = [
      { dueAt: new Date(500), firedAt: new Date(505) },
      { dueAt: new Date(1500), firedAt: new Date(1900) },
      { dueAt: new Date(3500), firedAt: new Date(3510) },
    ];
    expect(splitBySpans(firings, [[1000, 3000]])).toEqual({ inside: [400], outside: [5, 10] });
  });
});
