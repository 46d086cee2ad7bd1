import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { screenshot } from './support/dispatch-page.ts';
import { startSystem, type TestSystem } from './support/system.ts';

describe('signing up as a volunteer, at a phone viewport', () => {
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

  it('lists communities publicly, by part of their own, street or district name', async () => {
    const all = await fetch(`${system.baseUrl}/api/volunteers/communities`);
    expect(all.status).toBe(200);
    const { communities } = (await all.json()) as {
      communities: Array<{ id: number; name: string; street: string; district: string }>;
    };
    expect(communities.length).toBe(30);
    const found = await fetch(
      `${system.baseUrl}/api/volunteers/communities?q=${encodeURIComponent('健身')}`,
    );
    const body = (await found.json()) as { communities: Array<{ name: string; street: string }> };
    expect(body.communities.length).toBeGreaterThan(0);
    for (const community of body.communities) {
      expect(`${community.name}${community.street}`).toContain('健身');
    }
    const byStreet = await fetch(
      `${system.baseUrl}/api/volunteers/communities?q=${encodeURIComponent('和平街道')}`,
    );
    const streetBody = (await byStreet.json()) as { communities: Array<{ street: string }> };
    expect(streetBody.communities.length).toBeGreaterThan(1);
    expect(streetBody.communities.every((row) => row.street === '和平街道')).toBe(true);
    expect(
      (await fetch(`${system.baseUrl}/api/volunteers/communities?q=${'x'.repeat(41)}`)).status,
    ).toBe(400);
  });

  it('signs up from the login page, lands on /volunteer awaiting approval, and is told when a name is taken', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${system.baseUrl}/login`);
    await page.getByTestId('join-link').click();
    await page.waitForURL('**/join');
    await page.getByRole('heading', { name: '注册成为志愿者' }).waitFor();

    // Submitting empty says what is missing and writes nothing.
    await page.getByRole('button', { name: '注册' }).click();
    await expect(page.getByTestId('join-error').textContent()).resolves.toMatch(/用户名/);

    await page.getByLabel('用户名（字母、数字）').fill('li-helper');
    await page.getByLabel('密码（至少 8 位）').fill('helper-pass-1');
    await page.getByLabel('姓名').fill('李助人');
    await page.getByLabel('手机号（选填）').fill('13900001111');
    await page.getByLabel('搜索社区、街道或区').fill('健身');
    const option = page.getByTestId('join-community').locator('option', { hasText: '健身社区' });
    await option.first().waitFor();
    await page
      .getByTestId('join-community')
      .selectOption((await option.first().getAttribute('value')) ?? '');
    await page.getByLabel('养老照护').check();
    await screenshot(page, 'volunteer-join-360');
    await page.getByRole('button', { name: '注册' }).click();
    await page.waitForURL('**/volunteer');
    const status = page.locator('[data-testid="volunteer-status"][data-status="PENDING"]');
    await status.waitFor();

    const prisma = system.server.prisma;
    const user = await prisma.user.findUniqueOrThrow({
      where: { username: 'li-helper' },
      include: { volunteer: { include: { skills: { include: { skill: true } } } } },
    });
    expect(user.role).toBe('VOLUNTEER');
    expect(user.volunteer?.status).toBe('PENDING');
    expect(user.volunteer?.skills.map((row) => row.skill.code)).toEqual(['ELDERLY_CARE']);
    const community = await prisma.region.findUniqueOrThrow({
      where: { id: user.volunteer!.homeCommunityId! },
    });
    expect(community.name).toContain('健身');

    // A second sign-up with the same name is refused in the page.
    const other = await context.browser()!.newContext({ viewport: { width: 360, height: 740 } });
    const second = await other.newPage();
    await second.goto(`${system.baseUrl}/join`);
    await second.getByLabel('用户名（字母、数字）').fill('li-helper');
    await second.getByLabel('密码（至少 8 位）').fill('another-pass-2');
    await second.getByLabel('姓名').fill('另一个人');
    await second.getByLabel('搜索社区、街道或区').fill('健身');
    const secondOption = second
      .getByTestId('join-community')
      .locator('option', { hasText: '健身社区' })
      .first();
    await secondOption.waitFor();
    await second
      .getByTestId('join-community')
      .selectOption((await secondOption.getAttribute('value')) ?? '');
    await second.getByRole('button', { name: '注册' }).click();
    await expect(second.getByTestId('join-error').textContent()).resolves.toMatch(/已被使用/);
    expect(await prisma.user.count({ where: { username: 'li-helper' } })).toBe(1);
    await other.close();
    await context.close();
    expect(errors).toEqual([]);
  });

  it("lets the community's staff approve a sign-up from the dashboard", async () => {
    const prisma = system.server.prisma;
    const community = await system.login('community');
    const registered = await fetch(`${system.baseUrl}/api/volunteers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'zhao-helper',
        password: 'helper-pass-3',
        displayName: '赵热心',
        homeCommunityId: community.user.regionId,
      }),
    });
    expect(registered.status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${system.baseUrl}/login?next=${encodeURIComponent('/dashboard')}`);
    await page.getByLabel(/用户名|Username/).fill('community');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    const row = page.locator('[data-testid="pending-volunteer"][data-username="zhao-helper"]');
    await row.waitFor();
    await screenshot(page, 'dashboard-pending-volunteers-360');
    await row.getByRole('button', { name: '通过', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const volunteer = await prisma.volunteer.findFirstOrThrow({
      where: { user: { username: 'zhao-helper' } },
    });
    expect(volunteer.status).toBe('APPROVED');
    expect(volunteer.approvedById).toBe(community.user.id);
    await context.close();
    expect(errors).toEqual([]);
  });
});
