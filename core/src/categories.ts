import { z } from 'zod';
import type { CategoryAttribute } from './open311.ts';

export const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const prioritySchema = z.enum(PRIORITIES);

export const ELDERLY_SERVICES = [
  'MEALS',
  'SHOPPING',
  'BATHING',
  'CLEANING',
  'MEDICAL',
  'EMERGENCY',
  'COMPANY',
  'MOBILITY',
] as const;
export type ElderlyService = (typeof ELDERLY_SERVICES)[number];

const minutes = z
  .number()
  .positive()
  .max(60 * 24 * 365);

/** Deadlines for one priority. Durations are in minutes of real time (before TIME_SCALE). */
export const priorityPolicySchema = z.strictObject({
  acceptMinutes: minutes,
  resolveMinutes: minutes,
  /** Fractions of the resolve window at which the assignee is reminded. */
  reminders: z.array(z.number().gt(0).lt(1)).max(5),
  /**
   * Accept deadline at each level above the grid member, in order:
   * community staff, street dispatcher, district dispatcher. Past the last
   * one the ticket raises a city alert.
   */
  escalationAcceptMinutes: z.array(minutes).length(3),
});
export type PriorityPolicy = z.infer<typeof priorityPolicySchema>;

export const deadlinePolicySchema = z.strictObject({
  LOW: priorityPolicySchema,
  NORMAL: priorityPolicySchema,
  HIGH: priorityPolicySchema,
  URGENT: priorityPolicySchema,
});
export type DeadlinePolicy = z.infer<typeof deadlinePolicySchema>;

export interface CategoryDto {
  code: string;
  names: { zh: string; en: string };
  department: string;
  defaultPriority: Priority;
  requiresVerification: boolean;
  elderlyService: ElderlyService | null;
  policy: DeadlinePolicy;
  /** Questions a report of this category answers (its Open311 service definition). */
  attributes?: CategoryAttribute[];
  /**
   * The Chinese name in toneless pinyin, syllables separated by spaces
   * ("la ji qing yun"; ü written v), for search. Optional: computed by the server.
   */
  pinyin?: string;
  /** First letters of the pinyin syllables ("ljqy"). */
  initials?: string;
}
