/** Optional resident accounts: a mobile number and a password, to list one's tickets. */
import { z } from 'zod';
import { checkPhone } from './phone.ts';
import type { TicketStatus } from './tickets.ts';

export const residentRegistrationSchema = z.strictObject({
  /** A mainland mobile number; it is also the account's username (digits only). */
  phone: z
    .string()
    .max(30)
    .transform((value, context) => {
      const checked = checkPhone(value);
      if (!checked.ok || checked.kind !== 'mobile') {
        context.addIssue({ code: 'custom', message: 'a mobile phone number of 11 digits' });
        return z.NEVER;
      }
      return checked.normalized;
    }),
  password: z.string().min(8).max(200),
  displayName: z.string().trim().min(1).max(60).optional(),
});
export type ResidentRegistration = z.infer<typeof residentRegistrationSchema>;

/** `GET /api/me/tickets`: what a resident reported and follows. */
export interface MyTicket {
  code: string;
  categoryCode: string;
  status: TicketStatus;
  createdAt: string;
  updatedAt: string;
  /** Reported by me, or followed. */
  relation: 'reported' | 'followed';
}
