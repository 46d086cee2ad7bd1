import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { visitEveryMs } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type TestSystem } from './support/system.ts';

const DAY = 86_400_000;
const SHOTS = process.env.DASHBOARD_SHOTS ?? path.join(tmpdir(), 'gridline-dashboard-shots');

async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent('/dashboard')}`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/dashboard/);
}

describe('overdue visits on /dashboard in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    system = await startSystem({ web: true, workers: false });
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('lists the community’s households overdue for a visit, most overdue first, never on the wall', async () => {
    const prisma = system.server.prisma;
    const staff = await prisma.user.findUniqueOrThrow({ where: { username: 'community' } });
    const homes = await prisma.careRecipient.findMany({
      where: { communityId: staff.regionId!, visitEveryDays: { not: null } },
      orderBy: { id: 'asc' },
      take: 2,
    });
    expect(homes).toHaveLength(2);
    const [late, later] = homes as [(typeof homes)[number], (typeof homes)[number]];
    const visitedDaysAgo = (home: typeof late, overdueDays: number) =>
      new Date(Date.now() - visitEveryMs(home.visitEveryDays!, 1) - overdueDays * DAY - DAY / 2);
    await prisma.careRecipient.update({
      where: { id: late.id },
      data: { lastVisitAt: visitedDaysAgo(late, 2) },
    });
    await prisma.careRecipient.update({
      where: { id: later.id },
      data: { lastVisitAt: visitedDaysAgo(later, 6) },
    });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signIn(page, system.baseUrl, 'community');

    const rows = page.locator('[data-testid="overdue-visit"]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    expect(await rows.nth(0).getAttribute('data-id')).toBe(String(later.id));
    expect(await rows.nth(1).getAttribute('data-id')).toBe(String(late.id));
    const first = await rows.nth(0).innerText();
    expect(first).toContain(later.householdName);
    expect(first).toContain(later.address);
    expect(first).toContain('6 天');
    expect(await rows.nth(1).innerText()).toContain('2 天');
    // Nothing personal beyond names and address: no contact's phone.
    const section = await page.locator('[data-testid="overdue-visits"]').innerText();
    const contacts = later.contacts as Array<{ phone: string }>;
    for (const contact of contacts) expect(section).not.toContain(contact.phone);
    await page
      .locator('[data-testid="overdue-visits"]')
      .screenshot({ path: path.join(SHOTS, 'overdue-visits.png') });

    await page.locator('[data-testid="wall-toggle"]').click();
    await expect.poll(() => page.locator('[data-testid="overdue-visits"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is not shown to a grid member', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, system.baseUrl, 'member');
    await page.locator('[data-testid="count-created"]').waitFor();
    expect(await page.locator('[data-testid="overdue-visits"]').count()).toBe(0);
    await context.close();
  });
});
