import type { LatLng, Priority, Role, TicketStatus, TicketSummary } from '@gridline/core';
import { request } from '../api/client.ts';
import type { RegionDto } from '../api/types.ts';

/** What `GET /api/tickets/duplicates` reports about a likely duplicate (no personal data). */
export interface LikelyDuplicate {
  id: number;
  code: string;
  status: TicketStatus;
  createdAt: string;
  distanceM: number;
}

/** `GET /api/tickets/:id`, the parts the console shows. */
export interface TicketDetail extends TicketSummary {
  description: string;
}

/** `GET /api/regions/:id/staff`: who may take tickets there (names the assignee). */
export interface RegionStaff {
  id: number;
  displayName: string;
  role: Role;
}

export interface HotlineTicketInput {
  categoryCode: string;
  description: string;
  location: LatLng;
  address?: string;
  priority: Priority;
  channel: 'HOTLINE';
  reporter: { name?: string; phone: string };
}

export interface CreatedTicket {
  ticket: TicketSummary;
  trackingToken: string;
}

/**
 * `POST /api/tickets` with an Idempotency-Key header: the same key and body
 * return the first ticket, so a double submit or a retry after a lost answer
 * files one ticket. Errors as `ApiError`.
 */
export function createHotlineTicket(
  input: HotlineTicketInput,
  idempotencyKey: string,
  fetchFn: typeof fetch = fetch,
): Promise<CreatedTicket> {
  return request<CreatedTicket>('/api/tickets', {
    method: 'POST',
    body: input,
    headers: { 'idempotency-key': idempotencyKey },
    fetch: fetchFn,
  });
}

export const hotlineApi = {
  duplicates: (params: { categoryCode: string; location: LatLng }, signal?: AbortSignal) =>
    request<{ duplicates: LikelyDuplicate[] }>(
      `/api/tickets/duplicates?${new URLSearchParams({
        categoryCode: params.categoryCode,
        lat: params.location.lat.toFixed(6),
        lng: params.location.lng.toFixed(6),
      }).toString()}`,
      { signal },
    ),
  ticket: (id: number, signal?: AbortSignal) =>
    request<{ ticket: TicketDetail }>(`/api/tickets/${id}`, { signal }),
  staff: (regionId: number, signal?: AbortSignal) =>
    request<{ staff: RegionStaff[] }>(`/api/regions/${regionId}/staff`, { signal }),
  region: (id: number, signal?: AbortSignal) =>
    request<{ region: RegionDto }>(`/api/regions/${id}`, { signal }),
};

/** A fresh key per form fill (crypto.randomUUID is missing on plain-HTTP origins). */
export function newIdempotencyKey(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return `hotline-${cryptoApi.randomUUID()}`;
  const bytes = new Uint8Array(16);
  cryptoApi.getRandomValues(bytes);
  return `hotline-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
