import type { OverdueVisit, OverdueVisitsResponse, Role } from '@gridline/core';
import { request } from '../api/client.ts';

/** Who sees the overdue visits of their region on the dashboard (never on the wall screen). */
export const OVERDUE_VISIT_ROLES: readonly Role[] = ['COMMUNITY_STAFF', 'DISPATCHER', 'ADMIN'];

/** The list changes by the day: reload it this often while the page is shown. */
export const OVERDUE_REFRESH_MS = 10 * 60_000;

export const showsOverdueVisits = (role: Role): boolean => OVERDUE_VISIT_ROLES.includes(role);

/** `GET /api/care-recipients/overdue-visits?regionId=` (each call is an audited read). */
export function loadOverdueVisits(
  regionId: number,
  signal?: AbortSignal,
): Promise<OverdueVisitsResponse> {
  const search = new URLSearchParams({ regionId: String(regionId) });
  return request<OverdueVisitsResponse>(`/api/care-recipients/overdue-visits?${search}`, {
    signal,
  });
}

/** How late a visit is, as the table says it: whole days, or less than one. */
export function overdueLabelKey(
  visit: Pick<OverdueVisit, 'daysOverdue'>,
): 'dashboard.visits.daysValue' | 'dashboard.visits.lessThanDay' {
  return visit.daysOverdue >= 1 ? 'dashboard.visits.daysValue' : 'dashboard.visits.lessThanDay';
}
