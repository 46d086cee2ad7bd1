import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { VolunteerProfile } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';
import { signInVolunteer, watchErrors } from './support/volunteer-page.ts';

const PHONE = { width: 360, height: 740 };
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join('/tmp', 'gridline-volunteer-shots');

interface Community {
  id: number;
  name: string;
  street: string | null;
  district: string | null;
}

describe('/volunteer/me in Chromium at a phone viewport', () => {
  let system: TestSystem;
  let browser: Browser;
  let volunteer: Session;
  let community: Session;

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
    volunteer = await system.login('volunteer');
    community = await system.login('community');
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const profile = async () =>
    (await volunteer.get<{ volunteer: VolunteerProfile }>('/api/volunteers/me')).body.volunteer;

  it('edits the profile, joins and leaves a team, and ranks the volunteer on the leaderboards', async () => {
    const prisma = system.server.prisma;
    const before = await profile();
    const home = before.homeCommunityId!;
    // Community staff start a team; the volunteer has some points to rank by.
    const team = await community.post<{ team: { id: number; name: string } }>('/api/teams', {
      name: '助老服务队',
    });
    expect(team.status).toBe(201);
    await prisma.pointsLedger.create({
      data: { volunteerId: volunteer.user.id, points: 42, minutes: 0, reason: 'bonus' },
    });
    // Another community to move to, named by id as the profile form asks for it.
    const others = await fetch(
      `${system.baseUrl}/api/volunteers/communities?q=${encodeURIComponent('街道')}`,
    );
    const elsewhere = ((await others.json()) as { communities: Community[] }).communities.find(
      (candidate) => candidate.id !== home,
    )!;
    const byId = await fetch(`${system.baseUrl}/api/volunteers/communities?id=${elsewhere.id}`);
    expect(((await byId.json()) as { communities: Community[] }).communities).toEqual([elsewhere]);

    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signInVolunteer(phone, system.baseUrl, 'volunteer');
    await phone.getByRole('link', { name: '我的' }).click();
    await phone.waitForURL(/\/volunteer\/me$/);

    // The community's leaderboard, my row marked with my points.
    const mine = phone.locator('[data-testid="board-community"] [data-mine="true"]');
    await mine.waitFor();
    await expect(mine.textContent()).resolves.toContain(before.displayName);
    await expect(mine.locator('td').nth(3).textContent()).resolves.toBe('42');

    // Join the team: it shows as mine, with its own leaderboard, and the database agrees.
    await phone.getByRole('button', { name: '加入“助老服务队”' }).click();
    await phone
      .locator(`[data-testid="team"][data-team-id="${team.body.team.id}"][data-mine]`)
      .waitFor();
    await phone
      .locator(`[data-testid="board-team-${team.body.team.id}"] [data-mine="true"]`)
      .waitFor();
    expect(
      await prisma.teamMember.count({
        where: { teamId: team.body.team.id, volunteerId: volunteer.user.id },
      }),
    ).toBe(1);
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-me-360.png'), fullPage: true });
    // Nothing wider than the phone.
    const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);

    // Leave it again.
    await phone.getByRole('button', { name: '退出“助老服务队”' }).click();
    await phone
      .locator(`[data-testid="team"][data-team-id="${team.body.team.id}"]:not([data-mine])`)
      .waitFor();
    await eventually(
      async () =>
        (await prisma.teamMember.count({
          where: { teamId: team.body.team.id, volunteerId: volunteer.user.id },
        })) === 0,
      5000,
      'the team membership to be gone',
    );

    // A bad phone number is refused before anything is sent, and nothing changes.
    const form = phone.getByTestId('profile-form');
    await form.getByLabel('手机号（选填）').fill('12345');
    await form.getByRole('button', { name: '保存' }).click();
    await expect(phone.getByTestId('profile-error').textContent()).resolves.toMatch(/手机号/);
    expect((await profile()).phone).toBe(before.phone);
    await form.getByLabel('手机号（选填）').fill(before.phone ?? '');

    // The server refuses a name longer than 60 (the input stops typing there;
    // lifted here): its own words and the field are shown, the form keeps what was typed.
    const name = form.getByLabel('姓名');
    await name.evaluate((input) => input.removeAttribute('maxlength'));
    const tooLong = '长'.repeat(61);
    await name.fill(tooLong);
    await form.getByRole('button', { name: '保存' }).click();
    const refusal = phone.getByTestId('profile-error').filter({ hasText: 'displayName' });
    await refusal.waitFor();
    const refused = await refusal.textContent();
    expect(refused).toMatch(/^保存失败：.*displayName/);
    expect(refused).not.toMatch(/出错了|未能完成/);
    await expect(name.inputValue()).resolves.toBe(tooLong);
    expect((await profile()).displayName).toBe(before.displayName);
    // The browser logs the refused request; that one error is expected.
    expect(errors).toEqual([expect.stringMatching(/status of 400/)]);
    errors.length = 0;

    // A new name is saved, and the leaderboard shows it on my row.
    const renamed = `${before.displayName}二`;
    await name.fill(renamed);
    await form.getByRole('button', { name: '保存' }).click();
    await phone.getByTestId('profile-saved').waitFor();
    expect((await profile()).displayName).toBe(renamed);
    await mine.filter({ hasText: renamed }).waitFor();

    // Skills and home community changed and saved.
    const skillBoxes = form.locator('[data-testid="skill-choices"] input[type="checkbox"]');
    const first = skillBoxes.first();
    const firstCode = await first.getAttribute('value');
    const hadFirst = before.skills.includes(firstCode!);
    await first.setChecked(!hadFirst);
    await form.getByLabel('搜索社区、街道或区').fill(elsewhere.name);
    await form
      .getByTestId('profile-community')
      .locator(`option[value="${elsewhere.id}"]`)
      .waitFor({ state: 'attached' });
    await form.getByTestId('profile-community').selectOption(String(elsewhere.id));
    // Moving asks the new community to approve again: said before saving.
    await phone.getByTestId('move-note').waitFor();
    await form.getByRole('button', { name: '保存' }).click();
    await phone.getByTestId('profile-saved').waitFor();
    const after = await profile();
    expect(after.homeCommunityId).toBe(elsewhere.id);
    expect(after.skills.includes(firstCode!)).toBe(!hadFirst);
    expect(after.phone).toBe(before.phone);
    expect(after.status).toBe('PENDING');
    // The tasks tab now says so instead of offering the duty switch.
    await phone.getByRole('link', { name: '任务' }).click();
    await phone.locator('[data-testid="volunteer-status"][data-status="PENDING"]').waitFor();
    await phone.getByRole('link', { name: '我的' }).click();

    // English, at the same width.
    await phone.getByRole('button', { name: 'Switch to English' }).click();
    await phone.getByRole('heading', { name: 'My profile' }).waitFor();
    await phone.getByRole('heading', { name: 'Volunteer teams' }).waitFor();
    await phone.getByRole('heading', { name: 'Leaderboards' }).waitFor();
    await expect(
      phone.getByRole('link', { name: 'Me' }).getAttribute('aria-current'),
    ).resolves.toBe('page');
    expect(errors).toEqual([]);
    await context.close();
  });
});
