import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { openDispatch, screenshot } from './support/dispatch-page.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

describe('/dispatch: a dispatcher watches a ticket go overdue and escalate, and reassigns it', () => {
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    // Workers start later, so that the ticket is seen overdue before it escalates.
    // At TIME_SCALE 60 the urgent 5-minute accept deadline passes in 5 s.
    system = await startSystem({ web: true, timeScale: 60, workers: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('shows it appear, turn overdue, escalate (with alerts), and reassigns it from the drawer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text()))
        errors.push(message.text());
    });
    await openDispatch(page, system.baseUrl);

    const member = await system.login('member');
    const dispatcher = await system.login('dispatcher');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const response = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode: 'NOISE',
        priority: 'URGENT',
        description: '深夜广场舞噪音',
        address: '健身社区 5 号楼前广场',
        location: grid.body.region.centroid,
      }),
    });
    expect(response.status).toBe(201);
    const { ticket } = (await response.json()) as { ticket: TicketSummary };
    expect(ticket.assigneeId).toBe(member.user.id);

    const row = `[data-testid="ticket-row"][data-code="${ticket.code}"]`;
    await page.locator(row).waitFor({ timeout: 5000 });
    // An urgent new ticket raises the alert banner.
    await page
      .locator(`[data-testid="dispatch-alert"][data-kind="urgent"][data-ticket-id="${ticket.id}"]`)
      .waitFor({ timeout: 5000 });

    // No worker runs yet: the deadline passes and the page shows the ticket overdue.
    await page.locator(`${row}[data-urgency="overdue"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator(`${row}[data-escalation-level="0"]`).count()).toBe(1);

    // The workers escalate it to the community: the row and the banner follow live.
    await system.startWorkers();
    await page.locator(`${row}[data-escalation-level="1"]`).waitFor({ timeout: 15_000 });
    // Keep it there while we act on it (the next level's deadline is 5 s away).
    await system.stopWorkers();
    await page
      .locator(
        `[data-testid="dispatch-alert"][data-kind="escalated"][data-ticket-id="${ticket.id}"]`,
      )
      .waitFor({ timeout: 5000 });
    expect(await page.locator(`${row}[data-urgency="escalated"]`).count()).toBe(1);
    await screenshot(page, 'dispatch-desktop-escalated');

    const escalated = await dispatcher.get<{ ticket: TicketSummary }>(`/api/tickets/${ticket.id}`);
    expect(escalated.body.ticket.escalationLevel).toBe(1);
    expect(escalated.body.ticket.assigneeId).not.toBe(member.user.id);

    // Open the drawer from the row: the URL names the ticket, focus moves into the drawer.
    await page.locator(`${row} button`).click();
    const drawer = page.locator(`[data-testid="ticket-drawer"][data-ticket-id="${ticket.id}"]`);
    await drawer.waitFor();
    expect(new URL(page.url()).searchParams.get('ticket')).toBe(String(ticket.id));
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'drawer-title',
    );
    // The live timeline holds the escalation.
    await drawer
      .locator('[data-testid="drawer-timeline"] li[data-type="ticket.escalated"]')
      .waitFor();

    // Reassign to the grid member of the ticket's grid.
    await drawer.locator('[data-testid="action-assign"]').click();
    const select = drawer.locator('[data-testid="assign-select"]');
    await select.waitFor();
    await select.selectOption(String(member.user.id));
    await drawer.locator('[data-testid="assign-submit"]').click();
    await drawer.locator('[data-testid="drawer-notice"][data-kind="done"]').waitFor();
    await screenshot(page, 'dispatch-desktop-reassigned');
    await page
      .locator(`[data-testid="ticket-drawer"][data-assignee-id="${member.user.id}"]`)
      .waitFor({ timeout: 5000 });

    const after = await eventually(async () => {
      const { body } = await dispatcher.get<{ ticket: TicketSummary }>(`/api/tickets/${ticket.id}`);
      return body.ticket.assigneeId === member.user.id ? body.ticket : null;
    });
    expect(after.status).toBe('ASSIGNED');
    expect(after.version).toBeGreaterThan(escalated.body.ticket.version);
    await drawer
      .locator('[data-testid="drawer-timeline"] li[data-type="ticket.assigned"]')
      .nth(1)
      .waitFor();

    // Escape closes the drawer, clears the URL and gives focus back to the row.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('ticket')).toBeNull();
    expect(
      await page.evaluate(
        'document.activeElement && document.activeElement.closest("[data-testid=ticket-row]")?.dataset.code',
      ),
    ).toBe(ticket.code);
    expect(errors).toEqual([]);
  });

  it('says the ticket moved on (409) and shows the fresh state', async () => {
    const dispatcher = await system.login('dispatcher');
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const created = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'NOISE',
      priority: 'LOW',
      description: '楼上装修',
      location: grid.body.region.centroid,
    });
    expect(created.status).toBe(201);
    const ticket = created.body.ticket;

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Opened straight from a link: the drawer follows the URL.
    await openDispatch(page, system.baseUrl, `?ticket=${ticket.id}`);
    const drawer = page.locator(`[data-testid="ticket-drawer"][data-ticket-id="${ticket.id}"]`);
    await drawer.locator('[data-testid="action-escalate"]').click();

    // Someone else escalates it between the drawer's read and its request.
    let raced = false;
    await page.route(`**/api/tickets/${ticket.id}/escalate`, async (route) => {
      if (!raced) {
        raced = true;
        const other = await dispatcher.post(`/api/tickets/${ticket.id}/escalate`, {
          reason: '他人操作',
        });
        expect(other.status).toBe(200);
      }
      await route.continue();
    });
    await drawer.locator('#action-form-escalate button[type="submit"]').click();
    await drawer.locator('[data-testid="drawer-notice"][data-kind="conflict"]').waitFor();
    await screenshot(page, 'dispatch-desktop-conflict');
    // Refreshed: the drawer shows the state the server holds (escalated once, not twice).
    await drawer.locator('[data-testid="drawer-escalation"]').waitFor();
    const { body } = await dispatcher.get<{ ticket: TicketSummary }>(`/api/tickets/${ticket.id}`);
    expect(body.ticket.escalationLevel).toBe(1);
    await page.close();
  });

  it('drills down from the city to a grid, shading regions by load, and shows staff on duty', async () => {
    const member = await system.login('member');
    const dispatcher = await system.login('dispatcher');
    const grid = await member.get<{
      region: { id: number; parentId: number; centroid: { lat: number; lng: number } };
    }>(`/api/regions/${member.user.regionId}`);
    const posted = await dispatcher.post('/api/tickets', {
      categoryCode: 'NOISE',
      priority: 'LOW',
      description: '广场音响',
      location: grid.body.region.centroid,
    });
    expect(posted.status).toBe(201);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openDispatch(page, system.baseUrl);
    const crumbs = page.locator('[data-testid="region-path"] li');
    await crumbs.first().waitFor();
    expect(await crumbs.count()).toBe(1);

    // The server's counts behind the shading: the city's districts, then down the chain.
    const chain: number[] = [];
    for (let id: number | null = grid.body.region.id; id !== null; ) {
      const found: { body: { region: { id: number; parentId: number | null } } } =
        await dispatcher.get(`/api/regions/${id}`);
      chain.unshift(found.body.region.id);
      id = found.body.region.parentId;
    }
    // city, district, street, community, grid
    expect(chain).toHaveLength(5);
    const districtLoad = await dispatcher.get<{ load: Array<{ regionId: number; open: number }> }>(
      `/api/regions/load?level=DISTRICT&parentId=${chain[0]}`,
    );
    expect(districtLoad.status).toBe(200);
    const open = districtLoad.body.load.find((entry) => entry.regionId === chain[1])?.open ?? 0;
    expect(open).toBeGreaterThan(0);
    const gridLoad = await dispatcher.get<{ load: Array<{ regionId: number; open: number }> }>(
      `/api/regions/load?level=GRID&parentId=${chain[3]}`,
    );
    expect(gridLoad.body.load.find((entry) => entry.regionId === chain[4])?.open).toBeGreaterThan(
      0,
    );
    // Counts are scoped: a grid member counts only the tickets of their own grid.
    const scoped = await member.get<{ load: Array<{ regionId: number }> }>(
      `/api/regions/load?level=DISTRICT&parentId=${chain[0]}`,
    );
    expect(scoped.body.load.map((entry) => entry.regionId)).toEqual([chain[1]]);

    const drill = page.locator('[data-testid="region-drill"]');
    for (const [depth, regionId] of chain.slice(1, 4).entries()) {
      // The drill-down list names each child with its open and overdue counts.
      await drill.locator(`option[value="${regionId}"]`).waitFor({ state: 'attached' });
      await drill.selectOption(String(regionId));
      await page
        .locator('[data-testid="region-path"] li')
        .nth(depth + 1)
        .waitFor();
    }
    // At the community the map shows its grids; the grid is the last level.
    expect(await crumbs.count()).toBe(4);
    await screenshot(page, 'dispatch-desktop-grids');
    await drill.locator(`option[value="${chain[4]}"]`).waitFor({ state: 'attached' });
    // Back to the top through the breadcrumb.
    await crumbs.first().locator('button').click();
    await page.locator('[data-testid="region-path"] li >> nth=1').waitFor({ state: 'detached' });

    // The member goes on duty and reports a position: it appears on the map.
    expect((await member.post('/api/members/me/duty', { onDuty: true })).status).toBe(200);
    const report = await member.post('/api/members/me/location', grid.body.region.centroid);
    expect(report.status).toBe(200);
    await page.locator('[data-testid="dispatch-map"][data-position-count="1"]').waitFor({
      timeout: 15_000,
    });
    // The layer can be hidden.
    await page.locator('[data-testid="positions-toggle"]').uncheck();
    await page.locator('[data-testid="dispatch-map"][data-position-count="0"]').waitFor();
    await page.close();
  });

  it('transfers to another grid, summons departments and merges a duplicate from the drawer', async () => {
    const dispatcher = await system.login('dispatcher');
    const member = await system.login('member');
    const grid = await member.get<{
      region: { id: number; parentId: number; centroid: { lat: number; lng: number } };
    }>(`/api/regions/${member.user.regionId}`);
    const post = async (description: string) => {
      const response = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'NOISE',
        priority: 'NORMAL',
        description,
        location: grid.body.region.centroid,
      });
      expect(response.status).toBe(201);
      return response.body.ticket;
    };
    const original = await post('工地噪音（先报）');
    const duplicate = await post('工地噪音（重复）');
    const moving = await post('需转派的工单');

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openDispatch(page, system.baseUrl, `?ticket=${moving.id}`);
    let drawer = page.locator(`[data-testid="ticket-drawer"][data-ticket-id="${moving.id}"]`);

    // Transfer to another grid of the same community, with a reason.
    await drawer.locator('[data-testid="action-transfer"]').click();
    const gridSelect = drawer.locator('[data-testid="transfer-select"]');
    await gridSelect.locator('option:nth-child(2)').waitFor({ state: 'attached' });
    const target = Number(await gridSelect.locator('option:nth-child(2)').getAttribute('value'));
    expect(target).not.toBe(grid.body.region.id);
    await gridSelect.selectOption(String(target));
    await drawer.locator('#action-form-transfer textarea').fill('位置在相邻网格');
    await drawer.locator('#action-form-transfer button[type="submit"]').click();
    await drawer.locator('[data-testid="drawer-notice"][data-kind="done"]').waitFor();
    const transferred = await dispatcher.get<{ ticket: TicketSummary }>(
      `/api/tickets/${moving.id}`,
    );
    expect(transferred.body.ticket.gridId).toBe(target);

    // Summon a department: it must report, and the timeline says so.
    await drawer.locator('[data-testid="action-summon"]').click();
    await drawer.locator('#action-form-summon input[type="checkbox"]').first().check();
    await drawer.locator('#action-form-summon button[type="submit"]').click();
    await drawer.locator('[data-testid="drawer-notice"][data-kind="done"]').waitFor();
    const summons = await dispatcher.get<{ summons: Array<{ department: string }> }>(
      `/api/tickets/${moving.id}/summons`,
    );
    expect(summons.body.summons).toHaveLength(1);
    await drawer
      .locator('[data-testid="drawer-timeline"] li[data-type="ticket.updated"]')
      .first()
      .waitFor();

    // Merge the duplicate into the original: the likely duplicates nearby are offered.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page
      .locator(`[data-testid="ticket-row"][data-ticket-id="${duplicate.id}"] button`)
      .click();
    drawer = page.locator(`[data-testid="ticket-drawer"][data-ticket-id="${duplicate.id}"]`);
    await drawer.locator('[data-testid="action-merge"]').click();
    const choice = drawer.locator(`#action-form-merge input[value="${original.id}"]`);
    await choice.check();
    await drawer.locator('#action-form-merge button[type="submit"]').click();
    await drawer.locator('[data-testid="drawer-notice"][data-kind="done"]').waitFor();
    await page.locator(`[data-testid="ticket-drawer"][data-status="DUPLICATE"]`).waitFor();
    const merged = await dispatcher.get<{ ticket: TicketSummary }>(`/api/tickets/${duplicate.id}`);
    expect(merged.body.ticket.status).toBe('DUPLICATE');
    // It left the queue live.
    await page
      .locator(`[data-testid="ticket-row"][data-ticket-id="${duplicate.id}"]`)
      .waitFor({ state: 'detached' });
    await page.close();
  });
});
