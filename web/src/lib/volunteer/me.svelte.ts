import type { LeaderboardResponse, VolunteerProfile } from '@gridline/core';
import { SvelteMap } from 'svelte/reactivity';
import { volunteerApi, type TeamDto } from './api.ts';
import type { ProfilePatch } from './me.ts';
import type { LoadStatus, VolunteerWallet } from './wallet.svelte.ts';

/**
 * The Me tab: saving the profile, the teams of the home community (join,
 * leave) and the leaderboards of the community and of each of my teams. The
 * profile itself lives in the wallet, which every tab reads.
 */
export class VolunteerMe {
  saving = $state(false);
  saveError = $state<unknown>(null);
  /** Set after a save went through, until the form changes again. */
  saved = $state(false);

  teams = $state.raw<readonly TeamDto[]>([]);
  teamsStatus = $state<LoadStatus>('idle');
  teamsError = $state<unknown>(null);
  /** Team id -> a join or leave in flight. */
  readonly teamBusy = new SvelteMap<number, true>();
  teamError = $state<unknown>(null);

  communityBoard = $state.raw<LeaderboardResponse | null>(null);
  readonly teamBoards = new SvelteMap<number, LeaderboardResponse>();
  boardsStatus = $state<LoadStatus>('idle');
  boardsError = $state<unknown>(null);

  readonly #wallet: VolunteerWallet;

  constructor(wallet: VolunteerWallet) {
    this.#wallet = wallet;
  }

  async save(patch: ProfilePatch): Promise<boolean> {
    if (this.saving) return false;
    this.saving = true;
    this.saveError = null;
    this.saved = false;
    try {
      const { volunteer } = await volunteerApi.updateProfile(patch);
      const before = this.#wallet.profile;
      this.#wallet.profile = volunteer;
      this.saved = true;
      if (volunteer.homeCommunityId !== before?.homeCommunityId) await this.load(volunteer);
      // The leaderboards show my name.
      else if (volunteer.displayName !== before.displayName) await this.loadBoards(volunteer);
      return true;
    } catch (error) {
      this.saveError = error;
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** Teams and leaderboards for this profile. */
  async load(profile: VolunteerProfile): Promise<void> {
    await Promise.all([this.loadTeams(profile), this.loadBoards(profile)]);
  }

  async loadTeams(profile: VolunteerProfile): Promise<void> {
    if (profile.homeCommunityId === null) {
      this.teams = [];
      this.teamsStatus = 'ready';
      return;
    }
    if (this.teamsStatus !== 'ready') this.teamsStatus = 'loading';
    try {
      this.teams = (await volunteerApi.teams(profile.homeCommunityId)).teams;
      this.teamsStatus = 'ready';
      this.teamsError = null;
    } catch (error) {
      this.teamsError = error;
      if (this.teamsStatus !== 'ready') this.teamsStatus = 'error';
    }
  }

  async loadBoards(profile: VolunteerProfile): Promise<void> {
    if (this.boardsStatus !== 'ready') this.boardsStatus = 'loading';
    try {
      const [community, ...teams] = await Promise.all([
        profile.homeCommunityId === null
          ? Promise.resolve(null)
          : volunteerApi.leaderboard('community', profile.homeCommunityId),
        ...profile.teams.map((team) => volunteerApi.leaderboard('team', team.id)),
      ]);
      this.communityBoard = community ?? null;
      this.teamBoards.clear();
      for (const board of teams) this.teamBoards.set(board.id, board);
      this.boardsStatus = 'ready';
      this.boardsError = null;
    } catch (error) {
      this.boardsError = error;
      if (this.boardsStatus !== 'ready') this.boardsStatus = 'error';
    }
  }

  async join(team: TeamDto): Promise<void> {
    await this.#teamAction(team.id, () => volunteerApi.joinTeam(team.id));
  }

  async leave(team: { id: number }): Promise<void> {
    await this.#teamAction(team.id, () => volunteerApi.leaveTeam(team.id));
  }

  async #teamAction(teamId: number, action: () => Promise<unknown>): Promise<void> {
    if (this.teamBusy.has(teamId)) return;
    this.teamBusy.set(teamId, true);
    this.teamError = null;
    try {
      await action();
      const profile = await this.#wallet.loadProfile();
      if (profile) await this.load(profile);
    } catch (error) {
      this.teamError = error;
    } finally {
      this.teamBusy.delete(teamId);
    }
  }
}
