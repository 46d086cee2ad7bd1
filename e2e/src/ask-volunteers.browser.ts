import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { screenshot } from './support/dispatch-page.ts';
import { startSystem, type TestSystem } from './support/system.ts';

describe('asking volunteers from the ticket drawer', () => {
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    system = await startSystem({ web: true, workers: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('community staff ask volunteers for a ticket: a task at its place, offered to a volunteer nearby', async () => {
    const community = await system.login('community');
    const prisma = system.server.prisma;
    const grid = await prisma.region.findFirstOrThrow({
      where: { level: 'GRID', parentId: community.user.regionId },
      orderBy: { id: 'asc' },
    });
    const place = { lat: grid.centroidLat!, lng: grid.centroidLng! };
    const filed = await community.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'ELDERLY_COMPANY',
      description: '独居老人需要有人陪伴就医',
      location: place,
      channel: 'HOTLINE',
      reporter: { phone: '13800001234' },
    });
    expect(filed.status).toBe(201);
    const ticket = filed.body.ticket;
    // A volunteer on duty near the place hears the offer.
    const carer = await prisma.volunteerSkill.findFirstOrThrow({
      where: { skill: { code: 'ELDERLY_CARE' }, volunteer: { status: 'APPROVED' } },
      include: { volunteer: { include: { user: true } } },
    });
    const volunteer = await system.login(carer.volunteer.user.username);
    expect((await volunteer.post('/api/volunteers/me/duty', { onDuty: true })).status).toBe(200);
    expect((await volunteer.post('/api/volunteers/me/location', place)).status).toBe(200);
    const socket = await volunteer.socket();
    const offered = new Promise<number>((resolve) =>
      socket.on('task.offered', (payload) => resolve(payload.task.ticketId ?? 0)),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(
      `${system.baseUrl}/login?next=${encodeURIComponent(`/dispatch?ticket=${ticket.id}`)}`,
    );
    await page.getByLabel(/用户名|Username/).fill('community');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dispatch/);
    await page.getByTestId('action-askVolunteers').click();
    await page.getByRole('checkbox', { name: '养老照护' }).check();
    await page.getByLabel('预计时长（分钟）').fill('90');
    await screenshot(page, 'dispatch-ask-volunteers');
    await page.locator('#action-form-askVolunteers button[type="submit"]').click();
    await expect(page.getByTestId('drawer-notice').textContent()).resolves.toMatch(/请志愿者协助/);

    const task = await prisma.task.findFirstOrThrow({
      where: { ticketId: ticket.id },
      include: { skills: { include: { skill: true } } },
    });
    expect(task.durationMinutes).toBe(90);
    expect(task.skills.map((row) => row.skill.code)).toEqual(['ELDERLY_CARE']);
    expect(task.createdById).toBe(community.user.id);
    expect(await offered).toBe(ticket.id);
    socket.disconnect();
    expect(errors).toEqual([]);
  });

  it('offers the dispatcher no such action (volunteer tasks belong to the community)', async () => {
    const dispatcher = await system.login('dispatcher');
    const open = await dispatcher.get<{ tickets: TicketSummary[] }>('/api/tickets?status=open');
    const ticket = open.body.tickets[0]!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(
      `${system.baseUrl}/login?next=${encodeURIComponent(`/dispatch?ticket=${ticket.id}`)}`,
    );
    await page.getByLabel(/用户名|Username/).fill('dispatcher');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('action-assign').waitFor();
    expect(await page.getByTestId('action-askVolunteers').count()).toBe(0);
  });
});
