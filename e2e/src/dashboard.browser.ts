import { readFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TicketStatus, TicketSummary } from '@gridline/core';
import type { Prisma, PrismaClient } from '@gridline/db';
import { launchChromium } from './support/browser.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Where the screenshots go (look at them); DASHBOARD_SHOTS overrides. */
const SHOTS = process.env.DASHBOARD_SHOTS ?? path.join(tmpdir(), 'gridline-dashboard-shots');

/** Tickets of the last days across the city with finished timelines, so every chart has data. */
async function seedHistory(prisma: PrismaClient): Promise<void> {
  const grids = await prisma.region.findMany({
    where: { level: 'GRID' },
    select: {
      id: true,
      parent: { select: { id: true, parent: { select: { id: true, parentId: true } } } },
    },
    orderBy: { id: 'asc' },
  });
  const categories = await prisma.category.findMany({ select: { id: true }, take: 8 });
  const now = Date.now();
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2_147_483_647) - 1) / 2_147_483_646;
  for (let index = 0; index < 160; index++) {
    const grid = grids[Math.floor(random() * grids.length)]!;
    const createdAt = new Date(now - Math.floor(random() * 6 * 24) * HOUR - 10 * MINUTE);
    const acceptAfter = Math.floor(random() * 50) + 2;
    const resolveAfter = acceptAfter + Math.floor(random() * 1800) + 30;
    const accepted = random() < 0.85;
    const resolved = accepted && random() < 0.75;
    const ticket = await prisma.ticket.create({
      data: {
        code: `GL-DASHB-${index}`,
        trackingTokenHash: `dashb-${index}`,
        channel: 'HOTLINE',
        categoryId: categories[index % categories.length]!.id,
        priority: 'NORMAL',
        status: resolved ? 'RESOLVED' : accepted ? 'ACCEPTED' : 'ASSIGNED',
        description: `看板浏览器测试 ${index}`,
        lat: 41.1,
        lng: 123.0,
        gridId: grid.id,
        communityId: grid.parent!.id,
        streetId: grid.parent!.parent!.id,
        districtId: grid.parent!.parent!.parentId!,
        acceptBy: new Date(createdAt.getTime() + 30 * MINUTE),
        resolveBy: new Date(createdAt.getTime() + 24 * HOUR),
        createdAt,
      },
    });
    const at = (minutes: number) => new Date(createdAt.getTime() + minutes * MINUTE);
    const events: {
      type: string;
      createdAt: Date;
      toStatus: TicketStatus;
      payload: Prisma.InputJsonObject;
    }[] = [
      { type: 'ticket.created', createdAt: at(0), toStatus: 'NEW', payload: {} },
      { type: 'ticket.assigned', createdAt: at(0), toStatus: 'ASSIGNED', payload: {} },
    ];
    if (accepted) {
      events.push({
        type: 'ticket.accepted',
        createdAt: at(acceptAfter),
        toStatus: 'ACCEPTED',
        payload: { level: 0, onTime: acceptAfter <= 30 },
      });
    }
    if (resolved) {
      events.push({
        type: 'ticket.resolved',
        createdAt: at(resolveAfter),
        toStatus: 'RESOLVED',
        payload: { onTime: resolveAfter <= 24 * 60 },
      });
      if (random() < 0.6) {
        events.push({
          type: 'ticket.updated',
          createdAt: at(resolveAfter + 30),
          toStatus: 'RESOLVED',
          payload: { action: 'rated', rating: random() < 0.8 ? 'GOOD' : 'BAD' },
        });
      }
    }
    await prisma.ticketEvent.createMany({
      data: events
        .filter((event) => event.createdAt.getTime() <= now)
        .map((event) => ({ ...event, ticketId: ticket.id })),
    });
  }
}

async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent('/dashboard')}`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/dashboard/);
}

const countOf = async (page: Page, testId: string): Promise<number> =>
  Number(await page.locator(`[data-testid="${testId}"] dd`).innerText());

describe('/dashboard in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let member: Session;

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    member = await system.login('member');
    await seedHistory(system.server.prisma);
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('shows the figures, updates them live when a ticket is created and accepted, and exports the table', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text()))
        errors.push(message.text());
    });

    await signIn(page, system.baseUrl, 'dispatcher');
    await page
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="count-created"]').waitFor();
    await page.locator('[data-testid="rate-response"]').waitFor();
    // The city's four districts, ranked.
    await expect.poll(() => page.locator('[data-testid="ranking-row"]').count()).toBe(4);

    // This week: the seeded history shows in the rates.
    await page.locator('[data-testid="period-week"]').click();
    await expect
      .poll(async () =>
        Number(
          await page.locator('[data-testid="rate-response"]').getAttribute('data-denominator'),
        ),
      )
      .toBeGreaterThan(0);
    await page.locator('[data-testid="period-today"]').click();
    await expect
      .poll(() => page.locator('[data-testid="dashboard"]').getAttribute('data-loading'))
      .toBe('false');

    const createdBefore = await countOf(page, 'count-created');
    const acceptedBefore = await countOf(page, 'count-accepted');
    // A marker that a reload would lose.
    await page.evaluate('window.dashboardMarker = 42');

    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const response = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        description: '广场舞音响声音过大',
        location: grid.body.region.centroid,
      }),
    });
    expect(response.status).toBe(201);
    const { ticket } = (await response.json()) as { ticket: TicketSummary };
    expect((await member.post(`/api/tickets/${ticket.id}/accept`, {})).status).toBe(200);

    await expect
      .poll(() => countOf(page, 'count-created'), { timeout: 15_000 })
      .toBe(createdBefore + 1);
    await expect
      .poll(() => countOf(page, 'count-accepted'), { timeout: 15_000 })
      .toBe(acceptedBefore + 1);
    expect(await page.evaluate('window.dashboardMarker')).toBe(42);
    expect(
      Number(await page.locator('[data-testid="dashboard"]').getAttribute('data-live-refreshes')),
    ).toBeGreaterThan(0);

    // CSV of the table on screen: BOM, header, one line per row shown, the total.
    await page.locator('[data-testid="period-week"]').click();
    await expect
      .poll(() => page.locator('[data-testid="dashboard"]').getAttribute('data-loading'))
      .toBe('false');
    const names = await page.locator('[data-testid="ranking-row"] th').allInnerTexts();
    expect(names).toHaveLength(4);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="export-csv"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(names.length + 2);
    expect(lines[0]!.startsWith('区域,')).toBe(true);
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual(
      names.map((name) => name.trim()),
    );
    expect(lines[lines.length - 1]!.startsWith('合计,')).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-1280.png') });
    // The page scrolls inside <main>: a tall window shows all of it for review.
    await page.setViewportSize({ width: 1280, height: 1600 });
    await page.screenshot({ path: path.join(SHOTS, 'desktop-1280-full.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Drill into the first district: its streets are ranked.
    const firstId = await page
      .locator('[data-testid="ranking-row"]')
      .first()
      .getAttribute('data-region-id');
    await page.locator('[data-testid="ranking-row"] th button').first().click();
    await expect
      .poll(() => page.locator('[data-testid="current-region"]').getAttribute('data-region-id'))
      .toBe(firstId);
    await expect.poll(() => page.locator('[data-testid="ranking-row"]').count()).toBeGreaterThan(4);

    // English: the figures' labels switch with the language.
    await page.locator('button.language-switch').first().click();
    await expect
      .poll(() => page.locator('[data-testid="rate-response"]').innerText())
      .toContain('Response rate');
    await expect.poll(() => page.locator('h1').first().innerText()).toBe('Dashboard');
    expect(await page.locator('[data-testid="ranking-table"] thead').innerText()).toContain(
      'Region',
    );
    await page.screenshot({ path: path.join(SHOTS, 'desktop-1280-en.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone and the command-centre wall', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await phone.newPage();
    await signIn(page, system.baseUrl, 'dispatcher');
    await page.locator('[data-testid="period-week"]').click();
    await page.locator('[data-testid="ranking-row"]').first().waitFor();
    await expect
      .poll(() => page.locator('[data-testid="dashboard"]').getAttribute('data-loading'))
      .toBe('false');
    // Nothing wider than the screen but the table's own scroller.
    const overflow = Number(
      await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      ),
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'phone-360.png') });
    await page.setViewportSize({ width: 360, height: 2600 });
    await page.screenshot({ path: path.join(SHOTS, 'phone-360-full.png') });
    await phone.close();

    const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const big = await wall.newPage();
    await signIn(big, system.baseUrl, 'dispatcher');
    await big.goto(`${system.baseUrl}/dashboard?screen=wall`);
    await big.locator('.dashboard.wall [data-testid="ranking-row"]').first().waitFor();
    await big.locator('[data-testid="period-week"]').click();
    await expect
      .poll(() => big.locator('[data-testid="dashboard"]').getAttribute('data-loading'))
      .toBe('false');
    // No navigation on the wall: the app header lies under the full-screen board.
    const headerVisible = await big.evaluate(`(() => {
      const nav = document.querySelector('nav[aria-label]');
      if (!nav) return false;
      const box = nav.getBoundingClientRect();
      const top = document.elementFromPoint(box.left + 2, box.top + 2);
      return top !== null && nav.contains(top);
    })()`);
    expect(headerVisible).toBe(false);
    await big.screenshot({ path: path.join(SHOTS, 'wall-1920.png') });
    // Escape leaves the wall screen.
    await big.keyboard.press('Escape');
    await big.locator('.dashboard:not(.wall)').waitFor();
    await wall.close();
  });
});
