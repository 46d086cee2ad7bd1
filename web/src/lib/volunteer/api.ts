import type {
  AssignmentSummary,
  LeaderboardResponse,
  LedgerResponse,
  MyTasksResponse,
  SkillDto,
  TaskSummary,
  VolunteerProfile,
  VolunteerTaskAction,
} from '@gridline/core';
import { request } from '../api/client.ts';
import type { ProfilePatch } from './me.ts';

/** A volunteer team (志愿服务队) as `GET /api/teams` lists it. */
export interface TeamDto {
  id: number;
  name: string;
  communityId: number | null;
  members: number;
}

/** A community a volunteer can belong to (`GET /api/volunteers/communities`). */
export interface CommunityChoice {
  id: number;
  name: string;
  street: string | null;
  district: string | null;
}

/** A reward as `GET /api/rewards` lists it (prisma `Reward`). */
export interface RewardDto {
  id: number;
  nameZh: string;
  nameEn: string;
  cost: number;
  stock: number;
  active?: boolean;
}

export type RedemptionStatus = 'REQUESTED' | 'APPROVED' | 'REJECTED';

/** A redemption as `POST /api/redemptions` answers it (prisma `Redemption`). */
export interface RedemptionDto {
  id: number;
  rewardId: number;
  points: number;
  status: RedemptionStatus;
  createdAt: string;
  decidedAt?: string | null;
  reward?: { nameZh: string; nameEn: string } | null;
  rewardNameZh?: string;
  rewardNameEn?: string;
}

/** Where the phone is, for check-in and check-out (`taskPresenceSchema` in core). */
export interface Presence {
  lat: number;
  lng: number;
  accuracy?: number;
}

/** What a task action answers (both fields when the server sends them). */
export interface TaskActionResponse {
  task?: TaskSummary;
  assignment?: AssignmentSummary;
}

/** `GET /api/tasks/:id` for the volunteer who holds it. */
export interface TaskDetailResponse {
  task: TaskSummary;
  assignment?: AssignmentSummary | null;
}

/** The volunteer app's calls (core/src/tasks.ts and core/src/volunteers.ts). */
export const volunteerApi = {
  myTasks: (signal?: AbortSignal) =>
    request<MyTasksResponse>('/api/volunteers/me/tasks', { signal }),
  task: (id: number, signal?: AbortSignal) =>
    request<TaskDetailResponse>(`/api/tasks/${id}`, { signal }),
  act: (id: number, action: VolunteerTaskAction, body: Presence | Record<string, never>) =>
    request<TaskActionResponse>(`/api/tasks/${id}/${action}`, { method: 'POST', body }),
  profile: () => request<{ volunteer: VolunteerProfile }>('/api/volunteers/me'),
  duty: () => request<{ onDuty: boolean }>('/api/volunteers/me/duty'),
  setDuty: (onDuty: boolean) =>
    request<{ onDuty: boolean }>('/api/volunteers/me/duty', { method: 'POST', body: { onDuty } }),
  location: (report: Presence) =>
    request<unknown>('/api/volunteers/me/location', { method: 'POST', body: report }),
  ledger: () => request<LedgerResponse>('/api/volunteers/me/ledger'),
  rewards: () => request<{ rewards: RewardDto[] }>('/api/rewards'),
  redeem: (rewardId: number, idempotencyKey: string) =>
    request<{ redemption: RedemptionDto }>('/api/redemptions', {
      method: 'POST',
      body: { rewardId },
      headers: { 'idempotency-key': idempotencyKey },
    }),
  myRedemptions: () => request<{ redemptions: RedemptionDto[] }>('/api/redemptions?mine=true'),
  skills: () => request<{ skills: SkillDto[] }>('/api/skills'),
  updateProfile: (patch: ProfilePatch) =>
    request<{ volunteer: VolunteerProfile }>('/api/volunteers/me', {
      method: 'PATCH',
      body: patch,
    }),
  communities: (query: string, signal?: AbortSignal) =>
    request<{ communities: CommunityChoice[] }>(
      `/api/volunteers/communities?q=${encodeURIComponent(query)}`,
      { signal },
    ),
  community: (id: number) =>
    request<{ communities: CommunityChoice[] }>(`/api/volunteers/communities?id=${id}`),
  teams: (communityId: number) =>
    request<{ teams: TeamDto[] }>(`/api/teams?communityId=${communityId}`),
  joinTeam: (teamId: number) =>
    request<{ team: TeamDto }>(`/api/teams/${teamId}/join`, { method: 'POST', body: {} }),
  leaveTeam: (teamId: number) =>
    request<{ ok: true }>(`/api/teams/${teamId}/leave`, { method: 'POST', body: {} }),
  leaderboard: (by: 'team' | 'community', id: number) =>
    request<LeaderboardResponse>(
      `/api/leaderboards?by=${by}&${by === 'team' ? 'teamId' : 'regionId'}=${id}`,
    ),
};
