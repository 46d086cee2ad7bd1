import type {
  AreaGeometry,
  CategoryDto,
  LatLng,
  RegionLevel,
  TicketEventPayload,
  TicketSummary,
  UserDto,
} from '@gridline/core';

/** A region as `GET /api/regions` returns it. */
export interface RegionDto {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
  parentId: number | null;
  centroid: LatLng | null;
  boundary: AreaGeometry | null;
}

/** `GET /api/config`: what the web app needs to know about this deployment. */
export interface AppConfig {
  tileUrl: string | null;
  timeScale: number;
}

export interface UserResponse {
  user: UserDto;
}
export interface RegionsResponse {
  regions: RegionDto[];
}
export interface CategoriesResponse {
  categories: CategoryDto[];
}
export interface TicketsResponse {
  tickets: TicketSummary[];
  nextCursor: string | null;
  /** The newest event id at the moment of the snapshot, when the server reports it. */
  lastEventId?: number | null;
}
export interface EventsResponse {
  events: TicketEventPayload[];
}

/** The JSON error body every API route answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}
