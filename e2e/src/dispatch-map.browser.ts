import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { openDispatch, screenshot } from './support/dispatch-page.ts';
import { startSystem, type TestSystem } from './support/system.ts';

describe('/dispatch map: clustered markers that come and go live', () => {
  let system: TestSystem;
  let browser: Browser;
  const tickets: TicketSummary[] = [];
  let centre: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem({ web: true, timeScale: 1 });
    browser = await launchChromium();
    const dispatcher = await system.login('dispatcher');
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    centre = grid.body.region.centroid;
    // 40 tickets within ~150 m of the member's grid centre: dense at city zoom.
    for (let index = 0; index < 40; index++) {
      const angle = (index / 40) * 2 * Math.PI;
      const radius = 0.0003 + (index % 5) * 0.0003;
      const response = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'NOISE',
        priority: (['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const)[index % 4],
        description: `测试工单 ${index}`,
        location: {
          lat: centre.lat + radius * Math.sin(angle),
          lng: centre.lng + radius * Math.cos(angle),
        },
      });
      expect(response.status).toBe(201);
      tickets.push(response.body.ticket);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('clusters dense tickets, opens a cluster by zooming in, and drops a closed ticket live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openDispatch(page, system.baseUrl);
    const map = page.locator('[data-testid="dispatch-map"]');
    await page
      .locator(`[data-testid="dispatch-map"][data-marker-count="${tickets.length}"]`)
      .waitFor();
    await page.locator('.ticket-cluster:not([data-spare])').first().waitFor();
    const clustersAtCity = Number(await map.getAttribute('data-cluster-count'));
    expect(clustersAtCity).toBeGreaterThan(0);
    // The bubble counts its tickets and is named for screen readers.
    const label = await page
      .locator('.ticket-cluster:not([data-spare])')
      .first()
      .getAttribute('title');
    expect(label).toMatch(/\d+ 件工单/);
    await screenshot(page, 'dispatch-desktop-clusters');

    // Clicking a bubble zooms in; at street zoom the tickets come apart.
    for (let round = 0; round < 6; round++) {
      const bubble = page.locator('.ticket-cluster:not([data-spare])').first();
      if ((await bubble.count()) === 0) break;
      await bubble.click();
      await page.waitForTimeout(400);
    }
    await page.locator('[data-testid="dispatch-map"][data-cluster-count="0"]').waitFor({
      timeout: 10_000,
    });
    await screenshot(page, 'dispatch-desktop-zoomed');

    // The member accepts and resolves one: it leaves the map and the queue without a reload.
    const member = await system.login('member');
    const gone = tickets[0]!;
    expect((await member.post(`/api/tickets/${gone.id}/accept`, {})).status).toBe(200);
    const resolved = await member.post(`/api/tickets/${gone.id}/resolve`, { note: '已处理' });
    expect(resolved.status).toBe(200);
    await page
      .locator(`[data-testid="dispatch-map"][data-marker-count="${tickets.length - 1}"]`)
      .waitFor();
    await page.locator(`[data-testid="ticket-row"][data-code="${gone.code}"]`).waitFor({
      state: 'detached',
    });
    expect(errors).toEqual([]);
  });

  it('filters the queue and the map together', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openDispatch(page, system.baseUrl);
    const rows = page.locator('[data-testid="ticket-row"]');
    await rows.first().waitFor();
    const total = await rows.count();
    expect(total).toBeGreaterThan(10);

    await page
      .locator('[data-testid="queue-search"]')
      .fill(tickets[5]!.code.slice(-6).toLowerCase());
    await page.locator('[data-testid="dispatch-map"][data-marker-count="1"]').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-code')).toBe(tickets[5]!.code);

    await page.locator('[data-testid="queue-search"]').fill('');
    await page.locator('[data-testid="filter-status"]').selectOption('ACCEPTED');
    await page.locator('[data-testid="ticket-list-empty"]').waitFor();
    await page.locator('[data-testid="filter-status"]').selectOption('');
    await page.locator('[data-testid="filter-overdue"]').check();
    await page.locator('[data-testid="ticket-list-empty"]').waitFor();
    await page.locator('[data-testid="filter-overdue"]').uncheck();
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid="ticket-row"]').length === ${total}`,
    );

    // The alert sound can be muted, and stays muted after a reload.
    const sound = page.locator('[data-testid="sound-toggle"]');
    expect(await sound.getAttribute('aria-pressed')).toBe('true');
    await sound.click();
    expect(await sound.getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    await page.locator('[data-testid="sound-toggle"][aria-pressed="false"]').waitFor();
    await page.close();
  });
});
