import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '@gridline/core';
import type { RedemptionDto, RewardDto } from './api.ts';
import {
  earnedByTask,
  idempotencyKey,
  mergeRedemptions,
  redeemBlocker,
  rewardNames,
} from './redemptions.ts';

const redemption = (id: number, createdAt: string, status: RedemptionDto['status'] = 'REQUESTED') =>
  ({ id, rewardId: 7, points: 80, status, createdAt }) satisfies RedemptionDto;

const reward: RewardDto = {
  id: 7,
  nameZh: '志愿者马甲',
  nameEn: 'Volunteer vest',
  cost: 80,
  stock: 3,
};

describe('mergeRedemptions', () => {
  it('keeps one copy per id (the incoming one) and puts the latest first', () => {
    const merged = mergeRedemptions(
      [redemption(1, '2026-03-01T10:00:00Z', 'APPROVED'), redemption(3, '2026-03-03T10:00:00Z')],
      [redemption(1, '2026-03-01T10:00:00Z'), redemption(2, '2026-03-02T10:00:00Z')],
    );
    expect(merged.map((r) => [r.id, r.status])).toEqual([
      [3, 'REQUESTED'],
      [2, 'REQUESTED'],
      [1, 'APPROVED'],
    ]);
  });
});

describe('rewardNames', () => {
  it('prefers the names the redemption carries, else looks the reward up', () => {
    expect(
      rewardNames(
        { ...redemption(1, '2026-03-01T00:00:00Z'), reward: { nameZh: '米', nameEn: 'Rice' } },
        [],
      ),
    ).toEqual({ zh: '米', en: 'Rice' });
    expect(rewardNames(redemption(1, '2026-03-01T00:00:00Z'), [reward])).toEqual({
      zh: '志愿者马甲',
      en: 'Volunteer vest',
    });
    expect(rewardNames(redemption(1, '2026-03-01T00:00:00Z'), [])).toBeNull();
  });
});

describe('redeemBlocker', () => {
  it('blocks what is out of stock or costs more than the balance', () => {
    expect(redeemBlocker({ cost: 80, stock: 0 }, 500)).toBe('outOfStock');
    expect(redeemBlocker({ cost: 80, stock: 2 }, 79)).toBe('short');
    expect(redeemBlocker({ cost: 80, stock: 2 }, 80)).toBeNull();
    // Balance not known yet: the server decides.
    expect(redeemBlocker({ cost: 80, stock: 2 }, null)).toBeNull();
  });
});

describe('earnedByTask', () => {
  const entry = (
    id: number,
    taskId: number | null,
    reason: string,
    minutes: number,
    points: number,
  ) =>
    ({
      id,
      taskId,
      reason,
      minutes,
      points,
      taskTitle: null,
      redemptionId: null,
      at: '2026-03-01T00:00:00Z',
    }) satisfies LedgerEntry;

  it('sums the service rows of each task and ignores spending', () => {
    const earned = earnedByTask([
      entry(1, 5, 'task', 30, 5),
      entry(2, 5, 'task', 15, 3),
      entry(3, 6, 'task', 60, 10),
      entry(4, null, 'redemption', 0, -80),
      entry(5, 6, 'adjustment', 0, 4),
    ]);
    expect(earned.get(5)).toEqual({ minutes: 45, points: 8 });
    expect(earned.get(6)).toEqual({ minutes: 60, points: 10 });
    expect(earned.size).toBe(2);
  });
});

describe('idempotencyKey', () => {
  it('is 32 hex digits and differs each time', () => {
    const a = idempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(idempotencyKey()).not.toBe(a);
  });
});
