import type {
  AssignmentSummary,
  LedgerResponse,
  MyTasksResponse,
  SkillDto,
  TaskSummary,
  VolunteerProfile,
  VolunteerTaskAction,
} from '@gridline/core';
import { request } from '../api/client.ts';

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
};
