import { resolve } from '$app/paths';
import type { LatLng, MyTicket, TicketSummary, TrackView, UserDto } from '@gridline/core';
import { request, uploadFile } from '../api/client.ts';
import type { RegionDto } from '../api/types.ts';

/** What `POST /api/tickets` answers a resident. */
export interface FiledReport {
  ticket: TicketSummary;
  trackingToken: string;
}

export interface ReportBody {
  categoryCode: string;
  description: string;
  location: LatLng;
  address?: string;
  channel: 'WEB';
  reporter?: { name?: string; phone?: string };
}

/** A ticket's API path through its link's token, or (null) a signed-in resident's session. */
const link = (code: string, token: string | null, rest = '') =>
  `/api/track/${encodeURIComponent(code)}${rest}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

/** The resident's calls: none needs a session; a tracking link's token proves the link. */
export const residentApi = {
  report: (body: ReportBody, idempotencyKey: string) =>
    request<FiledReport>('/api/tickets', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': idempotencyKey },
    }),
  follow: (ticketId: number) =>
    request<{ code: string; trackingToken: string }>(`/api/tickets/${ticketId}/follow`, {
      method: 'POST',
    }),
  track: (code: string, token: string | null, signal?: AbortSignal) =>
    request<TrackView>(link(code, token), { signal }),
  rate: (
    code: string,
    token: string | null,
    body: { version: number; rating: 'GOOD' | 'BAD'; comment?: string },
  ) =>
    request<{ ticket: { status: string } }>(link(code, token, '/rate'), { method: 'POST', body }),
  reopen: (code: string, token: string | null, body: { version: number; reason: string }) =>
    request<{ ticket: { status: string } }>(link(code, token, '/reopen'), { method: 'POST', body }),
  subscribePush: (code: string, token: string, subscription: PushSubscriptionJSON) =>
    request<{ subscribed: boolean }>(link(code, token, '/push'), {
      method: 'POST',
      body: subscription,
    }),
  register: (body: { phone: string; password: string; displayName?: string }) =>
    request<{ user: UserDto }>('/api/residents/register', { method: 'POST', body }),
  myTickets: (signal?: AbortSignal) =>
    request<{ tickets: MyTicket[] }>('/api/me/tickets', { signal }),
  communityOutline: (id: number, signal?: AbortSignal) =>
    request<{ region: RegionDto }>(`/api/communities/${id}/outline`, { signal }),
  /** Sends the image bytes as they are; the server checks the type and strips metadata. */
  uploadPhoto: (code: string, token: string, file: File) =>
    uploadFile<{ photo: unknown }>(link(code, token, '/photos'), file).then(() => undefined),
};

/** The private tracking link of a ticket: the token rides in the fragment, never sent to servers or in Referer headers. */
export function trackingPath(code: string, token: string): string {
  return `${resolve('/track/[code]', { code })}#token=${encodeURIComponent(token)}`;
}

/** The token of a tracking link: from the fragment (`#token=`), or the query (`?token=`). */
export function tokenOfLink(url: URL): string | null {
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  return fromHash ?? url.searchParams.get('token');
}

/** A resident adds up to 3 photos to a report (MAX_RESIDENT_PHOTOS on the server). */
export const MAX_RESIDENT_PHOTOS = 3;

const TOKEN_KEY = (code: string) => `gridline.track.${code}`;

/**
 * Keeps a link's token on this device, so the page opened from a push
 * notification (`/track/<code>`, no token: pushes never carry it) still opens.
 */
export function rememberToken(code: string, token: string): void {
  try {
    globalThis.localStorage?.setItem(TOKEN_KEY(code), token);
  } catch {
    // Storage unavailable: only the full link opens the page.
  }
}

export function rememberedToken(code: string): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_KEY(code)) ?? null;
  } catch {
    return null;
  }
}
