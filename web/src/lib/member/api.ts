import type {
  CreateTicketInput,
  FieldPosition,
  LocationReport,
  TicketAction,
  TicketEventPayload,
  TicketSummary,
} from '@gridline/core';
import { request, uploadFile } from '../api/client.ts';
import type { TicketsResponse } from '../api/types.ts';

/** A photo as the server lists it (`server/src/photos/photo-service.ts`). */
export interface PhotoDto {
  id: number;
  kind: 'REPORT' | 'RESOLUTION';
  mime: string;
  bytes: number;
  url: string;
  createdAt: string;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  reporter: { name: string | null; phone: string | null };
  photos: PhotoDto[];
}

export type TimelineEntry = Omit<TicketEventPayload, 'ticket'>;

export interface TicketDetailResponse {
  ticket: TicketDetail;
  timeline: TimelineEntry[];
}

/** The action bodies the member's buttons send (see actionBodySchemas in core). */
export type MemberActionBody =
  | { version?: number }
  | { version?: number; reason: string }
  | { version?: number; note: string };

/** The grid member's calls. */
export const memberApi = {
  myOpenTickets: (assigneeId: number, limit = 500) =>
    request<TicketsResponse>(`/api/tickets?status=open&assigneeId=${assigneeId}&limit=${limit}`),
  ticket: (id: number, signal?: AbortSignal) =>
    request<TicketDetailResponse>(`/api/tickets/${id}`, { signal }),
  act: (id: number, action: TicketAction, body: MemberActionBody) =>
    request<{ ticket: TicketSummary }>(`/api/tickets/${id}/${action}`, { method: 'POST', body }),
  report: (input: CreateTicketInput) =>
    request<{ ticket: TicketSummary }>('/api/tickets', { method: 'POST', body: input }),
  duty: () => request<{ onDuty: boolean }>('/api/members/me/duty'),
  setDuty: (onDuty: boolean) =>
    request<{ onDuty: boolean }>('/api/members/me/duty', { method: 'POST', body: { onDuty } }),
  location: (report: LocationReport) =>
    request<{ position: FieldPosition; pushed: boolean }>('/api/members/me/location', {
      method: 'POST',
      body: report,
    }),
  uploadPhoto,
};

/** `POST /api/tickets/:id/photos` with the image bytes as the body. */
async function uploadPhoto(ticketId: number, file: Blob): Promise<PhotoDto> {
  const body = await uploadFile<{ photo: PhotoDto }>(`/api/tickets/${ticketId}/photos`, file);
  return body.photo;
}
