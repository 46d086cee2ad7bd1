import type {
  ActionBody,
  AnsweredAttribute,
  RegionLevel,
  TicketAction,
  TicketEventPayload,
  TicketStatus,
  TicketSummary,
} from '@gridline/core';
import { request } from '../api/client.ts';
import type { RegionDto } from '../api/types.ts';

/** A photo attached to a ticket (`GET /api/tickets/:id` lists them). */
export interface TicketPhoto {
  id: number;
  kind: 'REPORT' | 'RESOLUTION';
  mime: string;
  bytes: number;
}

/** `GET /api/tickets/:id`: the ticket with its description, reporter and photos. */
export interface TicketDetail extends TicketSummary {
  description: string;
  reporter: { name: string | null; phone: string | null };
  photos: TicketPhoto[];
  /** Answers to the category's questions (from Open311 requests). */
  answers?: AnsweredAttribute[];
  /** A URL of media the reporter pointed to (Open311 `media_url`). */
  mediaUrl?: string | null;
}

/** One timeline entry: an event row without the ticket. */
export type TimelineEntry = Omit<TicketEventPayload, 'ticket'>;

export interface TicketDetailResponse {
  ticket: TicketDetail;
  timeline: TimelineEntry[];
}

export interface RegionLoad {
  regionId: number;
  open: number;
  overdue: number;
}

export interface AssignableStaff {
  id: number;
  displayName: string;
  role: 'GRID_MEMBER' | 'COMMUNITY_STAFF' | 'DISPATCHER';
  regionId: number;
  onDuty: boolean;
  openTickets: number;
}

export interface LikelyDuplicate {
  id: number;
  code: string;
  status: TicketStatus;
  createdAt: string;
  distanceM: number;
}

export interface Summons {
  id: number;
  department: string;
  reportBy: string;
}

const id = (value: number): string => encodeURIComponent(String(value));

/** The routes the dispatcher's page calls beyond the shared client's. */
export const dispatchApi = {
  /** Open tickets in scope matching a code, an address or 4+ digits of the caller's phone. */
  searchOpen: async (query: string, signal?: AbortSignal) =>
    (
      await request<{ tickets: TicketSummary[] }>(
        `/api/tickets?status=open&limit=200&q=${encodeURIComponent(query)}`,
        { signal },
      )
    ).tickets,
  ticket: (ticketId: number, signal?: AbortSignal) =>
    request<TicketDetailResponse>(`/api/tickets/${id(ticketId)}`, { signal }),
  act: <A extends TicketAction>(ticketId: number, action: A, body: ActionBody<A>) =>
    request<{ ticket: TicketSummary }>(`/api/tickets/${id(ticketId)}/${action}`, {
      method: 'POST',
      body,
    }),
  summon: (ticketId: number, body: { departments: string[]; reportMinutes?: number }) =>
    request<{ summons: Summons[] }>(`/api/tickets/${id(ticketId)}/summon`, {
      method: 'POST',
      body,
    }),
  askVolunteers: (
    ticketId: number,
    body: { skills: string[]; durationMinutes: number; slots: number },
  ) =>
    request<{ task: { id: number } }>(`/api/tickets/${id(ticketId)}/ask-volunteers`, {
      method: 'POST',
      body,
    }),
  skills: () =>
    request<{ skills: Array<{ code: string; nameZh: string; nameEn: string }> }>('/api/skills'),
  duplicates: (params: { categoryCode: string; lat: number; lng: number }, signal?: AbortSignal) =>
    request<{ duplicates: LikelyDuplicate[] }>(
      `/api/tickets/duplicates?${new URLSearchParams({
        categoryCode: params.categoryCode,
        lat: String(params.lat),
        lng: String(params.lng),
      }).toString()}`,
      { signal },
    ),
  regionLoad: (level: Exclude<RegionLevel, 'CITY'>, parentId?: number, signal?: AbortSignal) => {
    const search = new URLSearchParams({ level });
    if (parentId !== undefined) search.set('parentId', String(parentId));
    return request<{ load: RegionLoad[] }>(`/api/regions/load?${search.toString()}`, { signal });
  },
  region: (regionId: number, signal?: AbortSignal) =>
    request<{ region: RegionDto }>(`/api/regions/${id(regionId)}`, { signal }),
  staff: (regionId: number, signal?: AbortSignal) =>
    request<{ staff: AssignableStaff[] }>(`/api/regions/${id(regionId)}/staff`, { signal }),
  photoUrl: (ticketId: number, photoId: number): string =>
    `/api/tickets/${id(ticketId)}/photos/${id(photoId)}`,
};
