import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import type { SmsGateway } from '@gridline/workers';
import { LocalPushService } from './support/push-service.ts';
import { mintSessions, offsetPoint, VolunteerPositions, volunteerNames } from './support/tasks.ts';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';

/** Text messages the workers sent, in order. */
class RecordingSms implements SmsGateway {
  readonly sent: Array<{ phone: string; text: string }> = [];
  send(phone: string, text: string): Promise<void> {
    this.sent.push({ phone, text });
    return Promise.resolve();
  }
}

describe('notifications: Web Push to those who opted in, SMS to hotline callers', () => {
  const pushService = new LocalPushService();
  const sms = new RecordingSms();
  let system: TestSystem;
  let member: Session;
  let dispatcher: Session;
  let where: { lat: number; lng: number };
  let publicKey: string;

  beforeAll(async () => {
    await pushService.start();
    system = await startSystem({
      workerOptions: { pushAgent: pushService.agent, sms, notifyIntervalMs: 100 },
    });
    [member, dispatcher] = await Promise.all([system.login('member'), system.login('dispatcher')]);
    await member.post('/api/members/me/duty', { onDuty: true });
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
    publicKey = (
      (await (await fetch(`${system.baseUrl}/api/push/key`)).json()) as {
        publicKey: string;
      }
    ).publicKey;
  });
  afterAll(async () => {
    await system?.close();
    await pushService.stop();
  });

  const report = async (body: Record<string, unknown> = {}, as?: Session) => {
    const payload = { categoryCode: 'NOISE', description: '夜间噪音', location: where, ...body };
    const response = as
      ? await as.post<{ ticket: TicketSummary; trackingToken: string }>('/api/tickets', payload)
      : await fetch(`${system.baseUrl}/api/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { ticket: TicketSummary; trackingToken: string },
        }));
    expect(response.status).toBe(201);
    return response.body;
  };
  /** Until the notifier has read every event so far (its cursor is past them). */
  const notifierCaughtUp = async () => {
    const newest = await system.server.prisma.ticketEvent.aggregate({ _max: { id: true } });
    await eventually(
      async () => {
        const cursor = await system.server.prisma.notificationCursor.findUnique({
          where: { name: 'ticket-events' },
        });
        return cursor !== null && cursor.lastEventId >= (newest._max.id ?? 0);
      },
      10_000,
      'the notifier to catch up',
    );
  };

  it('pushes a new ticket to its grid member, VAPID-signed and encrypted for their browser', async () => {
    const browser = pushService.subscription('member-phone');
    const subscribed = await member.post('/api/push/subscriptions', browser);
    expect(subscribed.status).toBe(201);
    const { ticket } = await report();
    const push = await eventually(
      async () => pushService.pushesTo('member-phone')[0],
      10_000,
      'the push',
    );
    expect(push.signatureValid).toBe(true);
    expect(push.vapidKey).toBe(publicKey);
    expect(push.claims.aud).toBe(new URL(browser.endpoint).origin);
    expect(push.claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(push.claims.sub).toMatch(/^mailto:|^https:/);
    expect(push.payload).toMatchObject({
      title: expect.stringContaining(ticket.code),
      url: `/member/tickets/${ticket.id}`,
    });
    // The delivery is recorded once the push service has answered.
    const deliveries = await eventually(
      async () => {
        const rows = await system.server.prisma.notificationDelivery.findMany({
          where: { recipient: browser.endpoint },
        });
        return rows.length > 0 && rows;
      },
      5000,
      'the delivery record',
    );
    expect(deliveries.map((row) => row.kind)).toEqual(['ticket-assigned']);
  });

  it("pushes each public step to a tracking link's browser, and nothing staff-only", async () => {
    const { ticket, trackingToken } = await report();
    await notifierCaughtUp();
    const browser = pushService.subscription('resident-phone');
    const link = `/api/track/${ticket.code}/push?token=${trackingToken}`;
    const subscribed = await fetch(`${system.baseUrl}${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(browser),
    });
    expect(subscribed.status).toBe(201);
    expect((await member.post(`/api/tickets/${ticket.id}/accept`, {})).status).toBe(200);
    const push = await eventually(
      async () => pushService.pushesTo('resident-phone')[0],
      10_000,
      'the progress push',
    );
    expect(push.signatureValid).toBe(true);
    expect(push.payload).toMatchObject({
      title: `工单 ${ticket.code} 已受理`,
      url: `/track/${ticket.code}`,
    });
    const escalated = await dispatcher.post(`/api/tickets/${ticket.id}/escalate`, {
      reason: '督办',
    });
    expect(escalated.status).toBe(200);
    await notifierCaughtUp();
    expect(pushService.pushesTo('resident-phone')).toHaveLength(1);
    // A wrong token subscribes nothing.
    const refused = await fetch(
      `${system.baseUrl}/api/track/${ticket.code}/push?token=${'x'.repeat(32)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pushService.subscription('stranger')),
      },
    );
    expect(refused.status).toBe(404);
  });

  it('respects a switched-off kind, and forgets a browser the push service says is gone', async () => {
    const browser = pushService.subscription('member-tablet');
    expect((await member.post('/api/push/subscriptions', browser)).status).toBe(201);
    const put = await fetch(`${system.baseUrl}/api/me/notifications`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: member.cookie },
      body: JSON.stringify({ 'ticket-assigned': false }),
    });
    expect(put.status).toBe(200);
    expect(
      ((await put.json()) as { preferences: Record<string, boolean> }).preferences,
    ).toMatchObject({ 'ticket-assigned': false, 'ticket-reminder': true });
    const before = pushService.pushesTo('member-tablet').length;
    await report();
    await notifierCaughtUp();
    expect(pushService.pushesTo('member-tablet')).toHaveLength(before);

    const on = await fetch(`${system.baseUrl}/api/me/notifications`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: member.cookie },
      body: JSON.stringify({ 'ticket-assigned': true }),
    });
    expect(on.status).toBe(200);
    pushService.gone.add('/push/member-tablet');
    await report();
    await notifierCaughtUp();
    const left = await system.server.prisma.pushSubscription.count({
      where: { endpoint: browser.endpoint },
    });
    expect(left).toBe(0);
  });

  it('texts a hotline caller the main steps, each once even across a workers restart', async () => {
    const { ticket } = await report(
      { channel: 'HOTLINE', reporter: { name: '王阿姨', phone: '13912345678' } },
      dispatcher,
    );
    await eventually(
      async () => sms.sent.some((message) => message.text.includes(ticket.code)),
      10_000,
      'the first SMS',
    );
    await system.stopWorkers();
    expect((await member.post(`/api/tickets/${ticket.id}/accept`, {})).status).toBe(200);
    expect(
      (await member.post(`/api/tickets/${ticket.id}/resolve`, { note: '已处理' })).status,
    ).toBe(200);
    await system.startWorkers();
    await notifierCaughtUp();
    const texts = sms.sent.filter((message) => message.text.includes(ticket.code));
    expect(texts.map((message) => message.phone)).toEqual([
      '13912345678',
      '13912345678',
      '13912345678',
    ]);
    expect(texts.map((message) => message.text)).toEqual([
      `【网格通】您反映的问题（工单 ${ticket.code}）已登记。`,
      `【网格通】您反映的问题（工单 ${ticket.code}）已受理。`,
      `【网格通】您反映的问题（工单 ${ticket.code}）已办结。`,
    ]);
    const rows = await system.server.prisma.notificationDelivery.count({
      where: { channel: 'sms', recipient: '13912345678' },
    });
    expect(rows).toBe(3);
  });

  it('pushes a task offered to a volunteer who turned push on', async () => {
    const [volunteer] = await mintSessions(system, volunteerNames(1, 201));
    const positions = new VolunteerPositions(system);
    try {
      await positions.place([
        { userId: volunteer!.user.id, at: offsetPoint(where, 120, 45), skills: ['REPAIRS'] },
      ]);
      const browser = pushService.subscription('volunteer-phone');
      expect((await volunteer!.post('/api/push/subscriptions', browser)).status).toBe(201);
      const created = await member.post<{ task: { id: number } }>('/api/tasks', {
        title: '帮老人修水龙头',
        skills: ['REPAIRS'],
        location: where,
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 30,
        offerBatch: 1,
        radiusM: 500,
      });
      expect(created.status).toBe(201);
      const push = await eventually(
        async () => pushService.pushesTo('volunteer-phone')[0],
        10_000,
        'the offer push',
      );
      expect(push.signatureValid).toBe(true);
      expect(push.payload).toMatchObject({
        title: '新的志愿任务：帮老人修水龙头',
        url: '/volunteer',
        tag: `task-${created.body.task.id}`,
      });
    } finally {
      await positions.close();
    }
  });

  it('refuses bad subscriptions with a 4xx and stores nothing', async () => {
    const count = () => system.server.prisma.pushSubscription.count();
    const before = await count();
    const good = pushService.subscription('refused');
    const bad = [
      { ...good, endpoint: 'http://push.example/insecure' },
      { ...good, endpoint: 'not a url' },
      { ...good, keys: { p256dh: 'short', auth: good.keys.auth } },
      { ...good, keys: { p256dh: good.keys.p256dh } },
      { endpoint: good.endpoint },
      'text',
    ];
    for (const body of bad) {
      expect((await member.post('/api/push/subscriptions', body)).status).toBe(400);
    }
    const anonymous = await fetch(`${system.baseUrl}/api/push/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(good),
    });
    expect(anonymous.status).toBe(401);
    const badPreference = await fetch(`${system.baseUrl}/api/me/notifications`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: member.cookie },
      body: JSON.stringify({ 'ticket-assigned': 'no', everything: false }),
    });
    expect(badPreference.status).toBe(400);
    expect(await count()).toBe(before);
  });
});
