import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type TestSystem } from './support/system.ts';

describe('/dispatch in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    system = await startSystem({ web: true, timeScale: 300 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('shows a ticket posted through the API within 2 seconds, and its escalation live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The login page asks /api/me whether a session exists; its 401 is the expected answer.
      if (message.type() === 'error' && !/status of 401/.test(message.text()))
        errors.push(message.text());
    });

    await page.goto(`${system.baseUrl}/login`);
    await page.getByLabel(/用户名|Username/).fill('dispatcher');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dispatch/);
    await page
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });

    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const posted = Date.now();
    const response = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        priority: 'URGENT',
        description: '工地夜间施工噪音',
        location: grid.body.region.centroid,
      }),
    });
    expect(response.status).toBe(201);
    const { ticket } = (await response.json()) as { ticket: TicketSummary };

    const row = page.locator(`[data-testid="ticket-row"][data-code="${ticket.code}"]`);
    await row.waitFor({ timeout: 2000 });
    expect(Date.now() - posted).toBeLessThan(2000);

    // The 5-minute urgent accept deadline passes in 1 s at TIME_SCALE 300.
    await page
      .locator(`[data-testid="ticket-row"][data-code="${ticket.code}"][data-escalation-level="1"]`)
      .waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });
});
