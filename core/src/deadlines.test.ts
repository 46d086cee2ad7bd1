import { describe, expect, it } from 'vitest';
import {
  initialDeadlines,
  nextEscalation,
  reminderTimes,
  scaledMs,
  shiftDeadline,
  MAX_ESCALATION_LEVEL,
} from './deadlines.ts';
import { deadlinePolicySchema, type PriorityPolicy } from './categories.ts';

const urgent: PriorityPolicy = {
  acceptMinutes: 5,
  resolveMinutes: 120,
  reminders: [0.5, 0.8],
  escalationAcceptMinutes: [5, 10, 15],
};
const t0 = new Date('2026-11-22T08:00:00+08:00');

describe('deadline maths', () => {
  it('computes accept-by and resolve-by from the policy', () => {
    const { acceptBy, resolveBy } = initialDeadlines(urgent, t0, 1);
    expect(acceptBy.toISOString()).toBe('2026-11-22T00:05:00.000Z');
    expect(resolveBy.toISOString()).toBe('2026-11-22T02:00:00.000Z');
  });

  it('divides every duration by TIME_SCALE', () => {
    expect(scaledMs(5, 300)).toBe(1000);
    const { acceptBy } = initialDeadlines(urgent, t0, 60);
    expect(acceptBy.getTime() - t0.getTime()).toBe(5_000);
    expect(() => scaledMs(5, 0)).toThrow(RangeError);
    expect(() => scaledMs(5, -1)).toThrow(RangeError);
  });

  it('walks the escalation chain grid -> community -> street -> district -> city, then stops', () => {
    const levels: Array<number | null> = [];
    const deadlines: Array<number | null> = [];
    for (let level = 0; level <= MAX_ESCALATION_LEVEL; level++) {
      const next = nextEscalation(urgent, level, t0, 1);
      levels.push(next?.level ?? null);
      deadlines.push(next?.acceptBy ? (next.acceptBy.getTime() - t0.getTime()) / 60_000 : null);
    }
    expect(levels).toEqual([1, 2, 3, 4, null]);
    // Community, street and district each get their own deadline; the city alert has none.
    expect(deadlines).toEqual([5, 10, 15, null, null]);
  });

  it('places reminders at fractions of the window', () => {
    const times = reminderTimes(urgent, t0, new Date(t0.getTime() + 100_000));
    expect(times.map((time) => time.getTime() - t0.getTime())).toEqual([50_000, 80_000]);
  });

  it('moves a deadline by the time spent pending, never backwards', () => {
    expect(shiftDeadline(t0, 60_000)?.getTime()).toBe(t0.getTime() + 60_000);
    expect(shiftDeadline(t0, -5)?.getTime()).toBe(t0.getTime());
    expect(shiftDeadline(null, 1000)).toBeNull();
  });

  it('rejects malformed policies', () => {
    const good = { LOW: urgent, NORMAL: urgent, HIGH: urgent, URGENT: urgent };
    expect(deadlinePolicySchema.safeParse(good).success).toBe(true);
    expect(deadlinePolicySchema.safeParse({ ...good, URGENT: undefined }).success).toBe(false);
    expect(
      deadlinePolicySchema.safeParse({ ...good, LOW: { ...urgent, acceptMinutes: -1 } }).success,
    ).toBe(false);
    expect(
      deadlinePolicySchema.safeParse({ ...good, LOW: { ...urgent, escalationAcceptMinutes: [1] } })
        .success,
    ).toBe(false);
    expect(
      deadlinePolicySchema.safeParse({ ...good, LOW: { ...urgent, reminders: [1.5] } }).success,
    ).toBe(false);
  });
});
