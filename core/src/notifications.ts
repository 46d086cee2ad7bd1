/**
 * Notifications beyond the open page: Web Push to those who opted in, SMS to
 * hotline callers. Which events notify whom, and what the message says.
 */
import { z } from 'zod';
import type { TicketEventType } from './events.ts';
import { trackStepOf, type TrackStep } from './track.ts';

/** What a user can switch on or off (all on until switched off). */
export const NOTIFICATION_KINDS = [
  /** A ticket was assigned to me (new, transferred, reassigned, escalated to me). */
  'ticket-assigned',
  /** A reminder that my ticket's resolve deadline nears. */
  'ticket-reminder',
  /** A public step of a ticket I reported or follow. */
  'ticket-progress',
  /** A volunteer task offered to me. */
  'task-offered',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notificationPreferencesSchema = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, z.boolean().optional()])) as Record<
    NotificationKind,
    z.ZodOptional<z.ZodBoolean>
  >,
);
export type NotificationPreferences = Partial<Record<NotificationKind, boolean>>;

export function wants(preferences: NotificationPreferences, kind: NotificationKind): boolean {
  return preferences[kind] !== false;
}

/** A browser's PushSubscription as `subscription.toJSON()` gives it. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string()
    .max(2000)
    .url()
    .refine((url) => url.startsWith('https://'), 'an https push service URL'),
  keys: z.strictObject({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'a P-256 public key, base64url'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'an auth secret, base64url'),
  }),
  expirationTime: z.number().nullable().optional(),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

export const pushUnsubscribeSchema = z.strictObject({ endpoint: z.string().max(2000) });

/** The payload a push carries to the service worker. */
export interface PushMessage {
  title: string;
  body: string;
  /** The page to open on a click (a path on this site). */
  url: string;
  /** Replaces an older notification about the same thing. */
  tag: string;
}

const STEP_WORDS: Partial<Record<TrackStep, { zh: string; en: string }>> = {
  created: { zh: '已登记', en: 'registered' },
  assigned: { zh: '已派给网格员', en: 'sent to the grid member' },
  accepted: { zh: '已受理', en: 'accepted' },
  started: { zh: '正在处理', en: 'in progress' },
  pending: { zh: '暂停处理', en: 'on hold' },
  resumed: { zh: '恢复处理', en: 'resumed' },
  resolved: { zh: '已办结', en: 'resolved' },
  verified: { zh: '社区已核实', en: 'checked by the community' },
  closed: { zh: '已结束', en: 'closed' },
  reopened: { zh: '已重新打开', en: 'reopened' },
  merged: { zh: '已与相同问题合并', en: 'merged with the same report' },
  cancelled: { zh: '已撤销', en: 'cancelled' },
};

/** The public step of an event worth telling a reporter about, or null. */
export function progressStepOf(event: {
  type: TicketEventType;
  data: Record<string, unknown>;
}): TrackStep | null {
  const step = trackStepOf({ ...event, eventId: 0, at: '', toStatus: null });
  return step && STEP_WORDS[step] ? step : null;
}

export function progressMessage(code: string, step: TrackStep, url: string): PushMessage {
  const words = STEP_WORDS[step] ?? { zh: step, en: step };
  return {
    title: `工单 ${code} ${words.zh}`,
    body: `Ticket ${code}: ${words.en}`,
    url,
    tag: `ticket-${code}`,
  };
}

/** The SMS a hotline caller gets for a step of their ticket (short: one message). */
export function progressSms(code: string, step: TrackStep): string {
  const words = STEP_WORDS[step] ?? { zh: step, en: step };
  return `【网格通】您反映的问题（工单 ${code}）${words.zh}。`;
}

/** Steps a hotline caller hears about by SMS (the others would be noise). */
export const SMS_STEPS: readonly TrackStep[] = ['created', 'accepted', 'resolved', 'reopened'];

export function assignedMessage(code: string, ticketId: number, escalated: boolean): PushMessage {
  return {
    title: escalated ? `升级工单 ${code}` : `新工单 ${code}`,
    body: escalated ? `Escalated ticket ${code} is yours now` : `New ticket ${code} is yours`,
    url: `/member/tickets/${ticketId}`,
    tag: `ticket-${code}`,
  };
}

export function reminderMessage(code: string, ticketId: number): PushMessage {
  return {
    title: `工单 ${code} 即将超时`,
    body: `Ticket ${code}: the resolve deadline is near`,
    url: `/member/tickets/${ticketId}`,
    tag: `ticket-${code}`,
  };
}
