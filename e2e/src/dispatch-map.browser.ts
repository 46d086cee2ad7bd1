import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { openDispatch, screenshot } from './support/dispatch-page.ts';
import { startSystem, type TestSystem } from './support/system.ts';

async function mapZoom(page: Page): Promise<number> {
  return Number(await page.getByTestId('dispatch-map').getAttribute('data-zoom'));
}

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
    const bubbles = page.getByTestId('map-cluster');
    await bubbles.first().waitFor({ state: 'attached' });
    const clustersAtCity = Number(await map.getAttribute('data-cluster-count'));
    expect(clustersAtCity).toBeGreaterThan(0);
    // Each bubble in view is listed for screen readers with its count.
    const first = bubbles.first();
    const count = Number(await first.getAttribute('data-count'));
    expect(count).toBeGreaterThanOrEqual(3);
    expect(await first.textContent()).toContain(`${count} 件工单`);
    await screenshot(page, 'dispatch-desktop-clusters');

    // From the keyboard: the bubble's button, then Enter, zooms in.
    const zoomAtCity = await mapZoom(page);
    const zoomedIn = (from: number) =>
      page.waitForFunction(
        `Number(document.querySelector('[data-testid="dispatch-map"]')?.getAttribute('data-zoom')) > ${from}`,
      );
    await first.focus();
    await page.keyboard.press('Enter');
    await zoomedIn(zoomAtCity);

    // With the mouse, on the canvas: back to the city view, then click bubbles until
    // the tickets come apart at street zoom.
    await page.goto(`${system.baseUrl}/dispatch`);
    await page
      .locator(`[data-testid="dispatch-map"][data-marker-count="${tickets.length}"]`)
      .waitFor();
    await bubbles.first().waitFor({ state: 'attached' });
    expect(await mapZoom(page)).toBe(zoomAtCity);
    const box = (await map.boundingBox())!;
    for (let round = 0; round < 6; round++) {
      const bubble = bubbles.first();
      if ((await bubble.count()) === 0) break;
      const before = await mapZoom(page);
      const x = Number(await bubble.getAttribute('data-x'));
      const y = Number(await bubble.getAttribute('data-y'));
      await page.mouse.click(box.x + x, box.y + y);
      await zoomedIn(before);
      await page.waitForTimeout(300);
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
