import { describe, expect, it } from 'vitest';
import { badRaces, describeStatuses, RaceTally } from './race-stats.ts';

describe('RaceTally', () => {
  it('counts one winner and 409 losers as a clean race', () => {
    const tally = new RaceTally();
    tally.add({ statuses: [409, 200, 409, 409], winnerMs: 3.5, doneMs: 6 });
    const result = tally.result();
    expect(result).toMatchObject({
      races: 1,
      requests: 4,
      oneWinner: 1,
      noWinner: 0,
      manyWinners: 0,
      conflicts: 3,
      otherLosers: 0,
      claimMs: [3.5],
      raceMs: [6],
    });
    expect(badRaces(result)).toBe(0);
  });

  it('flags races without a winner, double accepts and odd losers', () => {
    const tally = new RaceTally();
    tally.add({ statuses: [409, 409], winnerMs: null, doneMs: 2 });
    tally.add({ statuses: [200, 200, 409], winnerMs: 1, doneMs: 2 });
    tally.add({ statuses: [200, 403, 0, 500, 403], winnerMs: 4, doneMs: 30 });
    const result = tally.result();
    expect(result.noWinner).toBe(1);
    expect(result.manyWinners).toBe(1);
    expect(result.oneWinner).toBe(1);
    expect(badRaces(result)).toBe(2);
    expect(result.conflicts).toBe(3);
    expect(result.otherLosers).toBe(4);
    expect(result.otherStatuses).toEqual({ '403': 2, 'no answer': 1, '500': 1 });
    expect(describeStatuses(result.otherStatuses)).toBe('403 x2, 500 x1, no answer x1');
    expect(result.claimMs).toEqual([1, 4]);
    expect(result.raceMs).toEqual([2, 2, 30]);
  });

  it('hands out copies', () => {
    const tally = new RaceTally();
    tally.add({ statuses: [200], winnerMs: 1, doneMs: 1 });
    const first = tally.result();
    first.claimMs.push(99);
    first.otherStatuses['x'] = 1;
    expect(tally.result().claimMs).toEqual([1]);
    expect(tally.result().otherStatuses).toEqual({});
  });
});
