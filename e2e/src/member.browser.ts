import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { positionsResponseSchema, type LatLng, type TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
/** Where screenshots go (look at them): SCREENSHOT_DIR, else a folder under the OS temp dir. */
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join('/tmp', 'gridline-member-shots');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A real 32x32 RGB PNG (a green square with a dark diagonal), as a camera would not make it. */
function samplePng(): Buffer {
  const size = 32;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < size; x++) rows.push(...(x === y ? [20, 40, 30] : [46, 157, 82]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // The login page asks /api/me whether a session exists; its 401 is the expected answer.
    if (message.type() === 'error' && !/status of 401/.test(message.text()))
      errors.push(message.text());
  });
  return errors;
}

async function signIn(page: Page, baseUrl: string, username: string, landing: RegExp) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForURL(landing);
  await page
    .locator('[data-testid="connection-status"][data-state="connected"]')
    .waitFor({ timeout: 10_000 });
}

describe('/member in Chromium at a phone viewport', () => {
  let system: TestSystem;
  let browser: Browser;
  let member: Session;
  let dispatcher: Session;
  let centroid: LatLng;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
    member = await system.login('member');
    dispatcher = await system.login('dispatcher');
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

  const phoneContext = async (geolocation: LatLng | null) => {
    const context = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      ...(geolocation
        ? {
            permissions: ['geolocation'],
            geolocation: { latitude: geolocation.lat, longitude: geolocation.lng, accuracy: 15 },
          }
        : {}),
    });
    contexts.push(context);
    return context;
  };

  it('goes on duty and shares a position, sees a new ticket live, accepts and resolves it with a photo; the dispatcher sees it resolved', async () => {
    // Start off duty, so that the page's own switch puts the member on duty.
    expect((await member.post('/api/members/me/duty', { onDuty: false })).status).toBe(200);
    const here = { lat: centroid.lat + 0.0002, lng: centroid.lng + 0.0001 };

    const phone = await (await phoneContext(here)).newPage();
    const phoneErrors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'member', /\/member$/);
    const dutyPanel = phone.locator('[data-testid="duty-panel"]');
    await dutyPanel.and(phone.locator('[data-on-duty="false"]')).waitFor();
    await phone.getByRole('button', { name: '切换为在岗' }).click();
    await dutyPanel.and(phone.locator('[data-sharing="sharing"]')).waitFor({ timeout: 10_000 });
    const shared = await eventually(
      async () => {
        const response = await dispatcher.get('/api/positions');
        const { positions } = positionsResponseSchema.parse(response.body);
        return positions.find((p) => p.userId === member.user.id);
      },
      10_000,
      "the member's position on the server",
    );
    expect(shared.lat).toBeCloseTo(here.lat, 5);
    expect(shared.lng).toBeCloseTo(here.lng, 5);

    const desk = await browser.newContext({ viewport: DESKTOP });
    contexts.push(desk);
    const board = await desk.newPage();
    const boardErrors = watchErrors(board);
    await signIn(board, system.baseUrl, 'dispatcher', /\/dispatch/);

    const response = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        priority: 'HIGH',
        description: '楼下商铺夜间音响扰民',
        address: '和平街道健身社区 3 号楼',
        location: centroid,
      }),
    });
    expect(response.status).toBe(201);
    const { ticket } = (await response.json()) as { ticket: TicketSummary };
    expect(ticket.assigneeId).toBe(member.user.id);

    const item = phone.locator(`[data-testid="member-ticket"][data-code="${ticket.code}"]`);
    await item.waitFor({ timeout: 5000 });
    const row = board.locator(`[data-testid="ticket-row"][data-code="${ticket.code}"]`);
    await row.waitFor({ timeout: 5000 });
    await phone.screenshot({ path: path.join(SHOTS, 'member-inbox-360.png'), fullPage: true });

    await item.locator('a').click();
    const view = phone.locator(`[data-testid="member-ticket-view"][data-code="${ticket.code}"]`);
    await view.waitFor();
    await phone.locator('button[data-action="accept"]').click();
    await view.and(phone.locator('[data-status="ACCEPTED"]')).waitFor();
    // The dispatcher's list follows without a reload.
    await board
      .locator(`[data-testid="ticket-row"][data-code="${ticket.code}"][data-status="ACCEPTED"]`)
      .waitFor({ timeout: 5000 });

    await phone.locator('button[data-action="resolve"]').click();
    await phone.getByLabel('处置说明').fill('已劝导商铺关闭音响，现场恢复安静');
    await phone.locator('#resolve-photos').setInputFiles({
      name: 'scene.png',
      mimeType: 'image/png',
      buffer: samplePng(),
    });
    await phone.locator('[data-testid="resolve-form"] img').waitFor();
    await phone.setViewportSize({ width: PHONE.width, height: 1200 });
    await phone.screenshot({ path: path.join(SHOTS, 'member-resolve-360.png') });
    await phone.setViewportSize(PHONE);
    await phone.getByRole('button', { name: '确认办结' }).click();
    await view.and(phone.locator('[data-status="RESOLVED"]')).waitFor({ timeout: 10_000 });
    await phone.locator('[data-testid="ticket-photos"] img').first().waitFor();
    // The uploaded photo is served back and decodes (32 px wide, as sent).
    const shown = phone.locator('[data-testid="ticket-photos"] img').first();
    await eventually(
      async () =>
        (await shown.evaluate((element) => {
          const img = element as unknown as { complete: boolean; naturalWidth: number };
          return img.complete ? img.naturalWidth : 0;
        })) === 32,
      5000,
      'the photo to load',
    );
    await phone.screenshot({ path: path.join(SHOTS, 'member-resolved-360.png') });
    // The page scrolls inside <main>: a tall viewport shows all of it, then the desktop size.
    await phone.setViewportSize({ width: PHONE.width, height: 1600 });
    await phone.screenshot({ path: path.join(SHOTS, 'member-resolved-360-full.png') });
    await phone.setViewportSize(DESKTOP);
    await phone.screenshot({ path: path.join(SHOTS, 'member-resolved-1280.png') });
    await phone.setViewportSize(PHONE);

    // /dispatch lists open tickets: a resolved one leaves the list (or shows as resolved).
    await board
      .locator(
        `[data-testid="ticket-row"][data-code="${ticket.code}"]:not([data-status="RESOLVED"])`,
      )
      .waitFor({ state: 'detached', timeout: 5000 });

    const detail = await dispatcher.get<{
      ticket: { status: string; photos: Array<{ kind: string; mime: string }> };
      timeline: Array<{ type: string; data: { note?: string } }>;
    }>(`/api/tickets/${ticket.id}`);
    expect(detail.body.ticket.status).toBe('RESOLVED');
    expect(detail.body.ticket.photos).toEqual([
      expect.objectContaining({ kind: 'RESOLUTION', mime: 'image/png' }),
    ]);
    expect(detail.body.timeline.find((e) => e.type === 'ticket.resolved')?.data.note).toBe(
      '已劝导商铺关闭音响，现场恢复安静',
    );

    // The inbox no longer lists it.
    await phone.getByRole('link', { name: /返回待办/ }).click();
    await phone.locator('[data-testid="duty-panel"]').waitFor();
    expect(
      await phone.locator(`[data-testid="member-ticket"][data-code="${ticket.code}"]`).count(),
    ).toBe(0);

    expect(phoneErrors).toEqual([]);
    expect(boardErrors).toEqual([]);
  });

  it('reports what the member finds on patrol at their position, accepted on creation', async () => {
    const here = { lat: centroid.lat - 0.0001, lng: centroid.lng };
    const phone = await (await phoneContext(here)).newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'member', /\/member$/);
    await phone.getByRole('link', { name: '上报巡查发现' }).click();
    await phone.locator('[data-testid="patrol-position"][data-state="done"]').waitFor();
    await phone.getByLabel('事项分类').selectOption('ROAD_DAMAGE');
    await phone.getByLabel('问题描述').fill('人行道地砖松动，易绊倒行人');
    await phone.getByLabel('地址（选填）').fill('健身社区南门');
    await phone.setViewportSize({ width: PHONE.width, height: 1100 });
    await phone.screenshot({ path: path.join(SHOTS, 'member-patrol-360.png') });
    await phone.setViewportSize(PHONE);
    await phone.getByRole('button', { name: '提交上报' }).click();
    const view = phone.locator('[data-testid="member-ticket-view"][data-status="ACCEPTED"]');
    await view.waitFor({ timeout: 10_000 });
    const code = await view.getAttribute('data-code');

    const { body } = await member.get<{ tickets: TicketSummary[] }>(
      `/api/tickets?status=open&assigneeId=${member.user.id}`,
    );
    const created = body.tickets.find((t) => t.code === code);
    expect(created).toMatchObject({
      channel: 'PATROL',
      status: 'ACCEPTED',
      categoryCode: 'ROAD_DAMAGE',
      address: '健身社区南门',
    });
    expect(created?.location.lat).toBeCloseTo(here.lat, 5);
    expect(errors).toEqual([]);
  });

  it('explains a ticket that moved on under the member (409) and a lost network', async () => {
    await member.post('/api/members/me/duty', { onDuty: true });
    const context = await phoneContext(null);
    // Relay the socket, able to hold back what the server pushes (as on a weak signal).
    let silenced = false;
    const relays: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/socket\.io\//, (ws) => {
      relays.push(ws);
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (!silenced) ws.send(message);
      });
      ws.onMessage((message) => server.send(message));
    });
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'member', /\/member$/);

    const created = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ categoryCode: 'NOISE', description: '装修噪音', location: centroid }),
    });
    const { ticket } = (await created.json()) as { ticket: TicketSummary };
    expect(ticket.assigneeId).toBe(member.user.id);
    await phone.locator(`[data-testid="member-ticket"][data-code="${ticket.code}"] a`).click();
    const view = phone.locator(`[data-testid="member-ticket-view"][data-code="${ticket.code}"]`);
    await view.and(phone.locator('[data-status="ASSIGNED"]')).waitFor();

    // Accepted elsewhere (another phone) while this one hears nothing.
    silenced = true;
    expect((await member.post(`/api/tickets/${ticket.id}/accept`, {})).status).toBe(200);
    await phone.locator('button[data-action="accept"]').click();
    await expect(
      phone.locator('[data-testid="action-error"]').textContent({ timeout: 5000 }),
    ).resolves.toMatch(/工单状态已被他人更改/);
    // …and the view reloads to what the ticket is now.
    await view.and(phone.locator('[data-status="ACCEPTED"]')).waitFor();
    silenced = false;

    await context.setOffline(true);
    await phone.locator('button[data-action="start"]').click();
    await expect(
      phone.locator('[data-testid="action-error"]').textContent({ timeout: 5000 }),
    ).resolves.toMatch(/网络连接失败/);
    await phone.screenshot({ path: path.join(SHOTS, 'member-offline-360.png') });
    await context.setOffline(false);
    await phone.locator('button[data-action="start"]').click();
    await view.and(phone.locator('[data-status="IN_PROGRESS"]')).waitFor();

    // A ticket assigned while the phone hears nothing arrives after the reconnect, by catch-up.
    await phone.getByRole('link', { name: /返回待办/ }).click();
    // Being offline dropped the socket: let it come back before holding pushes again.
    await phone
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });
    silenced = true;
    const missed = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        description: '广场舞噪音',
        location: centroid,
      }),
    });
    const late = ((await missed.json()) as { ticket: TicketSummary }).ticket;
    expect(late.assigneeId).toBe(member.user.id);
    silenced = false;
    for (const relay of relays.splice(0)) await relay.close();
    await phone
      .locator(`[data-testid="member-ticket"][data-code="${late.code}"]`)
      .waitFor({ timeout: 10_000 });
    // Chromium logs the 409 and the request that failed offline; nothing else may go wrong.
    expect(
      errors.filter((e) => !/status of 409|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)),
    ).toEqual([]);
  });

  it('says so when location permission is denied, and shows in English at desktop size', async () => {
    const context = await phoneContext(null);
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'member', /\/member$/);
    const panel = phone.locator('[data-testid="duty-panel"]');
    await panel.and(phone.locator('[data-on-duty="true"]')).waitFor();
    await panel.and(phone.locator('[data-sharing="denied"]')).waitFor({ timeout: 10_000 });
    await expect(phone.locator('[data-testid="sharing-status"]').textContent()).resolves.toMatch(
      /定位权限被拒绝/,
    );
    await phone.screenshot({ path: path.join(SHOTS, 'member-denied-360.png'), fullPage: true });

    await phone.setViewportSize(DESKTOP);
    await phone.getByRole('button', { name: 'Switch to English' }).click();
    await expect(phone.locator('h1').textContent()).resolves.toBe('My tickets');
    await expect(phone.locator('[data-testid="sharing-status"]').textContent()).resolves.toMatch(
      /Location permission denied/,
    );
    await phone.screenshot({ path: path.join(SHOTS, 'member-inbox-1280-en.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
