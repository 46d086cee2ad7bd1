import type { LedgerEntry } from '@gridline/core';
import type { RedemptionDto, RewardDto } from './api.ts';

/** Redemptions by id (the incoming copy wins), latest first. */
export function mergeRedemptions(
  incoming: readonly RedemptionDto[],
  held: readonly RedemptionDto[],
): RedemptionDto[] {
  const byId = new Map<number, RedemptionDto>();
  for (const redemption of held) byId.set(redemption.id, redemption);
  for (const redemption of incoming) byId.set(redemption.id, redemption);
  return [...byId.values()].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id,
  );
}

/** A redemption's reward names: from the redemption itself, else from the rewards list. */
export function rewardNames(
  redemption: RedemptionDto,
  rewards: readonly RewardDto[],
): { zh: string; en: string } | null {
  if (redemption.reward) return { zh: redemption.reward.nameZh, en: redemption.reward.nameEn };
  if (redemption.rewardNameZh) {
    return { zh: redemption.rewardNameZh, en: redemption.rewardNameEn ?? redemption.rewardNameZh };
  }
  const reward = rewards.find((candidate) => candidate.id === redemption.rewardId);
  return reward ? { zh: reward.nameZh, en: reward.nameEn } : null;
}

/** Why a reward cannot be redeemed now, if it cannot. */
export function redeemBlocker(
  reward: Pick<RewardDto, 'cost' | 'stock'>,
  points: number | null,
): 'outOfStock' | 'short' | null {
  if (reward.stock <= 0) return 'outOfStock';
  if (points !== null && points < reward.cost) return 'short';
  return null;
}

/** Service minutes and points a task earned, from the ledger rows that name it. */
export function earnedByTask(
  entries: readonly LedgerEntry[],
): Map<number, { minutes: number; points: number }> {
  const earned = new Map<number, { minutes: number; points: number }>();
  for (const entry of entries) {
    if (entry.taskId === null || entry.reason !== 'task') continue;
    const sum = earned.get(entry.taskId) ?? { minutes: 0, points: 0 };
    earned.set(entry.taskId, {
      minutes: sum.minutes + entry.minutes,
      points: sum.points + entry.points,
    });
  }
  return earned;
}

/** A fresh Idempotency-Key (random, also outside secure contexts). */
export function idempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
