import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LatLng, TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

/** Set HOTLINE_SCREENSHOTS=<dir> to keep screenshots of the console at desktop and phone sizes. */
const SCREENSHOTS = process.env.HOTLINE_SCREENSHOTS;

/** Desktop (the page's own size) and phone screenshots; the page returns to its size after. */
async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size?.width ?? 0}.png`) });
  if (size?.width === 360) return;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-360.png`) });
  // The page scrolls inside <main>: show the lower half of the form too.
  await page.evaluate("document.getElementById('hotline-map')?.scrollIntoView()");
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-360-map.png`) });
  await page.evaluate("document.getElementById('hotline-submit')?.scrollIntoView()");
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-360-end.png`) });
  if (size) await page.setViewportSize(size);
}

// e2e compiles without the DOM library: code run in the page is passed as strings.

/** The id of the focused element. */
async function focusedId(page: Page): Promise<string> {
  return page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
}

/** An attribute of the focused element ('textContent' and 'name' too). */
async function focused(page: Page, property: 'textContent' | 'name'): Promise<string> {
  return page.evaluate<string>(`String(document.activeElement?.${property} ?? '')`);
}

async function waitForFocus(page: Page, id: string): Promise<void> {
  await page.waitForFunction(`document.activeElement?.id === ${JSON.stringify(id)}`);
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent('/hotline')}`);
  await page.getByLabel(/用户名|Username/).fill('dispatcher');
  await page.getByLabel(/密码|Password/).fill('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/hotline/);
}

describe('/hotline in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let dispatcher: Session;
  let jianshen: { id: number; centroid: LatLng };

  beforeAll(async () => {
    system = await startSystem({ web: true });
    browser = await launchChromium();
    dispatcher = await system.login('dispatcher');
    const { body } = await dispatcher.get<{
      regions: Array<{ id: number; name: string; centroid: LatLng | null }>;
    }>('/api/regions?level=COMMUNITY');
    const community = body.regions.find((region) => region.name === '健身社区');
    if (!community?.centroid) throw new Error('健身社区 is missing from the demo city');
    jianshen = { id: community.id, centroid: community.centroid };
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('files a ticket with the keyboard alone, after seeing the open one nearby as a likely duplicate', async () => {
    // An open garbage ticket at the centre of 健身社区, filed through the API.
    const earlier = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'GARBAGE',
      description: '垃圾桶满了没人清运',
      address: '健身社区 8 号楼',
      location: jianshen.centroid,
      channel: 'HOTLINE',
      reporter: { phone: '13900001111' },
    });
    expect(earlier.status).toBe(201);
    const existing = earlier.body.ticket;

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // 401: the login page asks /api/me first. ERR_FAILED: the answer this test drops below.
      if (message.type() === 'error' && !/status of 401|net::ERR_FAILED/.test(message.text()))
        errors.push(message.text());
    });
    await signIn(page, system.baseUrl);

    // From here on: the keyboard only. The phone field has focus on arrival.
    await waitForFocus(page, 'hotline-phone');
    await page.locator('#hotline-category[placeholder]').waitFor();

    // A mobile number one digit short is refused with a clear message on leaving the field...
    await page.keyboard.type('138 0013 800');
    await page.keyboard.press('Tab');
    const phoneError = page.locator('#hotline-phone-error');
    await phoneError.waitFor();
    expect(await phoneError.textContent()).toContain('11 位');
    // ...and accepted once complete.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('End');
    await page.keyboard.type('0');
    await page.keyboard.press('Tab');
    await phoneError.waitFor({ state: 'detached' });
    expect(await focusedId(page)).toBe('hotline-name');
    await page.keyboard.type('王先生');

    // Category by pinyin initials: "lj" finds 垃圾清运.
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('hotline-category');
    await page.keyboard.type('lj');
    const firstOption = page.locator('#hotline-category-listbox [role="option"]').first();
    await firstOption.waitFor();
    expect(await firstOption.textContent()).toContain('垃圾清运');
    expect(await firstOption.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#hotline-category')).toBe('垃圾清运');
    expect(await page.locator('#hotline-category-listbox').isHidden()).toBe(true);

    // The priority took the category's default; the description next.
    await page.keyboard.press('Tab');
    expect(await focused(page, 'name')).toBe('hotline-priority');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('hotline-description');
    await page.keyboard.type('小区门口垃圾堆放三天无人清运');

    // The address names the community: its centre is offered as the point.
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('hotline-address');
    await page.keyboard.type('健身社区 8 号楼东侧');
    await page.keyboard.press('Tab');
    expect(await focused(page, 'textContent')).toContain('健身社区');
    await shoot(page, 'desktop-filling');
    await page.keyboard.press('Enter');
    await waitForFocus(page, 'hotline-map');
    // Fine-tune with the arrow keys: a few metres east.
    const before = await page.locator('[data-testid="hotline-point"]').textContent();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      `document.querySelector('[data-testid="hotline-point"]')?.textContent !== ${JSON.stringify(before)}`,
    );

    // The earlier ticket shows up as a likely duplicate, with its address.
    const suggestion = page.locator(
      `[data-testid="hotline-duplicate"][data-code="${existing.code}"]`,
    );
    await suggestion.waitFor({ timeout: 10_000 });
    expect(await suggestion.textContent()).toContain('健身社区 8 号楼');
    await shoot(page, 'desktop-duplicate');

    // Not the same problem: file it with Ctrl+Enter. The first answer is lost on the way back
    // (the server has filed it); filing again with the same Idempotency-Key files nothing new.
    const countOpen = async () =>
      (
        await dispatcher.get<{ tickets: TicketSummary[] }>(
          '/api/tickets?status=open&categoryCode=GARBAGE&limit=1000',
        )
      ).body.tickets.length;
    const openBefore = await countOpen();
    let lost = 0;
    await page.route('**/api/tickets', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.continue();
      lost++;
      const answer = await route.fetch();
      expect(answer.status()).toBe(201);
      await route.abort('failed');
    });
    await page.keyboard.press('Control+Enter');
    const formError = page.locator('#hotline-form-error');
    await formError.waitFor();
    expect(await formError.textContent()).toContain('不会重复建单');
    expect(await focusedId(page)).toBe('hotline-form-error');
    expect(await countOpen()).toBe(openBefore + 1);
    await page.keyboard.press('Control+Enter');
    const code = page.locator('[data-testid="hotline-created-code"]');
    await code.waitFor({ timeout: 10_000 });
    const created = await page.locator('[data-testid="hotline-created"]').getAttribute('data-code');
    expect(created).toMatch(/^GL-\d{6}-[A-Z0-9]{6}$/);
    expect(created).not.toBe(existing.code);
    expect((await code.textContent())?.replace(/\s/g, '')).toBe(created);
    expect(await focused(page, 'textContent')).toContain('下一个来电');
    await page
      .locator('[data-testid="hotline-created-grid"]')
      .filter({ hasText: '健身社区' })
      .waitFor();
    await shoot(page, 'desktop-created');

    // One ticket, from the hotline, with the caller's phone.
    expect(lost).toBe(1);
    expect(await countOpen()).toBe(openBefore + 1);
    const list = await dispatcher.get<{ tickets: TicketSummary[] }>(
      '/api/tickets?status=open&categoryCode=GARBAGE&limit=1000',
    );
    const ticket = list.body.tickets.find((candidate) => candidate.code === created);
    expect(ticket).toBeDefined();
    const detail = await dispatcher.get<{
      ticket: TicketSummary & { description: string; reporter: { name: string; phone: string } };
    }>(`/api/tickets/${ticket!.id}`);
    expect(detail.body.ticket).toMatchObject({
      channel: 'HOTLINE',
      categoryCode: 'GARBAGE',
      description: '小区门口垃圾堆放三天无人清运',
      address: '健身社区 8 号楼东侧',
      communityId: jianshen.id,
      reporter: { name: '王先生', phone: '13800138000' },
    });

    // Next call: an empty form, the phone field focused.
    await page.keyboard.press('Enter');
    await waitForFocus(page, 'hotline-phone');
    expect(await page.inputValue('#hotline-phone')).toBe('');
    expect(await page.inputValue('#hotline-category')).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows missing fields next to them, and fits a 360 px phone', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await signIn(page, system.baseUrl);
    await waitForFocus(page, 'hotline-phone');
    await page.keyboard.press('Control+Enter');
    await page.locator('#hotline-phone-error').waitFor();
    expect(await page.locator('#hotline-category-error').textContent()).toContain('请选择');
    expect(await page.locator('#hotline-location-error').isVisible()).toBe(true);
    expect(await page.locator('#hotline-description-error').isVisible()).toBe(true);
    // The first field in error takes the focus.
    expect(await focusedId(page)).toBe('hotline-phone');
    // Nothing sticks out of the window: the form scrolls inside <main>, never sideways.
    const overflow = await page.evaluate<number[]>(
      '[document.documentElement.scrollWidth - document.documentElement.clientWidth,' +
        ' document.documentElement.scrollHeight - document.documentElement.clientHeight]',
    );
    expect(overflow).toEqual([0, 0]);
    await shoot(page, 'phone-errors');
    if (SCREENSHOTS) {
      await page.evaluate("localStorage.setItem('gridline.lang', 'en')");
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${system.baseUrl}/hotline`);
      await page.locator('#hotline-phone').waitFor();
      await page.keyboard.press('Control+Enter');
      await page.locator('#hotline-phone-error').waitFor();
      await shoot(page, 'english-errors');
      await page.focus('#hotline-category');
      await page.keyboard.type('la');
      await page.locator('#hotline-category-listbox [role="option"]').first().waitFor();
      await shoot(page, 'english-listbox');
      await page.focus('.shortcuts summary');
      await page.keyboard.press('Enter');
      await shoot(page, 'english-shortcuts');
    }
    await page.close();
  });
});
