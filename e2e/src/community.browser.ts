import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { SkillDto, TaskSummary, VolunteerProfile } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { screenshot } from './support/dispatch-page.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

const PHONE = { width: 360, height: 780 };

describe('/community (社区工作台) in Chromium at a phone width', () => {
  let system: TestSystem;
  let browser: Browser;
  let staff: Session;

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    staff = await system.login('community');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${system.baseUrl}/login?next=${encodeURIComponent('/community')}`);
    await page.getByLabel(/用户名|Username/).fill('community');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/community/);
  }

  /** Nothing sticks out sideways at 360 px (the page, and main inside it, scroll only down). */
  async function fitsWidth(page: Page): Promise<void> {
    const overflow = await page.evaluate(
      `Math.max(document.documentElement.scrollWidth - window.innerWidth,
        document.getElementById('main').scrollWidth - document.getElementById('main').clientWidth)`,
    );
    expect(overflow).toBe(0);
  }

  it('approves a sign-up, publishes a task that updates live, and approves a redemption', async () => {
    const prisma = system.server.prisma;
    const communityId = staff.user.regionId!;
    const community = await prisma.region.findUniqueOrThrow({ where: { id: communityId } });
    expect(community.name).toBe('健身社区');

    // A new volunteer signs up in 健身社区 (no session needed).
    const skills = (await (await fetch(`${system.baseUrl}/api/skills`)).json()) as {
      skills: SkillDto[];
    };
    const skill = skills.skills[0]!;
    const signUp = await fetch(`${system.baseUrl}/api/volunteers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'helper_zhao',
        password: 'helper-pass-1',
        displayName: '赵志愿',
        homeCommunityId: communityId,
        skills: [skill.code],
      }),
    });
    expect(signUp.status).toBe(201);
    const { volunteer: registered } = (await signUp.json()) as { volunteer: VolunteerProfile };
    expect(registered.status).toBe('PENDING');

    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signIn(page);

    // 1. Volunteers: the sign-up waits at the top; approve it (with confirmation).
    const pendingRow = page.locator(
      '[data-testid="pending-volunteer"][data-username="helper_zhao"]',
    );
    await pendingRow.waitFor();
    await expect(pendingRow.textContent()).resolves.toContain('赵志愿');
    await expect(pendingRow.textContent()).resolves.toContain(skill.nameZh);
    await fitsWidth(page);
    await screenshot(page, 'community-volunteers-360');
    await pendingRow.locator('[data-testid="approve"]').click();
    // Nothing happens before the confirmation.
    await pendingRow.locator('[data-testid="approve-confirm"]').waitFor();
    expect(
      (await prisma.volunteer.findUniqueOrThrow({ where: { userId: registered.userId } })).status,
    ).toBe('PENDING');
    await pendingRow.locator('[data-testid="approve-yes"]').click();
    await page.locator('[data-testid="volunteer-notice"]', { hasText: '赵志愿' }).waitFor();
    await pendingRow.waitFor({ state: 'detached' });
    await page
      .locator('[data-testid="volunteer-row"][data-username="helper_zhao"][data-status="APPROVED"]')
      .waitFor();
    expect(
      (await prisma.volunteer.findUniqueOrThrow({ where: { userId: registered.userId } })).status,
    ).toBe('APPROVED');

    // 2. Tasks: publish one through the form, at a point typed in the community's first grid.
    await page.locator('[data-testid="community-tab-tasks"]').click();
    await page.waitForURL(/tab=tasks/);
    await page
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="task-new"]').click();
    const grid = await prisma.region.findFirstOrThrow({
      where: { parentId: communityId, level: 'GRID' },
      orderBy: { id: 'asc' },
    });
    // A refused form names its fields and sends nothing.
    await page.locator('[data-testid="task-submit"]').click();
    await page.getByText('请在地图上选点，或填写纬度和经度').waitFor();
    await expect(
      page.locator('[data-testid="task-title"]').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await page.locator('[data-testid="task-title"]').fill('陪独居老人聊天');
    await page.locator('#task-point-map.leaflet-container').waitFor();
    await page.locator('[data-testid="task-point-lat"]').fill(grid.centroidLat!.toFixed(6));
    await page.locator('[data-testid="task-point-lng"]').fill(grid.centroidLng!.toFixed(6));
    await page.locator('[data-testid="task-point-lng"]').press('Tab');
    await expect(page.locator('[data-testid="task-point-where"]').textContent()).resolves.toContain(
      grid.centroidLat!.toFixed(5),
    );
    await page.locator('[data-testid="task-address"]').fill('健身社区 3 号楼');
    await screenshot(page, 'community-task-form-360');
    await page.locator('[data-testid="task-submit"]').click();
    await page.locator('[data-testid="task-notice"]', { hasText: '陪独居老人聊天' }).waitFor();
    const task = await prisma.task.findFirstOrThrow({ where: { title: '陪独居老人聊天' } });
    expect(task.communityId).toBe(communityId);
    expect(task.gridId).toBe(grid.id);
    expect(task.address).toBe('健身社区 3 号楼');
    expect(task.endsAt.getTime()).toBeGreaterThan(task.startsAt.getTime());
    const row = page.locator(`[data-testid="task-row"][data-id="${task.id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('陪独居老人聊天');
    await fitsWidth(page);
    await screenshot(page, 'community-tasks-360');

    // Changed elsewhere (cancelled through the API): the row follows over the socket.
    const cancelled = await staff.post<{ task: TaskSummary }>(`/api/tasks/${task.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    await page
      .locator(`[data-testid="task-row"][data-id="${task.id}"][data-status="CANCELLED"]`)
      .waitFor();
    await expect(row.locator('[data-testid="task-status"]').textContent()).resolves.toBe('已取消');

    // Its detail: the URL names it; no one was on duty nearby, so nobody was offered it.
    await row.locator('[data-testid="task-open"]').click();
    await page.waitForURL(new RegExp(`task=${task.id}`));
    await page.locator('[data-testid="task-detail"]').waitFor();
    await expect(page.locator('[data-testid="task-detail-filled"]').textContent()).resolves.toBe(
      '0/1',
    );

    // 3. Redemptions: the demo volunteer, given points, asks for a reward; staff approve it.
    const volunteerUser = await prisma.user.findUniqueOrThrow({ where: { username: 'volunteer' } });
    await prisma.pointsLedger.create({
      data: { volunteerId: volunteerUser.id, points: 5000, minutes: 0, reason: 'adjustment' },
    });
    const volunteer = await system.login('volunteer');
    const rewards = await volunteer.get<{
      rewards: Array<{ id: number; cost: number; stock: number }>;
    }>('/api/rewards');
    const reward = rewards.body.rewards.find((item) => item.stock > 0 && item.cost <= 5000);
    expect(reward).toBeDefined();
    const asked = await volunteer.post<{ redemption: { id: number; status: string } }>(
      '/api/redemptions',
      { rewardId: reward!.id },
    );
    expect(asked.status).toBe(201);
    const redemptionId = asked.body.redemption.id;

    await page.locator('[data-testid="community-tab-redemptions"]').click();
    await page.waitForURL(/tab=redemptions/);
    expect(page.url()).not.toContain('task=');
    const request = page.locator(`[data-testid="redemption-row"][data-id="${redemptionId}"]`);
    await request.waitFor();
    await fitsWidth(page);
    await screenshot(page, 'community-redemptions-360');
    await request.locator('[data-testid="redemption-approve"]').click();
    await request.locator('[data-testid="redemption-approve-yes"]').click();
    await page.locator('[data-testid="redemption-notice"]').waitFor();
    await request.waitFor({ state: 'detached' });
    const decided = await prisma.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    expect(decided.status).toBe('APPROVED');

    // 4. Care recipients: the registry of 健身社区 lists its households. Reached from the
    // keyboard: the right arrow on the redemptions tab selects and focuses the next one.
    await page.locator('[data-testid="community-tab-redemptions"]').focus();
    await page.keyboard.press('ArrowRight');
    const careTab = page.locator('[data-testid="community-tab-care"][aria-selected="true"]');
    await careTab.waitFor();
    await expect(careTab.evaluate((tab) => tab === tab.ownerDocument.activeElement)).resolves.toBe(
      true,
    );
    await page.locator('[data-testid="care-table"]').waitFor();
    const households = await prisma.careRecipient.count({ where: { communityId } });
    await expect(page.locator('[data-testid="care-row"]').count()).resolves.toBe(households);
    await fitsWidth(page);
    await screenshot(page, 'community-care-360');

    // Register a household with a contact, then give it a call button and take it away.
    await page.locator('[data-testid="care-new"]').click();
    await page.locator('[data-testid="care-household"]').fill('周');
    await page.locator('[data-testid="care-first-name"]').fill('玉梅');
    await page.locator('[data-testid="care-address"]').fill('健身社区 8 号楼 1 单元 302');
    await page.locator('#care-point-map.leaflet-container').waitFor();
    await page.locator('[data-testid="care-point-lat"]').fill(grid.centroidLat!.toFixed(6));
    await page.locator('[data-testid="care-point-lng"]').fill(grid.centroidLng!.toFixed(6));
    await page.locator('[data-testid="care-point-lng"]').press('Tab');
    await page.getByRole('button', { name: '添加联系人' }).click();
    await page.getByLabel('姓名', { exact: true }).fill('周强');
    await page.getByLabel(/^关系/).fill('儿子');
    await page.getByLabel('电话', { exact: true }).fill('138 0013 8000');
    await page.locator('[data-testid="care-submit"]').click();
    await page.locator('[data-testid="care-notice"]', { hasText: '已登记' }).waitFor();
    const household = await prisma.careRecipient.findFirstOrThrow({
      where: { communityId, firstName: '玉梅' },
    });
    expect(household.householdName).toBe('周');
    expect(household.contacts).toEqual([{ name: '周强', relation: '儿子', phone: '13800138000' }]);
    await page.locator(`[data-testid="care-row"][data-id="${household.id}"]`).waitFor();
    await page.getByLabel('设备编号').fill('btn-zhou-01');
    await page.getByRole('button', { name: '添加设备' }).click();
    const device = page.locator('[data-testid="care-device"]', { hasText: 'btn-zhou-01' });
    await device.waitFor();
    await expect(device.getAttribute('data-active')).resolves.toBe('true');
    await device.getByRole('button', { name: /停用/ }).click();
    await device.getByRole('button', { name: '确认' }).click();
    await page
      .locator('[data-testid="care-device"][data-active="false"]', { hasText: 'btn-zhou-01' })
      .waitFor();
    const stored = await prisma.device.findUniqueOrThrow({ where: { id: 'btn-zhou-01' } });
    expect(stored.active).toBe(false);
    expect(stored.careRecipientId).toBe(household.id);
    await fitsWidth(page);
    await screenshot(page, 'community-care-form-360');

    // The console speaks English too.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Community console' }).waitFor();
    await page.getByRole('tab', { name: 'Care recipients' }).waitFor();

    expect(errors).toEqual([]);
    await context.close();
  });

  it('gives a grid member the tasks tab only, and a dispatcher none', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    for (const [username, expectTasks] of [
      ['member', true],
      ['dispatcher', false],
    ] as const) {
      await page.goto(`${system.baseUrl}/login?next=${encodeURIComponent('/community?tab=care')}`);
      await page.getByLabel(/用户名|Username/).fill(username);
      await page.getByLabel(/密码|Password/).fill('demo1234');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/community/);
      if (expectTasks) {
        await page.locator('[data-testid="task-new"]').waitFor();
        await expect(page.locator('[role="tab"]').count()).resolves.toBe(0);
        await expect(page.locator('[data-testid="care-table"]').count()).resolves.toBe(0);
      } else {
        await page.locator('[data-testid="community-forbidden"]').waitFor();
      }
      await page.getByRole('button', { name: /退出登录|Sign out/ }).click();
      await page.waitForURL(/\/login/);
    }
    await context.close();
  });
});
