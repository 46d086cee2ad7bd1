import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LatLng, TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { photoWithGps } from './support/images.ts';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';
import { watchErrors } from './support/volunteer-page.ts';

const PHONE = { width: 360, height: 740 };
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join('/tmp', 'gridline-resident-shots');

describe('/report and /track in Chromium at a phone viewport', () => {
  let system: TestSystem;
  let browser: Browser;
  let member: Session;
  let centroid: LatLng;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
    member = await system.login('member');
    await member.post('/api/members/me/duty', { onDuty: true });
    const grid = await member.get<{ region: { centroid: LatLng } }>(
      `/api/regions/${member.user.regionId}`,
    );
    centroid = grid.body.region.centroid;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await system?.close();
  });

  const residentPhone = async (at: LatLng): Promise<Page> => {
    const context = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      permissions: ['geolocation', 'clipboard-read', 'clipboard-write'],
      geolocation: { latitude: at.lat, longitude: at.lng, accuracy: 10 },
    });
    contexts.push(context);
    return context.newPage();
  };
  const act = (ticketId: number, action: string, body: unknown = {}) =>
    member.post<{ ticket: TicketSummary }>(`/api/tickets/${ticketId}/${action}`, body);
  const fillReport = async (page: Page, category: string, description: string) => {
    await page.goto(`${system.baseUrl}/report`);
    await page.locator(`[data-testid="report-categories"] label`, { hasText: category }).click();
    await page.locator('[data-testid="report-locate"]').click();
    await page.locator('[data-testid="report-point"]').waitFor();
    await page.getByLabel('问题描述').fill(description);
  };

  it('reports with a photo, follows the accept and resolve live on the tracking link, and rates it', async () => {
    const page = await residentPhone({ lat: centroid.lat + 0.0002, lng: centroid.lng });
    const errors = watchErrors(page);
    await fillReport(page, '噪音', '楼下商铺音响夜里十一点还很响');
    await page.locator('#report-photos').setInputFiles({
      name: 'noise.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(photoWithGps),
    });
    await page.getByLabel('手机号').fill('138 0000 2222');
    await page.locator('[data-testid="report-submit"]').click();
    const code = (await page.locator('[data-testid="report-code"]').innerText()).trim();
    expect(code).toMatch(/^GL-\d{6}-[0-9A-Z]{6}$/);
    const ticket = await system.server.prisma.ticket.findUniqueOrThrow({
      where: { code },
      include: { photos: true },
    });
    expect(ticket).toMatchObject({
      channel: 'WEB',
      status: 'ASSIGNED',
      assigneeId: member.user.id,
      reporterPhone: '138 0000 2222',
    });
    expect(ticket.photos.map((photo) => photo.kind)).toEqual(['REPORT']);
    await page.screenshot({ path: path.join(SHOTS, 'report-receipt.png'), fullPage: true });

    const link = await page.locator('[data-testid="report-tracking-link"]').getAttribute('href');
    expect(link).toMatch(new RegExp(`^/track/${code}#token=`));
    await page.locator('[data-testid="report-receipt"] a.button-primary').click();
    const status = page.locator('[data-testid="track-status"]');
    await status.and(page.locator('[data-status="ASSIGNED"]')).waitFor();
    await page.locator('.connection[data-live="true"]').waitFor({ timeout: 10_000 });
    await expect(page.locator('.photos img').count()).resolves.toBe(1);

    // The grid member acts; the page hears it without a reload.
    expect((await act(ticket.id, 'accept')).status).toBe(200);
    await status.and(page.locator('[data-status="ACCEPTED"]')).waitFor({ timeout: 5000 });
    expect((await act(ticket.id, 'resolve', { note: '已联系店主，音响已关闭' })).status).toBe(200);
    await status.and(page.locator('[data-status="RESOLVED"]')).waitFor({ timeout: 5000 });
    await page.locator('[data-testid="track-timeline"]', { hasText: '已联系店主' }).waitFor();
    const staff = await system.server.prisma.user.findUniqueOrThrow({
      where: { id: member.user.id },
    });
    expect(await page.locator('main').innerText()).not.toContain(staff.displayName);

    const rate = page.locator('[data-testid="track-rate"]');
    await rate.locator('label', { hasText: '满意' }).first().click();
    await rate.getByLabel('说说您的看法（选填）').fill('很及时');
    await rate.getByRole('button', { name: '提交评价' }).click();
    await page.locator('[data-testid="track-rated"]', { hasText: '满意' }).waitFor();
    await status.and(page.locator('[data-status="CLOSED"]')).waitFor();
    const rated = await system.server.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(rated).toMatchObject({ rating: 'GOOD', ratingComment: '很及时', status: 'CLOSED' });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    await page.screenshot({ path: path.join(SHOTS, 'track-rated.png'), fullPage: true });

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: /Your report/ }).waitFor();
    expect(errors).toEqual([]);
  });

  it('offers a second resident the likely duplicate, who follows it and hears it live', async () => {
    const here = { lat: centroid.lat - 0.0003, lng: centroid.lng + 0.0002 };
    const first = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'GARBAGE',
        description: '垃圾桶满了没人清',
        location: here,
      }),
    });
    const original = ((await first.json()) as { ticket: TicketSummary }).ticket;
    const tickets = await system.server.prisma.ticket.count();

    const page = await residentPhone({ lat: here.lat + 0.0001, lng: here.lng });
    const errors = watchErrors(page);
    await fillReport(page, '垃圾', '垃圾堆在路边');
    const offered = page.locator('[data-testid="report-duplicates"]', { hasText: original.code });
    await offered.waitFor({ timeout: 5000 });
    await offered.locator('[data-testid="report-follow"]').click();
    await page.locator('[data-testid="report-receipt"]', { hasText: '已关注' }).waitFor();
    expect((await page.locator('[data-testid="report-code"]').innerText()).trim()).toBe(
      original.code,
    );
    expect(await system.server.prisma.ticket.count()).toBe(tickets);
    await page.locator('[data-testid="report-receipt"] a.button-primary').click();
    await page.getByText('您在关注这条工单').waitFor();
    const status = page.locator('[data-testid="track-status"]');
    await page.locator('.connection[data-live="true"]').waitFor({ timeout: 10_000 });
    expect((await act(original.id, 'accept')).status).toBe(200);
    await status.and(page.locator('[data-status="ACCEPTED"]')).waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid="track-rate"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('keeps the report through a failed send and files it once on retry', async () => {
    const page = await residentPhone({ lat: centroid.lat + 0.0004, lng: centroid.lng - 0.0002 });
    const description = `路灯不亮 ${Date.now()}`;
    await fillReport(page, '路灯', description);
    // The first send reaches the server, but its answer is lost on the way back.
    let lost = false;
    await page.route('**/api/tickets', async (route) => {
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.locator('[data-testid="report-submit"]').click();
    await page.locator('[data-testid="report-failure"]').waitFor();
    await expect(page.getByLabel('问题描述').inputValue()).resolves.toBe(description);
    await page.locator('[data-testid="report-submit"]').click();
    const code = (await page.locator('[data-testid="report-code"]').innerText()).trim();
    const filed = await eventually(
      async () => {
        const rows = await system.server.prisma.ticket.findMany({ where: { description } });
        return rows.length > 0 && rows;
      },
      5000,
      'the report',
    );
    expect(filed.map((row) => row.code)).toEqual([code]);
  });

  it('shows recent tickets on the public map, with no personal data, in both languages', async () => {
    const api = await fetch(`${system.baseUrl}/api/public/tickets`);
    const { tickets } = (await api.json()) as { tickets: Array<{ code: string }> };
    expect(tickets.length).toBeGreaterThan(0);
    const page = await residentPhone(centroid);
    const errors = watchErrors(page);
    await page.goto(`${system.baseUrl}/map`);
    await page.locator(`[data-testid="public-map"][data-count="${tickets.length}"]`).waitFor();
    const list = page.locator('[data-testid="public-map-list"] li');
    expect(await list.count()).toBe(Math.min(30, tickets.length));
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/138 0000 2222|13912345678|GL-\d{6}/);
    await page.locator('[data-testid="public-map-category"]').selectOption('NOISE');
    await page.locator('[data-testid="public-map-summary"]', { hasText: /共 \d+ 件/ }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Around you' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('a resident with an account finds their reports listed and opens them without the link', async () => {
    const page = await residentPhone({ lat: centroid.lat - 0.0001, lng: centroid.lng - 0.0001 });
    const errors = watchErrors(page);
    await page.goto(`${system.baseUrl}/account`);
    const form = page.locator('[data-testid="account-register"]');
    await form.getByLabel('手机号').fill('136 1111 2222');
    await form.getByLabel('密码（至少 8 位）').fill('secret123');
    await form.getByRole('button', { name: '注册' }).click();
    await page.getByRole('heading', { name: '我的工单' }).waitFor();
    await fillReport(page, '噪音', '账号用户反映的噪音');
    await page.locator('[data-testid="report-submit"]').click();
    const code = (await page.locator('[data-testid="report-code"]').innerText()).trim();
    const ticket = await system.server.prisma.ticket.findUniqueOrThrow({
      where: { code },
      include: { reporter: true },
    });
    expect(ticket.reporter?.username).toBe('13611112222');
    await page.goto(`${system.baseUrl}/account`);
    const listed = page.locator('[data-testid="account-tickets"] a', { hasText: code });
    await listed.click();
    await page.waitForURL(new RegExp(`/track/${code}$`));
    await page.locator('[data-testid="track-status"][data-status="ASSIGNED"]').waitFor();
    await page.locator('.connection[data-live="true"]').waitFor({ timeout: 10_000 });
    expect((await act(ticket.id, 'accept')).status).toBe(200);
    await page
      .locator('[data-testid="track-status"][data-status="ACCEPTED"]')
      .waitFor({ timeout: 5000 });
    expect(errors).toEqual([]);
  });

  it('says what is missing before sending, and a wrong link finds nothing', async () => {
    const page = await residentPhone(centroid);
    const errors = watchErrors(page);
    await page.goto(`${system.baseUrl}/report`);
    await page.locator('[data-testid="report-submit"]').click();
    const problems = page.locator('[data-testid="report-problems"]');
    await problems.waitFor();
    expect(await problems.innerText()).toMatch(
      /请选择问题类别[\s\S]*请标出问题的位置[\s\S]*请描述问题/,
    );
    await page.goto(`${system.baseUrl}/track/GL-200101-AAAAAA#token=${'x'.repeat(32)}`);
    await page.locator('[data-testid="track-not-found"]').waitFor();
    // The page's own 404 from the API is expected here; nothing else may fail.
    expect(errors.filter((error) => !/status of 404/.test(error))).toEqual([]);
  });
});
