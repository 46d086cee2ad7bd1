import type {
  LedgerBalance,
  LedgerEntry,
  SkillDto,
  VolunteerProfile,
  VolunteerStatus,
} from '@gridline/core';
import { SvelteMap } from 'svelte/reactivity';
import { ApiError } from '../api/client.ts';
import { volunteerApi, type RedemptionDto, type RewardDto } from './api.ts';
import { idempotencyKey, mergeRedemptions } from './redemptions.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Who the volunteer is (status, skills, duty) and what they have earned and
 * spent: the profile, the hours-and-points ledger, the rewards on offer and
 * their redemptions. Reloaded after every check-out and redemption.
 */
export class VolunteerWallet {
  profile = $state.raw<VolunteerProfile | null>(null);
  profileStatus = $state<LoadStatus>('idle');
  profileError = $state<unknown>(null);

  entries = $state.raw<readonly LedgerEntry[]>([]);
  /** From the ledger when loaded, else from the profile. */
  ledgerBalance = $state.raw<LedgerBalance | null>(null);
  ledgerStatus = $state<LoadStatus>('idle');
  ledgerError = $state<unknown>(null);

  rewards = $state.raw<readonly RewardDto[]>([]);
  rewardsStatus = $state<LoadStatus>('idle');
  rewardsError = $state<unknown>(null);

  /** Redemptions the server lists, merged with those made on this page. */
  redemptions = $state.raw<readonly RedemptionDto[]>([]);
  /** Reward id -> redemption in flight. */
  readonly redeeming = new SvelteMap<number, true>();
  redeemError = $state<{ rewardId: number; error: unknown } | null>(null);
  lastRedeemed = $state.raw<RewardDto | null>(null);

  readonly skills = new SvelteMap<string, SkillDto>();

  #onSessionEnded: () => void;

  constructor(options: { onSessionEnded: () => void }) {
    this.#onSessionEnded = options.onSessionEnded;
  }

  get status(): VolunteerStatus | null {
    return this.profile?.status ?? null;
  }

  get balance(): LedgerBalance | null {
    return this.ledgerBalance ?? this.profile?.balance ?? null;
  }

  async loadProfile(): Promise<VolunteerProfile | null> {
    if (this.profileStatus !== 'ready') this.profileStatus = 'loading';
    try {
      const { volunteer } = await volunteerApi.profile();
      this.profile = volunteer;
      this.profileStatus = 'ready';
      this.profileError = null;
      return volunteer;
    } catch (error) {
      this.#failed(error);
      this.profileError = error;
      if (this.profileStatus !== 'ready') this.profileStatus = 'error';
      return null;
    }
  }

  async loadLedger(): Promise<void> {
    if (this.ledgerStatus !== 'ready') this.ledgerStatus = 'loading';
    try {
      const ledger = await volunteerApi.ledger();
      this.entries = ledger.entries;
      this.ledgerBalance = ledger.balance;
      this.ledgerStatus = 'ready';
      this.ledgerError = null;
    } catch (error) {
      this.#failed(error);
      this.ledgerError = error;
      if (this.ledgerStatus !== 'ready') this.ledgerStatus = 'error';
    }
  }

  async loadRewards(): Promise<void> {
    if (this.rewardsStatus !== 'ready') this.rewardsStatus = 'loading';
    try {
      const { rewards } = await volunteerApi.rewards();
      this.rewards = rewards.filter((reward) => reward.active !== false);
      this.rewardsStatus = 'ready';
      this.rewardsError = null;
    } catch (error) {
      this.#failed(error);
      this.rewardsError = error;
      if (this.rewardsStatus !== 'ready') this.rewardsStatus = 'error';
    }
  }

  /** The volunteer's own redemptions, where the server lists them. */
  async loadRedemptions(): Promise<void> {
    try {
      const { redemptions } = await volunteerApi.myRedemptions();
      this.redemptions = mergeRedemptions(redemptions, this.redemptions);
    } catch (error) {
      // Not every server lists them to volunteers: the ledger still shows what was spent.
      this.#failed(error);
    }
  }

  async loadSkills(): Promise<void> {
    try {
      const { skills } = await volunteerApi.skills();
      for (const skill of skills) this.skills.set(skill.code, skill);
    } catch {
      // Skill codes are shown instead of names.
    }
  }

  /** What the volunteer has earned changed (checked out): read it again. */
  refreshBalance(): void {
    void this.loadLedger();
    void this.loadProfile();
  }

  async redeem(reward: RewardDto): Promise<boolean> {
    if (this.redeeming.has(reward.id)) return false;
    this.redeeming.set(reward.id, true);
    this.redeemError = null;
    this.lastRedeemed = null;
    try {
      const { redemption } = await volunteerApi.redeem(reward.id, idempotencyKey());
      this.redemptions = mergeRedemptions([redemption], this.redemptions);
      this.lastRedeemed = reward;
      return true;
    } catch (error) {
      this.#failed(error);
      this.redeemError = { rewardId: reward.id, error };
      return false;
    } finally {
      this.redeeming.delete(reward.id);
      // Balance and stock changed (or the refusal says they were not what we showed).
      void this.loadLedger();
      void this.loadRewards();
      void this.loadRedemptions();
    }
  }

  #failed(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) this.#onSessionEnded();
  }
}
