import {
  assignedMessage,
  notificationPreferencesSchema,
  progressMessage,
  progressSms,
  progressStepOf,
  reminderMessage,
  SMS_STEPS,
  wants,
  type NotificationKind,
  type NotificationPreferences,
  type PushMessage,
  type TicketEventType,
} from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import type { Logger } from 'pino';
import type { PushSender, PushTarget } from './push-sender.ts';
import type { SmsGateway } from './sms-gateway.ts';

type Tx = Prisma.TransactionClient;

/** One notifier at a time across every workers process. */
const NOTIFIER_LOCK = 7_311_002;
const BATCH = 200;
const MAX_BATCHES_PER_DRAIN = 10;
/** Task events are not written in id order: look back this far for ones that committed late. */
const TASK_LOOKBACK = 50;

interface Planned {
  channel: 'push' | 'sms';
  recipient: string;
  kind: NotificationKind;
  text: string;
  deliver(): Promise<'sent' | 'gone' | 'failed'>;
}

interface TicketEventRow {
  id: number;
  type: string;
  payload: Prisma.JsonValue;
  ticket: {
    id: number;
    code: string;
    channel: string;
    reporterPhone: string | null;
    reporterUserId: number | null;
    assigneeId: number | null;
  };
}

type Subscription = PushTarget & { id: number; userId: number | null; ticketId: number | null };

interface RawEventRow {
  id: number;
  type: string;
  payload: Prisma.JsonValue;
  ticket_id: number;
  code: string;
  channel: string;
  reporter_phone: string | null;
  reporter_user_id: number | null;
  assignee_id: number | null;
}

/** Who a batch of events could reach (see Notifier.audience). */
interface Audience {
  subscriptions: Subscription[];
  merged: Array<{ id: number; code: string; duplicateOfId: number | null }>;
  preferences: Map<number, NotificationPreferences>;
  roles: Map<number, string>;
}

const NOBODY: Audience = {
  subscriptions: [],
  merged: [],
  preferences: new Map(),
  roles: new Map(),
};

export interface NotifierDeps {
  prisma: PrismaClient;
  push: PushSender;
  sms: SmsGateway;
  logger: Logger;
}

/** Each user's stored kinds; a row that does not read as preferences counts as none. */
function preferencesByUser(
  rows: ReadonlyArray<{ userId: number; kinds: Prisma.JsonValue }>,
): Map<number, NotificationPreferences> {
  return new Map(
    rows.map((row) => {
      const parsed = notificationPreferencesSchema.safeParse(row.kinds);
      return [row.userId, parsed.success ? parsed.data : {}];
    }),
  );
}

function record(value: Prisma.JsonValue): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

/**
 * Tells people what concerns them, from the event logs: a grid member their
 * new and escalated tickets and reminders, a volunteer their offers, a
 * reporter (by the tracking link's subscription, or their account) each
 * public step, a hotline caller the main steps by SMS. It reads the logs
 * after a cursor kept in PostgreSQL and records every delivery (unique per
 * event and recipient), so a crash or restart resends nothing and skips
 * nothing but what failed to send.
 */
export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  /** Sends what is due; the number of events read. */
  drain(): Promise<number> {
    return this.deps.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<Array<{ locked: boolean }>>`
          SELECT pg_try_advisory_xact_lock(${NOTIFIER_LOCK}) AS locked`;
        if (!lock?.locked) return 0;
        // With no browser subscribed anywhere, only SMS can be due: skip looking for audiences.
        const anySubscription =
          (await tx.pushSubscription.findFirst({ select: { id: true } })) !== null;
        // Behind (a burst of intake): read on, a few batches per pass.
        let read = 0;
        for (let pass = 0; pass < MAX_BATCHES_PER_DRAIN; pass++) {
          const batch = await this.ticketEvents(tx, anySubscription);
          read += batch;
          if (batch < BATCH) break;
        }
        return read + (await this.taskEvents(tx, anySubscription));
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  }

  private async ticketEvents(tx: Tx, anySubscription: boolean): Promise<number> {
    const after = await this.cursor(tx, 'ticket-events', () =>
      tx.ticketEvent.aggregate({ _max: { id: true } }).then((row) => row._max.id ?? 0),
    );
    // One round trip for the batch and its tickets (this runs beside a busy intake).
    const rows = await tx.$queryRaw<RawEventRow[]>`
      SELECT e.id, e.type, e.payload, t.id AS ticket_id, t.code, t.channel::text AS channel,
        t.reporter_phone, t.reporter_user_id, t.assignee_id
      FROM (SELECT id, ticket_id, type, payload FROM ticket_events
            WHERE id > ${after} ORDER BY id LIMIT ${BATCH}) e
      JOIN tickets t ON t.id = e.ticket_id
      ORDER BY e.id`;
    const events: TicketEventRow[] = rows.map((row) => ({
      id: row.id,
      type: row.type,
      payload: row.payload,
      ticket: {
        id: row.ticket_id,
        code: row.code,
        channel: row.channel,
        reporterPhone: row.reporter_phone,
        reporterUserId: row.reporter_user_id,
        assigneeId: row.assignee_id,
      },
    }));
    const last = events.at(-1);
    if (!last) return 0;
    const audience = anySubscription ? await this.audience(tx, events) : NOBODY;
    for (const event of events) {
      const planned = this.forTicketEvent(event, audience);
      if (planned.length > 0) await this.deliver(tx, `ticket:${event.id}`, planned);
    }
    await this.advance(tx, 'ticket-events', last.id);
    return events.length;
  }

  /**
   * Everyone a batch of events could concern, in a few queries for the whole
   * batch (the notifier runs beside a busy intake): the browsers subscribed
   * for the users and tickets involved, those users' preferences and roles,
   * and the reports merged into the tickets.
   */
  private async audience(tx: Tx, events: readonly TicketEventRow[]): Promise<Audience> {
    const users = new Set<number>();
    const tickets = new Set<number>();
    for (const event of events) {
      const data = record(event.payload);
      if (typeof data.assigneeId === 'number') users.add(data.assigneeId);
      if (event.ticket.assigneeId !== null) users.add(event.ticket.assigneeId);
      if (event.ticket.reporterUserId !== null) users.add(event.ticket.reporterUserId);
      tickets.add(event.ticket.id);
    }
    const merged = await tx.ticket.findMany({
      where: { duplicateOfId: { in: [...tickets] }, status: 'DUPLICATE' },
      select: { id: true, code: true, duplicateOfId: true },
    });
    const subscriptions = await tx.pushSubscription.findMany({
      where: {
        OR: [
          { userId: { in: [...users] }, ticketId: null },
          { ticketId: { in: [...tickets, ...merged.map((row) => row.id)] } },
        ],
      },
    });
    const subscribed = [
      ...new Set(subscriptions.flatMap((row) => (row.userId === null ? [] : [row.userId]))),
    ];
    const [preferences, roles] =
      subscribed.length === 0
        ? [[], []]
        : await Promise.all([
            tx.notificationPreference.findMany({ where: { userId: { in: subscribed } } }),
            tx.user.findMany({
              where: { id: { in: subscribed } },
              select: { id: true, role: true },
            }),
          ]);
    return {
      subscriptions,
      merged,
      preferences: preferencesByUser(preferences),
      roles: new Map(roles.map((row) => [row.id, row.role])),
    };
  }

  private forTicketEvent(event: TicketEventRow, audience: Audience): Planned[] {
    const { ticket } = event;
    const data = record(event.payload);
    const type = event.type as TicketEventType;
    const planned: Planned[] = [];
    const pageFor = (userId: number) =>
      audience.roles.get(userId) === 'GRID_MEMBER'
        ? `/member/tickets/${ticket.id}`
        : `/dispatch?ticket=${ticket.id}`;
    const newAssignee = typeof data.assigneeId === 'number' ? data.assigneeId : null;
    if (
      newAssignee !== null &&
      (type === 'ticket.assigned' || type === 'ticket.escalated' || type === 'ticket.reopened')
    ) {
      const message = {
        ...assignedMessage(ticket.code, ticket.id, type === 'ticket.escalated'),
        url: pageFor(newAssignee),
      };
      planned.push(...this.toUser(audience, newAssignee, 'ticket-assigned', message));
    }
    if (type === 'ticket.updated' && data.action === 'reminder' && ticket.assigneeId !== null) {
      const message = {
        ...reminderMessage(ticket.code, ticket.id),
        url: pageFor(ticket.assigneeId),
      };
      planned.push(...this.toUser(audience, ticket.assigneeId, 'ticket-reminder', message));
    }
    const step = progressStepOf({ type, data });
    if (!step) return planned;
    const message = progressMessage(ticket.code, step, `/track/${ticket.code}`);
    // Tracking links of this ticket, its followers', and of the reports merged into it.
    const merged = audience.merged.filter((row) => row.duplicateOfId === ticket.id);
    for (const link of audience.subscriptions) {
      if (link.ticketId === null) continue;
      const own =
        link.ticketId === ticket.id ? ticket : merged.find((row) => row.id === link.ticketId);
      if (!own) continue;
      planned.push(this.push(link, 'ticket-progress', { ...message, url: `/track/${own.code}` }));
    }
    if (ticket.reporterUserId !== null) {
      planned.push(...this.toUser(audience, ticket.reporterUserId, 'ticket-progress', message));
    }
    if (ticket.channel === 'HOTLINE' && ticket.reporterPhone && SMS_STEPS.includes(step)) {
      const phone = ticket.reporterPhone;
      const text = progressSms(ticket.code, step);
      planned.push({
        channel: 'sms',
        recipient: phone,
        kind: 'ticket-progress',
        text,
        deliver: () => this.deps.sms.send(phone, text).then(() => 'sent' as const),
      });
    }
    return planned;
  }

  private async taskEvents(tx: Tx, anySubscription: boolean): Promise<number> {
    const newestId = () =>
      tx.taskEvent.aggregate({ _max: { id: true } }).then((row) => row._max.id ?? 0);
    const after = await this.cursor(tx, 'task-events', newestId);
    if (!anySubscription) {
      // Offers are told by push only: with nobody subscribed there is nothing to send.
      const newest = await newestId();
      if (newest > after) await this.advance(tx, 'task-events', newest);
      return 0;
    }
    const events = await tx.taskEvent.findMany({
      where: { id: { gt: Math.max(0, after - TASK_LOOKBACK) }, type: 'task.offered' },
      orderBy: { id: 'asc' },
      take: BATCH,
      select: { id: true, payload: true, task: { select: { id: true, title: true } } },
    });
    const volunteers = [
      ...new Set(
        events.flatMap((event) => {
          const id = record(event.payload).volunteerId;
          return typeof id === 'number' ? [id] : [];
        }),
      ),
    ];
    const subscriptions =
      volunteers.length === 0
        ? []
        : await tx.pushSubscription.findMany({
            where: { userId: { in: volunteers }, ticketId: null },
          });
    const preferences =
      subscriptions.length === 0
        ? []
        : await tx.notificationPreference.findMany({ where: { userId: { in: volunteers } } });
    const audience: Audience = {
      subscriptions,
      merged: [],
      preferences: preferencesByUser(preferences),
      roles: new Map(),
    };
    for (const event of events) {
      const volunteerId = record(event.payload).volunteerId;
      if (typeof volunteerId !== 'number') continue;
      const message: PushMessage = {
        title: `新的志愿任务：${event.task.title}`,
        body: `A volunteer task for you: ${event.task.title}`,
        url: '/volunteer',
        tag: `task-${event.task.id}`,
      };
      const planned = this.toUser(audience, volunteerId, 'task-offered', message);
      if (planned.length > 0) await this.deliver(tx, `task:${event.id}`, planned);
    }
    const newest = await tx.taskEvent.aggregate({ _max: { id: true } });
    const last = events.at(-1)?.id ?? after;
    // Move on past what was read; never past events not read yet.
    const next = events.length === BATCH ? last : Math.max(after, newest._max.id ?? after);
    if (next !== after) await this.advance(tx, 'task-events', next);
    return events.length;
  }

  private toUser(
    audience: Audience,
    userId: number,
    kind: NotificationKind,
    message: PushMessage,
  ): Planned[] {
    if (!wants(audience.preferences.get(userId) ?? {}, kind)) return [];
    return audience.subscriptions
      .filter((row) => row.userId === userId && row.ticketId === null)
      .map((subscription) => this.push(subscription, kind, message));
  }

  private push(
    target: PushTarget & { id: number },
    kind: NotificationKind,
    message: PushMessage,
  ): Planned {
    return {
      channel: 'push',
      recipient: target.endpoint,
      kind,
      text: `${message.title} | ${message.body}`,
      deliver: async () => {
        const outcome = await this.deps.push.send(target, message);
        if (outcome === 'gone') {
          await this.deps.prisma.pushSubscription.deleteMany({ where: { id: target.id } });
        }
        return outcome;
      },
    };
  }

  private async deliver(tx: Tx, eventKey: string, planned: Planned[]): Promise<void> {
    if (planned.length === 0) return;
    const done = await tx.notificationDelivery.findMany({
      where: { eventKey },
      select: { channel: true, recipient: true },
    });
    const sent = new Set(done.map((row) => `${row.channel} ${row.recipient}`));
    for (const item of planned) {
      const key = `${item.channel} ${item.recipient}`;
      if (sent.has(key)) continue;
      sent.add(key);
      const outcome = await item.deliver().catch((error: unknown) => {
        this.deps.logger.warn(
          { err: error, eventKey, channel: item.channel },
          'notification failed',
        );
        return 'failed' as const;
      });
      if (outcome !== 'sent') {
        this.deps.logger.warn(
          { eventKey, channel: item.channel, outcome },
          'notification not sent',
        );
        continue;
      }
      await tx.notificationDelivery.create({
        data: {
          eventKey,
          channel: item.channel,
          recipient: item.recipient,
          kind: item.kind,
          text: item.text,
        },
      });
    }
  }

  /** The cursor's position; a new deployment starts at the end (history is not news). */
  private async cursor(tx: Tx, name: string, end: () => Promise<number>): Promise<number> {
    const row = await tx.notificationCursor.findUnique({ where: { name } });
    if (row) return row.lastEventId;
    const lastEventId = await end();
    await tx.notificationCursor.create({ data: { name, lastEventId } });
    return lastEventId;
  }

  private async advance(tx: Tx, name: string, lastEventId: number): Promise<void> {
    await tx.notificationCursor.update({ where: { name }, data: { lastEventId } });
  }
}
