import type {
  AssignmentSummary,
  CareRecipientDto,
  CareContact,
  CareKind,
  LatLng,
  OverdueVisitsResponse,
  SkillDto,
  StaffTaskAction,
  TaskEventPayload,
  TaskStatus,
  TaskSummary,
  VolunteerProfile,
  VolunteerStatus,
} from '@gridline/core';
import { request } from '../api/client.ts';
import type { RegionDto, RegionsResponse } from '../api/types.ts';

/** A reward as `GET /api/rewards?all=true` lists it for staff. */
export interface RewardDto {
  id: number;
  nameZh: string;
  nameEn: string;
  cost: number;
  stock: number;
  active: boolean;
}

export const REDEMPTION_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

/** A redemption request as staff see it (`GET /api/redemptions`). */
export interface RedemptionDto {
  id: number;
  volunteerId: number;
  volunteerName: string;
  homeCommunityId: number | null;
  rewardId: number;
  reward: { nameZh: string; nameEn: string };
  points: number;
  status: RedemptionStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedById: number | null;
}

/** One line of a task's timeline (`GET /api/tasks/:id`): its event without the task. */
export type TaskTimelineEntry = Omit<TaskEventPayload, 'task'>;

/** `GET /api/tasks/:id` for staff in scope. */
export interface TaskDetailResponse {
  task: TaskSummary;
  assignments: Array<AssignmentSummary & { volunteerName?: string }>;
  timeline?: TaskTimelineEntry[];
}

/** A community a new volunteer may sign up in (`GET /api/volunteers/communities`). */
export interface CommunityChoice {
  id: number;
  name: string;
  street: string | null;
  district: string | null;
}

/** What the task form sends (core `createTaskSchema`; the cascade's defaults are the server's). */
export interface NewTaskBody {
  title: string;
  description: string;
  skills: string[];
  location: LatLng;
  address?: string;
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
  slots: number;
  pointsPerHour: number;
}

/** What the household form sends (core `createCareRecipientSchema`). */
export interface CareRecipientBody {
  householdName: string;
  firstName: string;
  kind: CareKind;
  address: string;
  location: LatLng;
  contacts: CareContact[];
  visitEveryDays: number | null;
  notes: string | null;
}

/** The reward form's fields (core `rewardSchema`). */
export interface NewReward {
  nameZh: string;
  nameEn: string;
  cost: number;
  stock: number;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The staff console's calls (core/src/volunteers.ts, tasks.ts, care.ts). */
export const communityApi = {
  skills: () => request<{ skills: SkillDto[] }>('/api/skills'),
  communities: (q: string, signal?: AbortSignal) =>
    request<{ communities: CommunityChoice[] }>(`/api/volunteers/communities${query({ q })}`, {
      signal,
    }),
  region: (id: number) => request<{ region: RegionDto }>(`/api/regions/${id}`),
  grids: (communityId: number) =>
    request<RegionsResponse>(`/api/regions${query({ level: 'GRID', parentId: communityId })}`),

  volunteers: (
    params: { communityId?: number; status?: VolunteerStatus; cursor?: number; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<{ volunteers: VolunteerProfile[]; nextCursor: number | null }>(
      `/api/volunteers${query(params)}`,
      { signal },
    ),
  decideVolunteer: (id: number, action: 'approve' | 'suspend') =>
    request<{ volunteer: VolunteerProfile }>(`/api/volunteers/${id}/${action}`, {
      method: 'POST',
      body: {},
    }),

  tasks: (
    params: { status?: TaskStatus; regionId?: number; cursor?: number; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<{ tasks: TaskSummary[]; nextCursor: number | null }>(`/api/tasks${query(params)}`, {
      signal,
    }),
  task: (id: number, signal?: AbortSignal) =>
    request<TaskDetailResponse>(`/api/tasks/${id}`, { signal }),
  createTask: (body: NewTaskBody, idempotencyKey: string) =>
    request<{ task: TaskSummary }>('/api/tasks', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': idempotencyKey },
    }),
  taskAction: (id: number, action: StaffTaskAction) =>
    request<{ task: TaskSummary }>(`/api/tasks/${id}/${action}`, { method: 'POST', body: {} }),

  redemptions: (
    params: { status?: RedemptionStatus; communityId?: number; before?: number; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<{ redemptions: RedemptionDto[]; nextBefore: number | null }>(
      `/api/redemptions${query(params)}`,
      { signal },
    ),
  decideRedemption: (id: number, action: 'approve' | 'reject') =>
    request<{ redemption: RedemptionDto }>(`/api/redemptions/${id}/${action}`, {
      method: 'POST',
      body: {},
    }),
  rewards: () => request<{ rewards: RewardDto[] }>('/api/rewards?all=true'),
  createReward: (reward: NewReward) =>
    request<{ reward: RewardDto }>('/api/rewards', { method: 'POST', body: reward }),

  careRecipients: (communityId: number | undefined) =>
    request<{ careRecipients: CareRecipientDto[] }>(
      `/api/care-recipients${query({ communityId })}`,
    ),
  overdueVisits: (communityId: number | undefined) =>
    request<OverdueVisitsResponse>(`/api/care-recipients/overdue-visits${query({ communityId })}`),
  createCareRecipient: (
    body: CareRecipientBody & { communityId?: number },
    idempotencyKey: string,
  ) =>
    request<{ careRecipient: CareRecipientDto }>('/api/care-recipients', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': idempotencyKey },
    }),
  updateCareRecipient: (id: number, body: Partial<CareRecipientBody>) =>
    request<{ careRecipient: CareRecipientDto }>(`/api/care-recipients/${id}`, {
      method: 'PATCH',
      body,
    }),
  addDevice: (id: number, deviceId: string) =>
    request<{ careRecipient: CareRecipientDto }>(`/api/care-recipients/${id}/devices`, {
      method: 'POST',
      body: { deviceId },
    }),
  deactivateDevice: (id: number, deviceId: string) =>
    request<{ careRecipient: CareRecipientDto }>(
      `/api/care-recipients/${id}/devices/${encodeURIComponent(deviceId)}`,
      { method: 'DELETE' },
    ),
};
