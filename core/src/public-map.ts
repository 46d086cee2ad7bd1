/** The public map of recent tickets: no personal data, sensitive places blurred. */
import { z } from 'zod';
import type { LatLng } from './geo.ts';
import { blurCoordinate } from './open311.ts';
import { OPEN_STATUSES, type TicketStatus } from './tickets.ts';

export const publicTicketsQuerySchema = z.strictObject({
  /** Tickets reported in the last this many days. */
  days: z.coerce.number().int().min(1).max(30).default(7),
  categoryCode: z
    .string()
    .regex(/^[A-Z0-9_]{1,64}$/)
    .optional(),
});

/** At most this many tickets, the newest. */
export const PUBLIC_MAP_LIMIT = 2000;

export interface PublicTicket {
  code: string;
  categoryCode: string;
  status: TicketStatus;
  open: boolean;
  location: LatLng;
  /** True when the location is rounded to about 100 m (a sensitive category). */
  blurred: boolean;
  createdAt: string;
}

export function publicTicketOf(row: {
  code: string;
  status: TicketStatus;
  lat: number;
  lng: number;
  createdAt: Date;
  category: { code: string; sensitive: boolean };
}): PublicTicket {
  const blurred = row.category.sensitive;
  return {
    code: row.code,
    categoryCode: row.category.code,
    status: row.status,
    open: OPEN_STATUSES.includes(row.status),
    location: blurred
      ? { lat: blurCoordinate(row.lat), lng: blurCoordinate(row.lng) }
      : { lat: row.lat, lng: row.lng },
    blurred,
    createdAt: row.createdAt.toISOString(),
  };
}
