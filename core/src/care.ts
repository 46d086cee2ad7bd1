import { z } from 'zod';
import { scaledMs } from './deadlines.ts';
import { latLngSchema } from './geo.ts';
import { checkPhone } from './phone.ts';

/**
 * Care recipients (关爱对象): households the community looks after. The
 * registry is kept by community staff; every read and every change is
 * audited. Shared by server, workers and web.
 */

export const CARE_KINDS = ['ELDERLY_ALONE', 'DISABLED', 'LOW_INCOME', 'SPECIAL_HARDSHIP'] as const;
export type CareKind = (typeof CARE_KINDS)[number];

/** Longest visit cadence a household can have. */
export const MAX_VISIT_EVERY_DAYS = 365;
/** At most this many households in one overdue-visits answer. */
export const OVERDUE_VISITS_LIMIT = 200;

const id = z.number().int().positive().max(2_147_483_647);
const queryId = z.coerce.number().int().positive().max(2_147_483_647);

/** A contact's phone as a call-taker types it; stored normalized (digits, area code dash). */
const contactPhoneSchema = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const check = checkPhone(value);
    if (!check.ok) {
      ctx.addIssue({ code: 'custom', message: `not a phone number (${check.problem})` });
      return z.NEVER;
    }
    return check.normalized;
  });

/** One of the household's contacts: `{ name, relation, phone }`. */
export const careContactSchema = z.strictObject({
  name: z.string().trim().min(1).max(50),
  /** 子女, 邻居, 楼长 … */
  relation: z.string().trim().min(1).max(20),
  phone: contactPhoneSchema,
});
export type CareContact = z.infer<typeof careContactSchema>;

const householdFields = {
  householdName: z.string().trim().min(1).max(50),
  firstName: z.string().trim().min(1).max(20),
  kind: z.enum(CARE_KINDS),
  address: z.string().trim().min(1).max(200),
  location: latLngSchema,
  contacts: z.array(careContactSchema).max(10),
  /** Visit every N days; null: no scheduled visits. */
  visitEveryDays: z.number().int().min(1).max(MAX_VISIT_EVERY_DAYS).nullable(),
  notes: z.string().trim().max(2_000).nullable(),
};

/**
 * `POST /api/care-recipients` (community staff of the community, admins).
 * `communityId` may be left out: community staff register in their own
 * community, admins in the community the point lies in. The point must lie
 * inside a grid of that community.
 */
export const createCareRecipientSchema = z.strictObject({
  communityId: id.optional(),
  householdName: householdFields.householdName,
  firstName: householdFields.firstName,
  kind: householdFields.kind,
  address: householdFields.address,
  location: householdFields.location,
  contacts: householdFields.contacts.default([]),
  visitEveryDays: householdFields.visitEveryDays.default(null),
  notes: householdFields.notes.default(null),
});
export type CreateCareRecipientBody = z.infer<typeof createCareRecipientSchema>;

/**
 * `PATCH /api/care-recipients/:id`: any of the fields (at least one). The
 * household stays in its community: a new point must lie inside it.
 * `lastVisitAt` records a visit made outside the system (not in the future).
 */
export const updateCareRecipientSchema = z
  .strictObject({
    householdName: householdFields.householdName.optional(),
    firstName: householdFields.firstName.optional(),
    kind: householdFields.kind.optional(),
    address: householdFields.address.optional(),
    location: householdFields.location.optional(),
    contacts: householdFields.contacts.optional(),
    visitEveryDays: householdFields.visitEveryDays.optional(),
    notes: householdFields.notes.optional(),
    lastVisitAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateCareRecipientBody = z.infer<typeof updateCareRecipientSchema>;

/** A call button's id, as `POST /api/devices/:id/calls` takes it. */
export const careDeviceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - or _');

/** `POST /api/care-recipients/:id/devices`: register (or reactivate) a call button. */
export const careDeviceBodySchema = z.strictObject({ deviceId: careDeviceIdSchema });

/** `GET /api/care-recipients`. */
export const careRecipientsQuerySchema = z.strictObject({ communityId: queryId.optional() });

/**
 * `GET /api/care-recipients/overdue-visits`: a community, or any region in
 * the caller's scope (its communities); neither: the caller's home region.
 */
export const overdueVisitsQuerySchema = z
  .strictObject({ communityId: queryId.optional(), regionId: queryId.optional() })
  .refine((query) => query.communityId === undefined || query.regionId === undefined, {
    message: 'give communityId or regionId, not both',
  });

/** One call button as the registry shows it. */
export interface CareDeviceDto {
  id: string;
  active: boolean;
  lastSeenAt: string | null;
}

/** A household's record: only community staff in scope (and admins) see it. */
export interface CareRecipientDto {
  id: number;
  communityId: number;
  gridId: number | null;
  householdName: string;
  firstName: string;
  kind: CareKind;
  address: string;
  lat: number;
  lng: number;
  contacts: CareContact[];
  visitEveryDays: number | null;
  lastVisitAt: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  devices: CareDeviceDto[];
}

/** A household whose visit is overdue: nothing personal beyond name, first name and address. */
export interface OverdueVisit {
  id: number;
  communityId: number;
  householdName: string;
  firstName: string;
  address: string;
  /** When the visit fell due. */
  dueAt: string;
  /** Whole (scaled) days since it fell due. */
  daysOverdue: number;
}

export interface OverdueVisitsResponse {
  /** Most overdue first. */
  overdue: OverdueVisit[];
  /** More households are overdue than listed (OVERDUE_VISITS_LIMIT). */
  truncated: boolean;
}

// --- Visit cadence maths (days are divided by TIME_SCALE, like every policy duration) ---

const DAY_MINUTES = 24 * 60;

/** One day, in milliseconds, at this TIME_SCALE. */
export function visitDayMs(timeScale: number): number {
  return scaledMs(DAY_MINUTES, timeScale);
}

/** A household's visit interval (the `every` of its BullMQ job scheduler). */
export function visitEveryMs(visitEveryDays: number, timeScale: number): number {
  return scaledMs(visitEveryDays * DAY_MINUTES, timeScale);
}

/** When the next visit falls due: the last visit (or registration) plus the cadence. */
export function visitDueAt(
  household: { visitEveryDays: number; lastVisitAt: Date | null; createdAt: Date },
  timeScale: number,
): Date {
  const anchor = household.lastVisitAt ?? household.createdAt;
  return new Date(anchor.getTime() + visitEveryMs(household.visitEveryDays, timeScale));
}

/** Whole days (at this TIME_SCALE) from `dueAt` to `now`; 0 within the first day. */
export function daysOverdue(dueAt: Date, now: Date, timeScale: number): number {
  return Math.max(0, Math.floor((now.getTime() - dueAt.getTime()) / visitDayMs(timeScale)));
}

/**
 * Overdue households, most overdue first (then by id): cadence set and due
 * strictly before `now`. The rule the SQL of the repository follows.
 */
export function overdueVisits<
  T extends {
    id: number;
    visitEveryDays: number | null;
    lastVisitAt: Date | null;
    createdAt: Date;
  },
>(households: readonly T[], now: Date, timeScale: number): Array<T & { dueAt: Date }> {
  const due: Array<T & { dueAt: Date }> = [];
  for (const household of households) {
    if (household.visitEveryDays === null) continue;
    const dueAt = visitDueAt({ ...household, visitEveryDays: household.visitEveryDays }, timeScale);
    if (dueAt.getTime() < now.getTime()) due.push({ ...household, dueAt });
  }
  return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}
