import { describe, expect, it } from 'vitest';
import {
  addSummaries,
  loopDelayMs,
  nsToMs,
  percentile,
  perOperation,
  slowWindows,
  ratio,
  summarize,
} from './stats.ts';

describe('percentile', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

  it('uses the nearest rank', () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples and rejects impossible ranks', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(sorted, 101)).toThrow(RangeError);
    expect(() => percentile(sorted, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports the usual figures', () => {
    const samples = [5, 1, 4, 2, 3];
    const summary = summarize(samples);
    expect(summary).toEqual({ count: 5, min: 1, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('sorts numerically, not as strings', () => {
    expect(summarize([10, 9, 100])?.p50).toBe(10);
  });

  it('is null without samples', () => {
    expect(summarize([])).toBeNull();
  });

  it('finds the tail of a long-tailed sample', () => {
    const samples = [
      ...Array.from({ length: 990 }, () => 1),
      ...Array.from({ length: 10 }, () => 50),
    ];
    const summary = summarize(samples)!;
    expect(summary.p50).toBe(1);
    expect(summary.p99).toBe(1);
    expect(summary.max).toBe(50);
    expect(summarize([...samples, 50])!.p99).toBe(50);
  });
});

describe('helpers', () => {
  it('adds the legs of a floor percentile by percentile', () => {
    const a = summarize([1, 2, 3, 4])!;
    const b = summarize([10, 20, 30, 40])!;
    expect(addSummaries(a, b)).toEqual({ p50: 22, p95: 44, p99: 44 });
  });

  it('divides only what can be divided', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(6, 0)).toBeNull();
    expect(ratio(null, 3)).toBeNull();
    expect(ratio(6, undefined)).toBeNull();
    expect(ratio(Number.NaN, 3)).toBeNull();
  });

  it('takes the sampling interval out of event-loop delays', () => {
    expect(loopDelayMs(12_000_000, 2)).toBe(10);
    expect(loopDelayMs(1_500_000, 2)).toBe(0);
  });

  it('converts and splits batch timings', () => {
    expect(nsToMs(1_500_000n)).toBe(1.5);
    expect(perOperation([1000n, 2000], 10)).toEqual([100, 200]);
    expect(() => perOperation([1], 0)).toThrow(RangeError);
  });
});

describe('slowWindows', () => {
  it('counts the samples over the threshold per window of send time, busiest first', () => {
    const timeline = [
      { sentMs: 10, latencyMs: 5 },
      { sentMs: 120, latencyMs: 90 },
      { sentMs: 1_010, latencyMs: 150 },
      { sentMs: 1_050, latencyMs: 170 },
      { sentMs: 1_240, latencyMs: 40 },
    ];
    expect(slowWindows(timeline, 50, 250)).toEqual([
      { startMs: 1_000, slow: 2, maxMs: 170 },
      { startMs: 0, slow: 1, maxMs: 90 },
    ]);
    expect(slowWindows(timeline, 500, 250)).toEqual([]);
  });
});
