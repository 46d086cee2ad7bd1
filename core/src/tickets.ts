import { z } from 'zod';
import { latLngSchema, type LatLng } from './geo.ts';
import { prioritySchema, type Priority } from './categories.ts';

export const TICKET_STATUSES = [
  'NEW',
  'ASSIGNED',
  'ACCEPTED',
  'IN_PROGRESS',
  'PENDING',
  'RESOLVED',
  'VERIFIED',
  'CLOSED',
  'REOPENED',
  'CANCELLED',
  'DUPLICATE',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Waiting for someone to accept: the accept deadline runs. */
export const AWAITING_ACCEPT: readonly TicketStatus[] = ['NEW', 'ASSIGNED', 'REOPENED'];
export const OPEN_STATUSES: readonly TicketStatus[] = [
  'NEW',
  'ASSIGNED',
  'ACCEPTED',
  'IN_PROGRESS',
  'PENDING',
  'REOPENED',
];

export const CHANNELS = ['HOTLINE', 'WEB', 'APP', 'PATROL', 'DEVICE', 'OPEN311'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MAX_DESCRIPTION_LENGTH = 2000;

const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number of digits, spaces or dashes');

export const createTicketSchema = z.strictObject({
  categoryCode: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Z0-9_]+$/, 'an upper-case category code'),
  description: z.string().trim().min(1).max(MAX_DESCRIPTION_LENGTH),
  location: latLngSchema,
  address: z.string().trim().min(1).max(300).optional(),
  priority: prioritySchema.optional(),
  channel: z.enum(CHANNELS).optional(),
  reporter: z
    .strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      phone: phoneSchema.optional(),
    })
    .optional(),
});
export type CreateTicketInput = z.infer<typeof createTicketSchema>;

/** What every push and list carries about a ticket. No personal data. */
export interface TicketSummary {
  id: number;
  code: string;
  status: TicketStatus;
  categoryCode: string;
  priority: Priority;
  channel: Channel;
  location: LatLng;
  address: string | null;
  gridId: number | null;
  communityId: number | null;
  streetId: number | null;
  districtId: number | null;
  assigneeId: number | null;
  escalationLevel: number;
  acceptBy: string | null;
  resolveBy: string | null;
  overdue: boolean;
  outsideGrid: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const ticketIdParamSchema = z.coerce.number().int().positive().max(2_147_483_647);
