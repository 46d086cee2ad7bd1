import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AreaGeometry, Position, RegionFeatureCollection } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

const SHOTS = process.env.ADMIN_SCREENSHOTS ?? path.join(tmpdir(), 'gridline-admin-shots');

describe('/admin in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let admin: Session;

  beforeAll(async () => {
    system = await startSystem({ web: true, workers: false });
    browser = await launchChromium();
    admin = await system.login('admin');
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${system.baseUrl}/login?next=/admin`);
    await page.getByLabel(/用户名|Username/).fill(username);
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin/);
  }

  it('reports a grids file with errors feature by feature, and changes nothing', async () => {
    const member = await system.login('member');
    const grid = await system.server.prisma.region.findUniqueOrThrow({
      where: { id: member.user.regionId! },
      include: { parent: true },
    });
    const community = grid.parent!;
    const exportGrids = async () =>
      (
        await admin.get<RegionFeatureCollection>(
          `/api/admin/regions/export?level=GRID&parentId=${community.id}`,
        )
      ).body;
    const before = await exportGrids();
    const regionCount = await system.server.prisma.region.count();
    const ring = (grid.boundary as unknown as { coordinates: Position[][] }).coordinates[0]!;
    const file = {
      type: 'FeatureCollection',
      features: [
        // 0: the member's grid, unchanged: valid on its own.
        {
          type: 'Feature',
          geometry: grid.boundary as unknown as AreaGeometry,
          properties: {
            code: grid.code,
            name: grid.name,
            level: 'GRID',
            parentCode: community.code,
          },
        },
        // 1: a new grid whose ring is not closed.
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [5, 5],
                [5.001, 5],
                [5.001, 5.001],
                [5, 5.001],
              ],
            ],
          },
          properties: {
            code: `${community.code}-B1`,
            name: '新网格一',
            level: 'GRID',
            parentCode: community.code,
          },
        },
        // 2: a new grid lying on top of the member's grid.
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: {
            code: `${community.code}-B2`,
            name: '新网格二',
            level: 'GRID',
            parentCode: community.code,
          },
        },
      ],
    };

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of (401|422)/.test(message.text()))
        errors.push(message.text());
    });
    await signIn(page, 'admin');
    await page.locator('[data-testid="region-children"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'regions-1280.png') });

    await page.locator('[data-testid="import-file"]').setInputFiles({
      name: 'grids.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await page.locator('[data-testid="import-check"]').click();
    await page.locator('[data-testid="import-problems"]').waitFor();

    const rows = page.locator('[data-testid="import-problem"]');
    const seen = await rows.evaluateAll((elements) =>
      elements.map((element) => [
        element.getAttribute('data-index'),
        element.getAttribute('data-kind'),
      ]),
    );
    // The overlap is reported on both grids of the file that overlap each other.
    expect(seen).toEqual([
      ['0', 'OVERLAP'],
      ['1', 'RING_NOT_CLOSED'],
      ['2', 'OVERLAP'],
    ]);
    const unclosed = rows.filter({ hasText: '#1' });
    await expect(unclosed.textContent()).resolves.toContain('环未闭合');
    await expect(unclosed.textContent()).resolves.toContain(`${community.code}-B1`);
    await expect(rows.filter({ hasText: '#2' }).textContent()).resolves.toContain(
      `与网格 ${grid.code} 重叠`,
    );
    expect(await page.locator('[data-testid="import-apply"]').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'import-problems-1280.png'), fullPage: true });

    // The same report in English.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect(unclosed.textContent()).resolves.toContain('Ring is not closed');

    // Nothing changed.
    expect(await exportGrids()).toEqual(before);
    expect(await system.server.prisma.region.count()).toBe(regionCount);
    const audit = await admin.get<{ entries: unknown[] }>('/api/admin/audit?entity=regions');
    expect(audit.body.entries).toEqual([]);

    // A phone: the same page, narrow.
    const phone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
    });
    const small = await phone.newPage();
    small.on('pageerror', (error) => errors.push(error.message));
    await signIn(small, 'admin');
    await small.locator('[data-testid="region-children"]').waitFor();
    await small.screenshot({ path: path.join(SHOTS, 'regions-360.png'), fullPage: true });
    await small.locator('[data-testid="import-file"]').setInputFiles({
      name: 'grids.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await small.locator('[data-testid="import-check"]').click();
    await small.locator('[data-testid="import-problems"]').waitFor();
    await small.locator('[data-testid="import-problems"]').scrollIntoViewIfNeeded();
    await small.screenshot({ path: path.join(SHOTS, 'import-problems-360.png') });
    const overflow = await small.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBe(0);
    const ready = {
      categories: '[data-testid="category-table"] tbody tr',
      users: '[data-testid="user-table"] tbody tr',
      audit: '[data-testid="audit-table"] tbody tr, [data-testid="audit-empty"]',
    };
    for (const tab of ['categories', 'users', 'audit'] as const) {
      await small.goto(`${system.baseUrl}/admin?tab=${tab}`);
      await small.locator(ready[tab]).first().waitFor();
      await small.screenshot({ path: path.join(SHOTS, `${tab}-360.png`), fullPage: true });
      await page.goto(`${system.baseUrl}/admin?tab=${tab}`);
      await page.locator(ready[tab]).first().waitFor();
      await page.screenshot({ path: path.join(SHOTS, `${tab}-1280.png`) });
    }
    // Through the tab itself (the tab's URL was loaded before in this page).
    await page.getByRole('tab', { name: /事项分类|Categories/ }).click();
    await page.locator('[data-testid="category-table"] [data-code="NOISE"] button').click();
    await page.locator('[data-testid="policy-URGENT-accept"]').fill('9999');
    await page.locator('[data-testid="category-save"]').click();
    await page.locator('[data-testid="category-editor"] .field-error').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'category-editor-1280.png'), fullPage: true });

    // Drill down to the member's community and give the grid a backup from the form.
    const street = await system.server.prisma.region.findUniqueOrThrow({
      where: { id: community.parentId! },
      include: { parent: true },
    });
    const sibling = await system.server.prisma.region.findFirstOrThrow({
      where: { parentId: community.id, level: 'GRID', id: { not: grid.id } },
      include: { gridAssignment: true },
    });
    for (const view of [page, small]) {
      await view.goto(`${system.baseUrl}/admin?tab=regions`);
      for (const code of [street.parent!.code, street.code, community.code]) {
        await view
          .locator(`[data-testid="region-children"] tr[data-code="${code}"] button`)
          .click();
      }
      await view
        .locator(`[data-testid="region-children"] tr[data-code="${grid.code}"] button`)
        .click();
      await view.locator('[data-testid="grid-assign"]').waitFor();
      const width = view === page ? 1280 : 360;
      await view.screenshot({ path: path.join(SHOTS, `grid-assign-${width}.png`) });
    }
    await page
      .locator('[data-testid="grid-assign"] select')
      .nth(1)
      .selectOption(String(sibling.gridAssignment!.memberId));
    await page.locator('[data-testid="grid-assign"] button[type="submit"]').click();
    await page.locator('[data-testid="grid-assign"]').waitFor({ state: 'detached' });
    const assignment = await system.server.prisma.gridAssignment.findUniqueOrThrow({
      where: { gridId: grid.id },
    });
    expect(assignment).toMatchObject({
      memberId: member.user.id,
      backupId: sibling.gridAssignment!.memberId,
    });
    await phone.close();
    await context.close();
    expect(errors).toEqual([]);
  });

  it('adds a question to a category, refusing an incomplete one; Open311 serves it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, 'admin');
    await page.getByRole('tab', { name: /事项分类|Categories/ }).click();
    await page.locator('[data-testid="category-table"] [data-code="HEATING"] button').click();
    const questions = page.locator('[data-testid="category-attributes"]');
    await questions.getByRole('button', { name: '添加问题' }).click();
    const question = questions.locator('.attribute').last();
    await question.getByLabel('代码').fill('ROOM');
    await question.getByLabel('类型').selectOption('singlevaluelist');
    await question.getByLabel('问题（中文）').fill('哪个房间不热');
    await question.getByLabel('问题（英文）').fill('Which room is cold');
    await question.getByRole('button', { name: '添加选项' }).click();
    await question.getByLabel('选项代码').fill('BED');
    await question.getByLabel('中文', { exact: true }).fill('卧室');
    await page.locator('[data-testid="category-save"]').click();
    await question.locator('.field-error').first().waitFor();
    const heating = () =>
      system.server.prisma.category.findUniqueOrThrow({ where: { code: 'HEATING' } });
    expect((await heating()).attributes).toBeNull();

    await question.getByLabel('英文', { exact: true }).fill('Bedroom');
    await page.locator('[data-testid="category-save"]').click();
    await page.locator('[data-testid="category-editor"]').waitFor({ state: 'detached' });
    expect((await heating()).attributes).toMatchObject([
      { code: 'ROOM', datatype: 'singlevaluelist', values: [{ key: 'BED' }] },
    ]);
    const served = await fetch(`${system.baseUrl}/open311/v2/services/HEATING.json`);
    const definition = (await served.json()) as {
      attributes: Array<{ code: string; values: Array<{ key: string; name: string }> }>;
    };
    expect(definition.attributes).toEqual([
      expect.objectContaining({ code: 'ROOM', values: [{ key: 'BED', name: '卧室' }] }),
    ]);
    await page.close();
  });

  it('deactivates a user only after confirming, at phone size', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
    });
    const page = await context.newPage();
    await signIn(page, 'admin');
    await page.getByRole('tab', { name: /用户|Users/ }).click();
    await page.locator('[data-testid="user-search"]').fill('volunteer');
    await page.keyboard.press('Enter');
    const row = page.locator('[data-testid="user-table"] tr[data-username="volunteer"]');
    await row.locator('button').click();
    const editor = page.locator('[data-testid="user-editor"]');
    await editor.getByLabel(/账号启用|Account active/).uncheck();
    await editor.getByRole('button', { name: /保存|Save/ }).click();
    await editor.locator('[role="alertdialog"]').waitFor();
    expect(await editor.locator('[role="alertdialog"]').textContent()).toContain('停用账号');
    await page.screenshot({ path: path.join(SHOTS, 'user-confirm-360.png') });
    const volunteer = () =>
      system.server.prisma.user.findUniqueOrThrow({ where: { username: 'volunteer' } });
    expect((await volunteer()).active).toBe(true);
    await page.locator('[data-testid="user-confirm"]').click();
    await row.filter({ hasText: /已停用|Deactivated/ }).waitFor();
    expect((await volunteer()).active).toBe(false);
    await context.close();
  });

  it('tells other roles the page is for admins', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, 'dispatcher');
    await page.locator('[data-testid="admin-forbidden"]').waitFor();
    expect(await page.locator('[data-testid="admin-forbidden"]').textContent()).toContain(
      '只有管理员',
    );
    await context.close();
  });
});
