import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { openDispatch } from './support/dispatch-page.ts';
import { startSystem, type TestSystem } from './support/system.ts';

describe('/dispatch queue search in Chromium', () => {
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

  it("finds a ticket by the caller's phone digits, which the list itself never carries", async () => {
    const dispatcher = await system.login('dispatcher');
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const file = async (phone: string) => {
      const created = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'HEATING',
        description: '暖气不热',
        channel: 'HOTLINE',
        reporter: { phone },
        location: grid.body.region.centroid,
      });
      expect(created.status).toBe(201);
      return created.body.ticket;
    };
    const wanted = await file('13912340001');
    const other = await file('13800009999');

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openDispatch(page, system.baseUrl);
    const row = (code: string) => page.locator(`[data-testid="ticket-row"][data-code="${code}"]`);
    await row(wanted.code).waitFor();
    await row(other.code).waitFor();

    await page.getByTestId('queue-search').fill('4000 1');
    await expect.poll(() => row(other.code).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => row(wanted.code).count(), { timeout: 5000 }).toBe(1);
    await page.close();
  });

  it('loads every open ticket in scope, page after page, not just the first thousand', async () => {
    const prisma = system.server.prisma;
    const member = await system.login('member');
    const grid = await prisma.region.findUniqueOrThrow({
      where: { id: member.user.regionId! },
      include: { parent: { include: { parent: { include: { parent: true } } } } },
    });
    const category = await prisma.category.findUniqueOrThrow({ where: { code: 'GARBAGE' } });
    const acceptBy = new Date(Date.now() + 60 * 60_000);
    await prisma.ticket.createMany({
      data: Array.from({ length: 1500 }, (_, n) => ({
        code: `GL-PAGED-${n}`,
        trackingTokenHash: `paged-${n}`,
        channel: 'WEB' as const,
        categoryId: category.id,
        priority: 'NORMAL' as const,
        status: 'ASSIGNED' as const,
        description: 'paged',
        lat: grid.centroidLat! + (n % 50) * 0.00001,
        lng: grid.centroidLng! + Math.floor(n / 50) * 0.00001,
        gridId: grid.id,
        communityId: grid.parent!.id,
        streetId: grid.parent!.parent!.id,
        districtId: grid.parent!.parent!.parent!.id,
        assigneeId: member.user.id,
        acceptBy,
        resolveBy: new Date(Date.now() + 24 * 60 * 60_000),
      })),
    });
    const open = await prisma.ticket.count({
      where: {
        status: { in: ['NEW', 'ASSIGNED', 'ACCEPTED', 'IN_PROGRESS', 'PENDING', 'REOPENED'] },
      },
    });
    expect(open).toBeGreaterThan(1500);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openDispatch(page, system.baseUrl);
    await expect
      .poll(
        async () =>
          Number(await page.getByTestId('dispatch-map').getAttribute('data-marker-count')),
        {
          timeout: 15_000,
        },
      )
      .toBe(open);
    // The queue draws its rows a page at a time; the rest come as it is scrolled or asked for.
    const rows = page.locator('[data-testid="ticket-row"]');
    expect(await rows.count()).toBe(100);
    await page.getByTestId('ticket-list-more').click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(200);
    await rows.last().scrollIntoViewIfNeeded();
    await page.getByTestId('ticket-list-more').scrollIntoViewIfNeeded();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(300);
    expect(await rows.count()).toBeLessThan(open);
    await page.close();
  });
});
