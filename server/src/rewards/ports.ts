import type {
  LeaderboardRow,
  LedgerBalance,
  LedgerResponse,
  VolunteerStatus,
} from '@gridline/core';

export type RedemptionStatus = 'REQUESTED' | 'APPROVED' | 'REJECTED';
export const REDEMPTION_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED'] as const;

export interface RewardDto {
  id: number;
  nameZh: string;
  nameEn: string;
  cost: number;
  stock: number;
  active: boolean;
}

export interface RedemptionDto {
  id: number;
  volunteerId: number;
  volunteerName: string;
  homeCommunityId: number | null;
  rewardId: number;
  reward: { nameZh: string; nameEn: string };
  /** Points reserved (and spent once approved). */
  points: number;
  status: RedemptionStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedById: number | null;
}

export interface NewReward {
  nameZh: string;
  nameEn: string;
  cost: number;
  stock: number;
}

export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
}

/** What a redemption attempt came to; only `created` wrote anything. */
export type RedeemOutcome =
  | { kind: 'created'; redemption: RedemptionDto; balance: LedgerBalance }
  | { kind: 'no-volunteer' }
  | { kind: 'not-approved'; status: VolunteerStatus }
  | { kind: 'no-reward' }
  | { kind: 'short-points'; balance: number; cost: number }
  | { kind: 'short-stock' }
  /** The idempotency key was used before: the redemption it made. */
  | { kind: 'replay'; requestHash: string; redemptionId: number };

export interface RedemptionFilter {
  /** Volunteers whose home community lies inside this region; null: everywhere. */
  regionId: number | null;
  volunteerId?: number;
  status?: RedemptionStatus;
  /** Older than this id (the next page). */
  before?: number;
  limit: number;
}

export interface LeaderboardQuery {
  by: 'team' | 'community';
  id: number;
  from?: Date;
  to?: Date;
  limit: number;
}

export interface LedgerRepository {
  /** Balance (the sum of every row) and the rows, latest first. */
  ledger(volunteerId: number, page: { before?: number; limit: number }): Promise<LedgerResponse>;
  rewards(includeInactive: boolean): Promise<RewardDto[]>;
  /** Created and audited in one transaction. */
  createReward(
    reward: NewReward,
    audit: { actorId: number; ip: string | null },
  ): Promise<RewardDto>;
  /**
   * One transaction: the volunteer's row locked, balance >= cost checked, one
   * unit of stock taken conditionally, the redemption (REQUESTED) and its
   * negative ledger row written, the idempotency key stored.
   */
  redeem(request: {
    volunteerId: number;
    rewardId: number;
    idempotency?: IdempotencyClaim;
  }): Promise<RedeemOutcome>;
  redemption(id: number): Promise<RedemptionDto | null>;
  redemptions(filter: RedemptionFilter): Promise<RedemptionDto[]>;
  /**
   * REQUESTED -> `to` conditionally; rejecting refunds the points (a positive
   * row) and puts the stock back; audited. Null when it was no longer REQUESTED.
   */
  decide(decision: {
    id: number;
    to: 'APPROVED' | 'REJECTED';
    actorId: number;
    ip: string | null;
    at: Date;
  }): Promise<RedemptionDto | null>;
  /** The volunteer's home community, or undefined when they are no volunteer. */
  homeCommunity(volunteerId: number): Promise<number | null | undefined>;
  teamExists(teamId: number): Promise<boolean>;
  leaderboard(query: LeaderboardQuery): Promise<Omit<LeaderboardRow, 'rank'>[]>;
  /** One volunteer's row and rank (1 + those strictly ahead) on a board; null when not on it. */
  standing(
    query: Omit<LeaderboardQuery, 'limit'>,
    volunteerId: number,
  ): Promise<LeaderboardRow | null>;
}
