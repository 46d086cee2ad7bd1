import { z } from 'zod';

/**
 * Volunteers (志愿者): registration, profile, skills, teams, duty and
 * position, the hours-and-points ledger, rewards and redemptions.
 *
 * Routes (all JSON; errors as DESIGN.md says):
 * - `GET /api/skills` (anyone) -> `{skills: SkillDto[]}`
 * - `POST /api/volunteers/register` (no session) `VolunteerRegistration` ->
 *   201 `{user, volunteer}` and a session cookie; status PENDING until
 *   community staff of the home community approve. 409 on a taken username.
 * - `GET /api/volunteers/me`, `PATCH /api/volunteers/me` (volunteer) -> `{volunteer: VolunteerProfile}`
 * - `GET /api/volunteers?communityId=&status=&cursor=` (community staff, dispatchers, admins in scope)
 * - `POST /api/volunteers/:id/{approve,suspend}` (community staff / admin in scope of the home community)
 * - `GET /api/teams?communityId=`, `POST /api/teams` (staff), `POST /api/teams/:id/join`,
 *   `POST /api/teams/:id/leave` (volunteer)
 * - `GET|POST /api/volunteers/me/duty` `{onDuty}`, `POST /api/volunteers/me/location`
 *   `{lat,lng,accuracy?}` (approved volunteer; 403 while pending or suspended)
 * - `GET /api/volunteers/me/ledger` -> `LedgerResponse`
 * - `GET /api/rewards`; `POST /api/rewards` (admin / community staff)
 * - `POST /api/redemptions` `{rewardId}` (volunteer) -> 201; 409 when the balance or the stock is short
 * - `GET /api/redemptions?status=` (community staff in scope), `POST /api/redemptions/:id/{approve,reject}`
 * - `GET /api/leaderboards?by=team|community&regionId=&teamId=&from=&to=` -> `LeaderboardResponse`
 */

export const VOLUNTEER_STATUSES = ['PENDING', 'APPROVED', 'SUSPENDED'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];

export interface SkillDto {
  code: string;
  nameZh: string;
  nameEn: string;
}

const skillCode = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Z][A-Z0-9_]*$/);
const regionId = z.number().int().positive().max(2_147_483_647);

export const volunteerRegistrationSchema = z.strictObject({
  username: z
    .string()
    .min(3)
    .max(40)
    .regex(/^[A-Za-z0-9_.-]+$/),
  password: z.string().min(8).max(200),
  displayName: z.string().trim().min(1).max(60),
  phone: z
    .string()
    .regex(/^1[3-9][0-9]{9}$/)
    .optional(),
  homeCommunityId: regionId,
  skills: z.array(skillCode).max(20).default([]),
  teamIds: z.array(regionId).max(10).default([]),
});
export type VolunteerRegistration = z.infer<typeof volunteerRegistrationSchema>;

export const volunteerProfilePatchSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(60).optional(),
    phone: z
      .string()
      .regex(/^1[3-9][0-9]{9}$/)
      .nullable()
      .optional(),
    skills: z.array(skillCode).max(20).optional(),
    homeCommunityId: regionId.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'Nothing to change' });

export interface VolunteerProfile {
  userId: number;
  username: string;
  displayName: string;
  /** Masked unless the reader is the volunteer or their community staff. */
  phone: string | null;
  status: VolunteerStatus;
  homeCommunityId: number | null;
  skills: string[];
  teams: Array<{ id: number; name: string; leader: boolean }>;
  onDuty: boolean;
  balance: LedgerBalance;
}

export interface LedgerBalance {
  minutes: number;
  points: number;
}

export interface LedgerEntry {
  id: number;
  minutes: number;
  points: number;
  /** task, redemption, redemption-refund, adjustment */
  reason: string;
  taskId: number | null;
  taskTitle: string | null;
  redemptionId: number | null;
  at: string;
}

export interface LedgerResponse {
  balance: LedgerBalance;
  entries: LedgerEntry[];
}

export const rewardSchema = z.strictObject({
  nameZh: z.string().trim().min(1).max(60),
  nameEn: z.string().trim().min(1).max(60),
  cost: z.number().int().min(1).max(1_000_000),
  stock: z.number().int().min(0).max(1_000_000),
});

export const redemptionRequestSchema = z.strictObject({ rewardId: regionId });

export interface LeaderboardRow {
  volunteerId: number;
  displayName: string;
  minutes: number;
  points: number;
  rank: number;
}

export interface LeaderboardResponse {
  by: 'team' | 'community';
  id: number;
  rows: LeaderboardRow[];
  /** The reading volunteer's own standing when they are on this board but below `rows`. */
  me?: LeaderboardRow;
}

/**
 * Nearest available volunteers: approved, on duty, holding every skill,
 * a position reported within `maxAgeMs`, not in `exclude`.
 */
export interface NearestVolunteersQuery {
  lat: number;
  lng: number;
  radiusM: number;
  skills: readonly string[];
  limit: number;
  exclude?: readonly number[];
  maxAgeMs: number;
}

export interface NearbyVolunteer {
  userId: number;
  distanceM: number;
}

/** The port the offer cascade uses to find candidates (Redis GEO behind it). */
export interface VolunteerLocator {
  nearest(query: NearestVolunteersQuery, now: Date): Promise<NearbyVolunteer[]>;
}
