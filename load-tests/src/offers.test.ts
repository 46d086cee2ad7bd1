import { describe, expect, it } from 'vitest';
import { distanceMetres } from '@gridline/core';
import {
  clusterPositions,
  offeredTaskId,
  offset,
  pushDelays,
  raceViolated,
  slotsOfRace,
} from './offers.ts';

describe('the offers bench', () => {
  it('judges a race by its winners and its losers', () => {
    expect(raceViolated([200, 409, 409], 1)).toBe(false);
    expect(raceViolated([200, 200, 409], 1)).toBe(true);
    expect(raceViolated([409, 409], 1)).toBe(true);
    expect(raceViolated([200, 500, 409], 1)).toBe(true);
    expect(raceViolated([200, 0, 409], 1)).toBe(true);
    expect(raceViolated([200, 200, 200, 409], 3)).toBe(false);
    expect(raceViolated([200, 200, 409, 409], 3)).toBe(true);
  });

  it('gives every fifth race three slots', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(slotsOfRace)).toEqual([1, 1, 1, 1, 3, 1, 3]);
  });

  it('places volunteers the asked distance from the task', () => {
    const origin = { lat: 41.12, lng: 122.99 };
    expect(distanceMetres(origin, offset(origin, 250, 0))).toBeCloseTo(250, -1);
    expect(distanceMetres(origin, offset(origin, 0, -250))).toBeCloseTo(250, -1);
  });

  it('spreads the cluster over the disc, each volunteer at their own distance', () => {
    const centre = { lat: 41.12, lng: 122.99 };
    const positions = clusterPositions(centre, 200, 600);
    expect(positions).toHaveLength(200);
    const distances = positions.map((at) => distanceMetres(centre, at));
    expect(Math.max(...distances)).toBeLessThanOrEqual(601);
    expect(Math.min(...distances)).toBeLessThan(60);
    expect(new Set(distances.map((d) => d.toFixed(3))).size).toBe(200);
    // Evenly over the area: about a quarter within half the radius.
    const inner = distances.filter((d) => d <= 300).length;
    expect(inner).toBeGreaterThanOrEqual(45);
    expect(inner).toBeLessThanOrEqual(55);
    expect(clusterPositions(centre, 200, 600)).toEqual(positions);
  });

  it('times offers from the send and, signed, from the answer', () => {
    const delays = pushDelays(100, 130, [120, 129, 135]);
    expect(delays.fromSend).toEqual([20, 29, 35]);
    expect(delays.fromAnswer).toEqual([-10, -1, 5]);
    expect(delays.beforeAnswer).toBe(2);
    expect(pushDelays(0, 10, [])).toEqual({ fromSend: [], fromAnswer: [], beforeAnswer: 0 });
  });

  it('reads the task id of an offer meant for this volunteer and nothing else', () => {
    expect(offeredTaskId({ task: { id: 7 }, assignment: { volunteerId: 3 } }, 3)).toBe(7);
    expect(offeredTaskId({ task: { id: 7 } }, 3)).toBe(7);
    expect(offeredTaskId({ task: { id: 7 }, assignment: { volunteerId: 4 } }, 3)).toBeNull();
    expect(offeredTaskId({ task: { id: '7' } }, 3)).toBeNull();
    expect(offeredTaskId({ task: null }, 3)).toBeNull();
    expect(offeredTaskId('task.offered', 3)).toBeNull();
    expect(offeredTaskId(null, 3)).toBeNull();
  });
});
