import type { RegionLevel } from '@gridline/core';
import type {
  ApiErrorBody,
  AppConfig,
  CategoriesResponse,
  EventsResponse,
  RegionsResponse,
  TicketsResponse,
  UserResponse,
} from './types.ts';

/** SvelteKit's `fetch` in load functions, or the global one. */
export type Fetch = typeof fetch;

/** A failed API call: an HTTP error with the server's `{error:{code,message}}`, or no answer at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds from a Retry-After header (429, 503), when given. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: unknown,
    retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** Status 0: the request never got an answer (offline, server down). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function retryAfterOf(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** Server time minus local time, from the last response's Date header (ms, second precision). */
let serverClockOffsetMs = 0;
export function clockOffsetMs(): number {
  return serverClockOffsetMs;
}
function noteServerDate(response: Response, sentAt: number): void {
  const header = response.headers.get('date');
  if (header === null) return;
  const serverMs = Date.parse(header);
  if (Number.isNaN(serverMs)) return;
  const localMs = (sentAt + Date.now()) / 2;
  const offset = serverMs + 500 - localMs;
  // The header has one-second precision: ignore offsets it cannot resolve.
  serverClockOffsetMs = Math.abs(offset) > 1500 ? Math.round(offset) : 0;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  fetch?: Fetch;
  /** Extra request headers, e.g. `idempotency-key`. */
  headers?: Record<string, string>;
}

/** Same-origin JSON request with the session cookie; throws ApiError unless 2xx. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const sentAt = Date.now();
  let response: Response;
  try {
    response = await doFetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : 'Network error');
  }
  if (path.startsWith('/api/tickets') || path.startsWith('/api/volunteers/me/tasks')) {
    noteServerDate(response, sentAt);
  }
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(
        response.status,
        body.error.code,
        body.error.message,
        body.error.details,
        retryAfterOf(response),
      );
    }
    throw new ApiError(response.status, 'HTTP_' + String(response.status), response.statusText);
  }
  return body as T;
}

/**
 * POST a file's bytes as the body (`request` sends JSON only), with the
 * session cookie; the JSON answer, or an ApiError like the rest.
 */
export async function uploadFile<T>(path: string, file: Blob): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': file.type || 'application/octet-stream',
      },
      body: file,
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : 'Network error');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(response.status, body.error.code, body.error.message, body.error.details);
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
  }
  return body as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The routes the web app calls, typed. */
export const api = {
  login: (username: string, password: string) =>
    request<UserResponse>('/api/auth/login', { method: 'POST', body: { username, password } }),
  logout: () => request<unknown>('/api/auth/logout', { method: 'POST' }),
  me: (fetchFn?: Fetch) => request<UserResponse>('/api/me', { fetch: fetchFn }),
  config: (fetchFn?: Fetch) => request<AppConfig>('/api/config', { fetch: fetchFn }),
  categories: (fetchFn?: Fetch) =>
    request<CategoriesResponse>('/api/categories', { fetch: fetchFn }),
  regions: (params: { level?: RegionLevel; parentId?: number }, signal?: AbortSignal) =>
    request<RegionsResponse>(`/api/regions${query(params)}`, { signal }),
  openTickets: (params: { limit?: number; cursor?: string } = {}, signal?: AbortSignal) =>
    request<TicketsResponse>(
      `/api/tickets${query({ status: 'open', limit: params.limit ?? 500, cursor: params.cursor })}`,
      { signal },
    ),
  eventsAfter: (after: number, limit = 500, signal?: AbortSignal) =>
    request<EventsResponse>(`/api/events${query({ after, limit })}`, { signal }),
};
