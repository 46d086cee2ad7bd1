import { z } from 'zod';

/**
 * Live positions of staff in the field (grid members now, volunteers later).
 *
 * They live in Redis only (GEO set + a hash), never in PostgreSQL: a phone
 * reports every ~15 s while its user is on duty, and losing Redis loses
 * nothing that matters (the next report puts the marker back).
 *
 * - `POST /api/members/me/duty` `{onDuty}` -> `{onDuty}`; going off duty
 *   removes the position and pushes `position.updated` with `onDuty: false`.
 * - `POST /api/members/me/location` `{lat,lng,accuracy?}` -> `{position, pushed}`;
 *   409 when not on duty, 400 on bad coordinates.
 * - `GET /api/positions?regionId=` (dispatchers, community staff, admins; the
 *   region defaults to the caller's home region) -> `{positions}`: everyone
 *   on duty whose home region lies inside `regionId` and who reported within
 *   `POSITION_STALE_MS`.
 * - Socket event `position.updated` (PositionUpdatedPayload) to the rooms
 *   `region:<id>` of the user's home region and every region above it, at most
 *   one push per user per `POSITION_PUSH_INTERVAL_MS` (reports in between only
 *   update Redis); going off duty always pushes.
 */

/** Roles that go on duty and share their position. */
export const FIELD_ROLES = ['GRID_MEMBER', 'VOLUNTEER'] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

/** At most one `position.updated` per user in this window. */
export const POSITION_PUSH_INTERVAL_MS = 5_000;
/** `GET /api/positions` leaves out positions older than this (a phone that went silent). */
export const POSITION_STALE_MS = 10 * 60_000;

/** Redis GEO cannot index latitudes beyond ±85.05112878° (Web Mercator). */
export const MAX_GEO_LATITUDE = 85.05112878;

export const dutyBodySchema = z.strictObject({ onDuty: z.boolean() });
export type DutyBody = z.infer<typeof dutyBodySchema>;

/** A phone's report: WGS84 degrees; accuracy in metres as the browser gives it. */
export const locationReportSchema = z.strictObject({
  lat: z.number().finite().min(-MAX_GEO_LATITUDE).max(MAX_GEO_LATITUDE),
  lng: z.number().finite().min(-180).max(180),
  accuracy: z.number().finite().min(0).max(100_000).optional(),
});
export type LocationReport = z.infer<typeof locationReportSchema>;

export const positionsQuerySchema = z.strictObject({
  regionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});

/** One user on duty where they last reported. */
export const fieldPositionSchema = z.object({
  userId: z.number().int().positive(),
  role: z.enum(FIELD_ROLES),
  displayName: z.string(),
  /** The user's home region (a grid for grid members). */
  regionId: z.number().int().positive().nullable(),
  lat: z.number(),
  lng: z.number(),
  /** Metres, when the phone said. */
  accuracy: z.number().nullable(),
  /** When the phone reported it (ISO-8601). */
  at: z.string(),
  onDuty: z.literal(true),
  /** Open tickets assigned to the user, as of the last push. */
  openTickets: z.number().int().min(0).optional(),
});
export type FieldPosition = z.infer<typeof fieldPositionSchema>;

export const positionsResponseSchema = z.object({ positions: z.array(fieldPositionSchema) });
export type PositionsResponse = z.infer<typeof positionsResponseSchema>;

/**
 * The `position.updated` socket payload. While on duty it is the position;
 * `onDuty: false` means "remove this user's marker" (lat/lng are then the last
 * known position, or null when there was none).
 */
export const positionUpdatedSchema = z.discriminatedUnion('onDuty', [
  fieldPositionSchema,
  z.object({
    userId: z.number().int().positive(),
    role: z.enum(FIELD_ROLES),
    displayName: z.string(),
    regionId: z.number().int().positive().nullable(),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    accuracy: z.number().nullable(),
    at: z.string(),
    onDuty: z.literal(false),
    openTickets: z.number().int().min(0).optional(),
  }),
]);
export type PositionUpdatedPayload = z.infer<typeof positionUpdatedSchema>;

export const isFieldRole = (role: string): role is FieldRole =>
  (FIELD_ROLES as readonly string[]).includes(role);
