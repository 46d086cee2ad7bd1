import { describe, expect, it } from 'vitest';
import { dueAtNs, dueCount, IntakeMatcher } from './matcher.ts';

const ms = (value: number) => BigInt(value * 1_000_000);

describe('IntakeMatcher', () => {
  it('matches a receipt that comes after the response', () => {
    const matcher = new IntakeMatcher();
    matcher.markSent(1, ms(100));
    matcher.markReceived(1, ms(103));
    expect(matcher.results()).toEqual({
      latenciesMs: [3],
      timeline: [{ sentMs: 0, latencyMs: 3 }],
      firstSentNs: ms(100),
      missing: 0,
      unknownReceipts: 0,
    });
  });

  it('matches a receipt that comes before the response tells the id', () => {
    const matcher = new IntakeMatcher();
    matcher.markReceived(7, ms(12));
    expect(matcher.matchedCount()).toBe(0);
    matcher.markSent(7, ms(10));
    expect(matcher.matchedCount()).toBe(1);
    expect(matcher.results().latenciesMs).toEqual([2]);
  });

  it('keeps the earliest receipt of a ticket', () => {
    const matcher = new IntakeMatcher();
    matcher.markSent(1, ms(0));
    matcher.markReceived(1, ms(9));
    matcher.markReceived(1, ms(4));
    matcher.markReceived(1, ms(6));
    expect(matcher.results().latenciesMs).toEqual([4]);
  });

  it('leaves warm-up tickets out and counts what never arrived', () => {
    const matcher = new IntakeMatcher();
    matcher.markSent(1, ms(0), false);
    matcher.markReceived(1, ms(1));
    matcher.markSent(2, ms(0));
    matcher.markSent(3, ms(0));
    matcher.markReceived(3, ms(5));
    matcher.markReceived(99, ms(5));
    expect(matcher.measuredCount()).toBe(2);
    expect(matcher.matchedCount()).toBe(1);
    expect(matcher.results()).toEqual({
      latenciesMs: [5],
      timeline: [{ sentMs: 0, latencyMs: 5 }],
      firstSentNs: ms(0),
      missing: 1,
      unknownReceipts: 1,
    });
  });

  it('lays the latencies out by send time, from the first measured send', () => {
    const matcher = new IntakeMatcher();
    matcher.markSent(2, ms(250));
    matcher.markSent(1, ms(200));
    matcher.markReceived(1, ms(204));
    matcher.markReceived(2, ms(290));
    expect(matcher.results().timeline).toEqual([
      { sentMs: 0, latencyMs: 4 },
      { sentMs: 50, latencyMs: 40 },
    ]);
  });

  it('stays bounded', () => {
    const matcher = new IntakeMatcher(2);
    for (let id = 1; id <= 5; id++) {
      matcher.markSent(id, ms(0));
      matcher.markReceived(id, ms(1));
    }
    expect(matcher.measuredCount()).toBe(2);
    expect(matcher.results().latenciesMs).toEqual([1, 1]);
  });
});

describe('open-model schedule', () => {
  it('makes request k due k / rate seconds after the start', () => {
    expect(dueAtNs(0, 200)).toBe(0n);
    expect(dueAtNs(1, 200)).toBe(5_000_000n);
    expect(dueAtNs(200, 200)).toBe(1_000_000_000n);
  });

  it('counts the requests due so far, capped at the total', () => {
    expect(dueCount(-1n, 200, 10)).toBe(0);
    expect(dueCount(0n, 200, 10)).toBe(1);
    expect(dueCount(4_999_999n, 200, 10)).toBe(1);
    expect(dueCount(5_000_000n, 200, 10)).toBe(2);
    expect(dueCount(ms(1000), 200, 4000)).toBe(201);
    expect(dueCount(ms(60_000), 200, 4000)).toBe(4000);
    expect(dueCount(ms(10), 200, 0)).toBe(0);
  });

  it('agrees with dueAtNs', () => {
    for (let k = 0; k < 1000; k++) {
      expect(dueCount(dueAtNs(k, 137), 137, 10_000)).toBeGreaterThanOrEqual(k + 1);
    }
  });
});
