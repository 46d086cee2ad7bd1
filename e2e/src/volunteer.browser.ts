import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type {
  LatLng,
  LedgerResponse,
  MyTasksResponse,
  TaskSummary,
  VolunteerProfile,
} from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';
import { signInVolunteer as signIn, watchErrors } from './support/volunteer-page.ts';

const PHONE = { width: 360, height: 740 };
/** Where screenshots go (look at them): SCREENSHOT_DIR, else a folder under /tmp. */
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join('/tmp', 'gridline-volunteer-shots');
/**
 * Policy minutes run 20 times faster: an offer lasts 15 s, and a few real
 * seconds between check-in and check-out credit whole minutes.
 */
const TIME_SCALE = 20;
const MINUTE = 60_000;

/** A point `north` and `east` metres from `from`. */
function offset(from: LatLng, north: number, east: number): LatLng {
  const lat = from.lat + north / 111_320;
  const lng = from.lng + east / (111_320 * Math.cos((from.lat * Math.PI) / 180));
  return { lat, lng };
}

describe('/volunteer in Chromium at a phone viewport', () => {
  let system: TestSystem;
  let browser: Browser;
  let volunteer: Session;
  let community: Session;
  /** The centre of the first grid of 健身社区, where the volunteer lives. */
  let centroid: LatLng;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    system = await startSystem({ web: true, timeScale: TIME_SCALE });
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
    volunteer = await system.login('volunteer');
    community = await system.login('community');
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: LatLng } }>(
      `/api/regions/${member.user.regionId}`,
    );
    centroid = grid.body.region.centroid;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await system?.close();
  });

  const phoneContext = async (at: LatLng) => {
    const context = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      permissions: ['geolocation'],
      geolocation: { latitude: at.lat, longitude: at.lng, accuracy: 10 },
    });
    contexts.push(context);
    return context;
  };

  /** A task at `where`, created by community staff through the API; the cascade offers it at once. */
  async function createTask(title: string, where: LatLng, extra: Record<string, unknown> = {}) {
    const now = Date.now();
    const response = await community.post<{ task: TaskSummary }>('/api/tasks', {
      title,
      description: '陪同独居老人到社区卫生服务站复查血压',
      skills: [],
      location: where,
      address: '和平街道健身社区 5 号楼 2 单元',
      // Starts in a minute: check-in is open (30 policy minutes early), no-show is far off.
      startsAt: new Date(now + MINUTE).toISOString(),
      endsAt: new Date(now + 2 * 60 * MINUTE).toISOString(),
      durationMinutes: 60,
      pointsPerHour: 1000,
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.task;
  }

  it('is installable: the manifest is served, linked from the page, and the service worker takes /volunteer', async () => {
    const manifestResponse = await fetch(`${system.baseUrl}/manifest.webmanifest`);
    expect(manifestResponse.status).toBe(200);
    const manifest = (await manifestResponse.json()) as {
      name: string;
      start_url: string;
      scope: string;
      display: string;
      icons: Array<{ src: string; sizes: string; type: string }>;
    };
    expect(manifest).toMatchObject({
      name: '网格通志愿者',
      start_url: '/volunteer',
      scope: '/volunteer',
      display: 'standalone',
    });
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(
      expect.arrayContaining(['192x192', '512x512']),
    );
    for (const icon of manifest.icons) {
      const response = await fetch(`${system.baseUrl}${icon.src}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      const bytes = new Uint8Array(await response.arrayBuffer());
      // A PNG whose IHDR says the size the manifest claims.
      expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
      const width = new DataView(bytes.buffer).getUint32(16);
      expect(`${width}x${width}`).toBe(icon.sizes);
    }

    const context = await phoneContext(offset(centroid, 20, 10));
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'volunteer');
    await expect(phone.locator('link[rel="manifest"]').getAttribute('href')).resolves.toBe(
      '/manifest.webmanifest',
    );
    const cdp = await context.newCDPSession(phone);
    const app = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: Array<{ message: string }>;
    };
    expect(app.url).toBe(`${system.baseUrl}/manifest.webmanifest`);
    expect(app.errors).toEqual([]);

    // The page registers the worker for /volunteer only; it is active once the shell is cached.
    const scope = await phone.evaluate(async () => {
      const { serviceWorker } = (globalThis as unknown as BrowserGlobals).navigator;
      for (;;) {
        const registration = await serviceWorker.getRegistration('/volunteer');
        if (registration?.active?.state === 'activated') return registration.scope;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    expect(scope).toBe(`${system.baseUrl}/volunteer`);
    // The console's pages stay outside it.
    expect(
      await phone.evaluate(async () => {
        const { serviceWorker } = (globalThis as unknown as BrowserGlobals).navigator;
        return (await serviceWorker.getRegistration('/'))?.scope;
      }),
    ).toBeUndefined();
    // Signing in arrived here from /login (outside the scope); opened at /volunteer, the
    // worker controls the page.
    await phone.reload();
    await phone
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });
    await expect(
      phone.evaluate(
        () =>
          (globalThis as unknown as BrowserGlobals).navigator.serviceWorker.controller?.scriptURL,
      ),
    ).resolves.toBe(`${system.baseUrl}/service-worker.js`);
    // Offline, /volunteer still opens from the cached shell (and says the server cannot be
    // reached) instead of the browser's network error page.
    await context.setOffline(true);
    await phone.locator('[data-testid="offline-banner"]').waitFor({ timeout: 5000 });
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-offline-banner-360.png') });
    // A cold start offline opens the volunteer page itself, as the last user, saying so.
    await phone.reload();
    await phone.locator('[data-testid="offline-banner"]').waitFor({ timeout: 10_000 });
    await phone.getByRole('heading', { level: 1, name: '志愿服务' }).waitFor();
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-offline-reload-360.png') });
    await context.setOffline(false);
    await phone.reload();
    await phone
      .locator('[data-testid="connection-status"][data-state="connected"]')
      .waitFor({ timeout: 10_000 });
    // Chromium logs the requests that failed offline; nothing else may go wrong.
    expect(
      errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|status of 503/.test(e)),
    ).toEqual([]);
  });

  it('goes on duty, gets an offer live, accepts, is refused outside the geofence, checks in and out, and sees hours and points', async () => {
    expect((await volunteer.post('/api/volunteers/me/duty', { onDuty: false })).status).toBe(200);
    const before = await volunteer.get<LedgerResponse>('/api/volunteers/me/ledger');
    expect(before.status).toBe(200);

    const here = offset(centroid, 30, 20);
    const context = await phoneContext(here);
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'volunteer');

    // On duty from the page: it shares the phone's position, which the cascade matches.
    const duty = phone.locator('[data-testid="duty-panel"]');
    await duty.and(phone.locator('[data-on-duty="false"]')).waitFor();
    await phone.getByRole('button', { name: '切换为在岗' }).click();
    await duty.and(phone.locator('[data-sharing="sharing"]')).waitFor({ timeout: 10_000 });
    const profile = await volunteer.get<{ volunteer: VolunteerProfile }>('/api/volunteers/me');
    expect(profile.body.volunteer.onDuty).toBe(true);

    const task = await createTask('陪同老人就医', centroid);
    const offer = phone.locator(`[data-testid="offer-card"][data-task-id="${task.id}"]`);
    await offer.waitFor({ timeout: 10_000 });
    // The countdown and the distance from the volunteer (about 36 m).
    await expect(offer.locator('[data-testid="offer-countdown"]').textContent()).resolves.toMatch(
      /请在 \d+:\d\d 内回复/,
    );
    await expect(offer.locator('[data-testid="offer-distance"]').textContent()).resolves.toMatch(
      /距您 \d+ 米/,
    );
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-offer-360.png'), fullPage: true });

    await offer.getByRole('button', { name: `接受任务：${task.title}` }).click();
    const mine = phone.locator(`[data-testid="my-task"][data-task-id="${task.id}"]`);
    await mine.and(phone.locator('[data-status="ACCEPTED"]')).waitFor({ timeout: 10_000 });
    expect(await offer.count()).toBe(0);
    const amap = await mine.locator('[data-testid="navigate-amap"]').getAttribute('href');
    expect(new URL(amap ?? '').searchParams.get('position')).toBe(
      `${task.lng.toFixed(6)},${task.lat.toFixed(6)}`,
    );
    expect(await mine.locator('[data-testid="navigate-geo"]').getAttribute('href')).toMatch(
      /^geo:/,
    );

    // Far from the place (about 600 m): the server refuses and the page says why.
    await context.setGeolocation({ ...toGeo(offset(centroid, 600, 0)), accuracy: 10 });
    await mine.locator('button[data-action="check-in"]').click();
    await expect(
      mine.locator('[data-testid="task-error"]').textContent({ timeout: 10_000 }),
    ).resolves.toMatch(/您距任务地点约 \d+ 米，需在 \d+ 米内/);
    await phone.screenshot({
      path: path.join(SHOTS, 'volunteer-geofence-360.png'),
      fullPage: true,
    });

    // Back at the place: checked in.
    await context.setGeolocation({ ...toGeo(here), accuracy: 10 });
    await mine.locator('button[data-action="check-in"]').click();
    await mine.and(phone.locator('[data-status="CHECKED_IN"]')).waitFor({ timeout: 10_000 });
    expect(await mine.locator('[data-testid="task-error"]').count()).toBe(0);
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-checked-in-360.png') });

    // Serve a while: 10 s at TIME_SCALE 20 are 3 minutes of service, 50 points at 1,000 an hour.
    await phone.waitForTimeout(10_000);
    await mine.locator('button[data-action="check-out"]').click();
    await mine.waitFor({ state: 'detached', timeout: 10_000 });

    const balance = phone.locator('[data-testid="balance"]');
    const shown = await eventually(
      async () => {
        const minutes = Number((await balance.getAttribute('data-minutes')) || 0);
        const points = Number((await balance.getAttribute('data-points')) || 0);
        return minutes > before.body.balance.minutes && points > before.body.balance.points
          ? { minutes, points }
          : null;
      },
      10_000,
      'the balance to grow',
    );
    const after = await volunteer.get<LedgerResponse>('/api/volunteers/me/ledger');
    expect(shown).toEqual(after.body.balance);
    expect(shown.minutes - before.body.balance.minutes).toBeGreaterThanOrEqual(3);
    expect(shown.points - before.body.balance.points).toBeGreaterThanOrEqual(50);
    expect(shown.points).toBeGreaterThan(0);
    await expect(
      balance.locator('[data-testid="balance-points"]').textContent(),
    ).resolves.toContain(String(shown.points));
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-done-360.png'), fullPage: true });

    // The history tab lists the service with what it earned.
    await phone.getByRole('link', { name: '服务记录' }).click();
    const done = phone.locator(`[data-testid="history-item"][data-task-id="${task.id}"]`);
    await done.and(phone.locator('[data-status="CHECKED_OUT"]')).waitFor();
    await expect(done.locator('[data-testid="history-earned"]').textContent()).resolves.toMatch(
      /\+\d+ 积分/,
    );
    await phone.setViewportSize({ width: PHONE.width, height: 1200 });
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-history-360.png') });
    await phone.setViewportSize(PHONE);

    // Points buy a reward: a haircut voucher (50 points), confirmed, then awaiting approval.
    await phone.getByRole('link', { name: '积分兑换' }).click();
    const haircut = phone.locator('[data-testid="reward"]', { hasText: '社区理发券' });
    await haircut.getByRole('button', { name: '兑换 社区理发券（50 积分）' }).click();
    await haircut.getByRole('button', { name: '确认兑换' }).click();
    await expect(
      phone.locator('[data-testid="redeem-done"]').textContent({ timeout: 10_000 }),
    ).resolves.toMatch(/已提交兑换“社区理发券”/);
    const requested = phone.locator('[data-testid="redemption"][data-status="REQUESTED"]');
    await expect(requested.textContent()).resolves.toMatch(/社区理发券.*待审核/);
    const redemptions = await volunteer.get<{
      redemptions: Array<{ status: string; reward: { nameZh: string } }>;
    }>('/api/redemptions');
    expect(redemptions.body.redemptions.map((r) => [r.reward.nameZh, r.status])).toEqual([
      ['社区理发券', 'REQUESTED'],
    ]);
    await phone.setViewportSize({ width: PHONE.width, height: 1100 });
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-rewards-360.png') });
    await phone.setViewportSize(PHONE);

    const tasks = await volunteer.get<MyTasksResponse>('/api/volunteers/me/tasks');
    expect(tasks.body.history.find((e) => e.task.id === task.id)?.assignment.status).toBe(
      'CHECKED_OUT',
    );
    // Chromium logs the refused check-in (422); nothing else may go wrong.
    expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
  });

  it('drops an offer another volunteer took, with a short note', async () => {
    const here = offset(centroid, -20, 15);
    const other = await system.login('vol-0001');
    expect((await other.post('/api/volunteers/me/duty', { onDuty: true })).status).toBe(200);
    const near = offset(centroid, 10, -10);
    expect((await other.post('/api/volunteers/me/location', near)).status).toBeLessThan(300);

    const context = await phoneContext(here);
    const phone = await context.newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'volunteer');
    const duty = phone.locator('[data-testid="duty-panel"]');
    if ((await duty.getAttribute('data-on-duty')) !== 'true') {
      await duty.and(phone.locator('[data-on-duty="false"]')).waitFor();
      await phone.getByRole('button', { name: '切换为在岗' }).click();
    }
    await duty.and(phone.locator('[data-sharing="sharing"]')).waitFor({ timeout: 10_000 });

    const task = await createTask('帮忙搬运米面', centroid);
    const offer = phone.locator(`[data-testid="offer-card"][data-task-id="${task.id}"]`);
    await offer.waitFor({ timeout: 10_000 });
    const taken = await other.post(`/api/tasks/${task.id}/accept`, {});
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);

    await offer.waitFor({ state: 'detached', timeout: 10_000 });
    const note = phone.locator(`[data-testid="gone-note"][data-task-id="${task.id}"]`);
    await expect(note.textContent({ timeout: 5000 })).resolves.toMatch(/已由其他志愿者接受/);
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-filled-360.png'), fullPage: true });
    await note.getByRole('button', { name: '知道了' }).click();
    await note.waitFor({ state: 'detached' });

    // English, at the same width.
    await phone.getByRole('button', { name: 'Switch to English' }).click();
    await expect(phone.locator('h1').textContent()).resolves.toBe('Volunteering');
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-en-360.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('tells a volunteer awaiting approval so, instead of offering the duty switch', async () => {
    const registered = await fetch(`${system.baseUrl}/api/volunteers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'new-helper',
        password: 'helper-pass-1',
        displayName: '新志愿者',
        homeCommunityId: community.user.regionId,
      }),
    });
    expect(registered.status).toBe(201);
    const phone = await (await phoneContext(centroid)).newPage();
    const errors = watchErrors(phone);
    await signIn(phone, system.baseUrl, 'new-helper', 'helper-pass-1');
    const status = phone.locator('[data-testid="volunteer-status"][data-status="PENDING"]');
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(/等待审核/);
    expect(await phone.locator('[data-testid="duty-panel"]').count()).toBe(0);
    expect(await phone.getByRole('button', { name: '切换为在岗' }).count()).toBe(0);
    await phone.screenshot({ path: path.join(SHOTS, 'volunteer-pending-360.png') });
    expect(errors).toEqual([]);
  });
});

/** The bits of the page's `navigator` the checks read (this project has no DOM types). */
interface BrowserGlobals {
  navigator: {
    serviceWorker: {
      controller: { scriptURL: string } | null;
      getRegistration(
        clientUrl: string,
      ): Promise<{ scope: string; active: { state: string } | null } | undefined>;
    };
  };
}

const toGeo = (point: LatLng) => ({ latitude: point.lat, longitude: point.lng });
