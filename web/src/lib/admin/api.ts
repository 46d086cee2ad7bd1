import {
  GEOJSON_MEDIA_TYPE,
  type AdminRegionDto,
  type AdminUserDto,
  type AdminUsersResponse,
  type AuditEntryDto,
  type AssignedUser,
  type CategoryDto,
  type CategoryPatch,
  type ImportProblem,
  type Open311ApiKeyDto,
  type Open311IssuedKey,
  type RegionImportResponse,
  type RegionImportSummary,
  type RegionLevel,
  type Role,
} from '@gridline/core';
import { ApiError, request } from '$lib/api/client.ts';

export type AdminCategory = CategoryDto & { active: boolean; sortOrder: number };

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The GeoJSON export of regions of `level` beneath `parentId`, as a download URL. */
export function exportUrl(params: { level?: RegionLevel; parentId?: number }): string {
  return `/api/admin/regions/export${query(params)}`;
}

/** An import answered with its problems (422): nothing was written. */
export class ImportRejected extends Error {
  constructor(
    readonly problems: ImportProblem[],
    readonly summary: RegionImportSummary | null,
  ) {
    super('import rejected');
  }
}

/**
 * Sends a GeoJSON file as `application/geo+json` (the import route's own 20 MB
 * limit; `request` would send application/json, held to 100 kB app-wide).
 */
async function importFile(text: string, dryRun: boolean): Promise<RegionImportResponse> {
  let response: Response;
  try {
    response = await fetch(`/api/admin/regions/import${dryRun ? '?dryRun=1' : ''}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': GEOJSON_MEDIA_TYPE },
      body: text,
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : 'Network error');
  }
  const body = (await response.json().catch(() => null)) as
    | RegionImportResponse
    | { error: { code: string; message: string; details?: unknown } }
    | null;
  if (response.ok && body && !('error' in body)) return body;
  if (body && 'error' in body) {
    const details = body.error.details as
      | { problems?: ImportProblem[]; summary?: RegionImportSummary }
      | undefined;
    if (response.status === 422 && Array.isArray(details?.problems)) {
      throw new ImportRejected(details.problems, details.summary ?? null);
    }
    throw new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  }
  throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
}

export const adminApi = {
  regions: (params: { level?: RegionLevel; parentId?: number; query?: string }) =>
    request<{ regions: AdminRegionDto[] }>(`/api/admin/regions${query(params)}`),
  checkImport: (text: string) => importFile(text, true),
  applyImport: (text: string) => importFile(text, false),
  assignGrid: (gridId: number, patch: { memberId?: number; backupId?: number | null }) =>
    request<{ assignment: { member: AssignedUser | null; backup: AssignedUser | null } }>(
      `/api/admin/grids/${gridId}`,
      { method: 'PATCH', body: patch },
    ),
  categories: () => request<{ categories: AdminCategory[] }>('/api/admin/categories'),
  updateCategory: (code: string, patch: CategoryPatch) =>
    request<{ category: AdminCategory }>(`/api/admin/categories/${encodeURIComponent(code)}`, {
      method: 'PATCH',
      body: patch,
    }),
  users: (params: {
    query?: string;
    role?: Role;
    regionId?: number;
    cursor?: number;
    limit?: number;
  }) => request<AdminUsersResponse>(`/api/admin/users${query(params)}`),
  updateUser: (id: number, patch: { role?: Role; regionId?: number | null; active?: boolean }) =>
    request<{ user: Omit<AdminUserDto, 'regionName' | 'regionLevel' | 'username'> }>(
      `/api/admin/users/${id}`,
      { method: 'PATCH', body: patch },
    ),
  open311Keys: () => request<{ keys: Open311ApiKeyDto[] }>('/api/admin/open311/keys'),
  issueOpen311Key: (name: string) =>
    request<Open311IssuedKey>('/api/admin/open311/keys', { method: 'POST', body: { name } }),
  revokeOpen311Key: (id: number) =>
    request<{ apiKey: Open311ApiKeyDto }>(`/api/admin/open311/keys/${id}/revoke`, {
      method: 'POST',
    }),
  audit: (params: { entity?: string; before?: number; limit?: number }) =>
    request<{ entries: AuditEntryDto[] }>(`/api/admin/audit${query(params)}`),
};
