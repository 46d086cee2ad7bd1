import {
  NOTIFICATION_KINDS,
  notificationPreferencesSchema,
  pushSubscriptionSchema,
  pushUnsubscribeSchema,
  type NotificationPreferences,
} from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { parseOr400 } from '../http/errors.ts';

/** Who a browser subscription notifies: a signed-in user, or a tracked ticket's link. */
export type SubscriptionOwner = { userId: number } | { ticketId: number };

/**
 * Web Push subscriptions and each user's preferences. One browser (one
 * endpoint) may follow its user and any number of tracked tickets; subscribing
 * again replaces that row, never adds a second.
 */
export class PushSubscriptions {
  constructor(private readonly prisma: PrismaClient) {}

  async subscribe(owner: SubscriptionOwner, body: unknown): Promise<void> {
    const { endpoint, keys } = parseOr400(pushSubscriptionSchema, body);
    const scope =
      'userId' in owner ? { endpoint, ticketId: null } : { endpoint, ticketId: owner.ticketId };
    await this.prisma.$transaction([
      this.prisma.pushSubscription.deleteMany({ where: scope }),
      this.prisma.pushSubscription.create({
        data: { ...scope, ...owner, p256dh: keys.p256dh, auth: keys.auth },
      }),
    ]);
  }

  async unsubscribe(owner: SubscriptionOwner, body: unknown): Promise<number> {
    const { endpoint } = parseOr400(pushUnsubscribeSchema, body);
    const { count } = await this.prisma.pushSubscription.deleteMany({
      where: { endpoint, ...owner },
    });
    return count;
  }

  async preferences(userId: number): Promise<Required<NotificationPreferences>> {
    const row = await this.prisma.notificationPreference.findUnique({ where: { userId } });
    const stored = notificationPreferencesSchema.safeParse(row?.kinds ?? {});
    const kinds = stored.success ? stored.data : {};
    return Object.fromEntries(
      NOTIFICATION_KINDS.map((kind) => [kind, kinds[kind] !== false]),
    ) as Required<NotificationPreferences>;
  }

  async setPreferences(userId: number, body: unknown): Promise<Required<NotificationPreferences>> {
    const changes = parseOr400(notificationPreferencesSchema, body);
    const current = await this.preferences(userId);
    const kinds = { ...current, ...changes };
    await this.prisma.notificationPreference.upsert({
      where: { userId },
      create: { userId, kinds },
      update: { kinds },
    });
    return kinds;
  }

  /** Whether this user has any browser subscribed (the pages show the switch's state). */
  async isSubscribed(owner: SubscriptionOwner, endpoint: string): Promise<boolean> {
    const row = await this.prisma.pushSubscription.findFirst({
      where: { endpoint, ...owner },
      select: { id: true },
    });
    return row !== null;
  }
}
